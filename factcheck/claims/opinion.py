"""Opinion stated in the grammar of fact: a small learned check on the kind rules.

The rules of ``kinds`` see the marks of opinion ("should", "I believe", "a failure")
but not the speeches' rhetoric that reads like a report ("The shadow of crisis has
passed, and the State of the Union is strong."). A logistic regression over a
sentence's words, the kind the rules gave it, the rules' cues and the sentence's
mean static MiniLM vector (the claim matcher's table, ``factcheck.factchecks.static``:
it carries words the training set never saw), trained on labelled speeches, essays
and reports (``factcheck.claims.opinion_training`` rebuilds it), gives the
probability that a sentence is not checkable. ``kinds`` asks it only about sentences
the rules call a plain fact (event, comparison, cause), averages it with the
fine-tuned MiniLM's (``finetuned``) and turns those at or above the blend's threshold
(``finetuned.threshold()``) into opinions; questions, quotations, reported speech,
figures, forecasts and the rules' own opinions stay as the rules say. The threshold
saved with these weights (0.7) is the one the regression was chosen at alone
(``opinion_training --select``, and the experiments that compare against it);
``kinds`` does not read it.

The weights are a JSON file of some 6,400 named features (a lookup each) and one
weight per dimension of the static vectors (a dot product).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from factcheck.claims.tokenising import tokens
from factcheck.factchecks import static

WEIGHTS_PATH = Path(__file__).parent / "data" / "opinion-v1.json"
# Adjectives that mostly judge ("superb", "painful", "necessary"), with their mean
# subjectivity in [0.5, 1], from the Pattern/TextBlob English sentiment lexicon
# (Tom De Smedt and Walter Daelemans, CLiPS; PDDL); ``opinion_training`` derives it.
LEXICON_PATH = Path(__file__).parent / "data" / "subjective-adjectives.tsv"
_STRONGLY_SUBJECTIVE = 0.8


def features(sentence: str, kind: str, cues: Iterable[str]) -> list[str]:
    """The sentence's features: its words, its first word, the rules' kind and cues.

    Words alone, not word pairs: pairs scored no better by leave-one-document-out and
    made a model several times larger (docs/benchmarks.md, "Claim kinds").
    """
    words = tokens(sentence)
    found = [f"w:{word}" for word in words]
    found.append(f"first:{words[0]}" if words else "first:")
    found.append(f"kind:{kind}")
    found.extend(f"cue:{cue}" for cue in cues)
    found.extend(_lexicon_features(words))
    return found


def _lexicon_features(words: list[str]) -> list[str]:
    """How many judging adjectives the sentence holds: the words the training set lacks."""
    scores = [score for score in map(_lexicon().get, words) if score is not None]
    found = []
    if scores:
        found.append("lex:subjective")
    if len(scores) >= 2:
        found.append("lex:subjective2")
    if any(score >= _STRONGLY_SUBJECTIVE for score in scores):
        found.append("lex:strong")
    return found


def vector(sentence: str) -> np.ndarray:
    """The sentence's plain mean of static token vectors, at unit length (zero without
    tokens). The table is the matcher's, read once per process and shared with it."""
    table = static.load()
    if table is None:
        raise FileNotFoundError(f"the static table is package data: {static.TABLE_PATH}")
    return table.embed(table.rows(sentence), _equal_weights(table.missing + 1))


@functools.cache
def _equal_weights(rows: int) -> np.ndarray:
    return np.ones(rows, dtype=np.float32)


@functools.cache
def _lexicon() -> dict[str, float]:
    lines = LEXICON_PATH.read_text(encoding="utf-8").splitlines()
    return {word: float(score) for word, score in (line.split("\t") for line in lines)}


class Model:
    """A logistic regression over named binary features and a dense sentence vector,
    and the threshold it is used at."""

    def __init__(
        self,
        weights: Mapping[str, float],
        bias: float,
        threshold: float,
        dense: Sequence[float] = (),
    ) -> None:
        self.weights = dict(weights)
        self.bias = bias
        self.threshold = threshold
        # One weight per dimension of ``vector``; none for a model of named features only.
        self.dense = np.array(dense, dtype=np.float64)

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> Model:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["weights"], data["bias"], data["threshold"], data["dense"])

    def probability(self, found: Iterable[str], sentence_vector: np.ndarray) -> float:
        """The probability that a sentence with these features and this vector (its
        ``vector``) is not checkable."""
        weight = self.weights.get
        # A feature counts once, as in training, however often a word repeats.
        z = self.bias + sum(weight(name, 0.0) for name in set(found))
        if len(self.dense):
            z += float(self.dense @ sentence_vector)
        if z < 0:  # the form that cannot overflow
            return math.exp(z) / (1.0 + math.exp(z))
        return 1.0 / (1.0 + math.exp(-z))


@functools.cache
def model() -> Model:
    """The shipped model, read once per process."""
    return Model.load()
