"""Train the opinion model of ``factcheck.claims.opinion`` on the labelled kinds set.

Run from the repository root (it reads ``tests/data/kinds``, which is not shipped):

    python -m factcheck.claims.opinion_training [--out PATH] [--select]

It fits a logistic regression (scikit-learn, the ``train`` extra; inference needs
numpy only) on every sentence of the ``train`` and ``dev`` documents,
never on the held-aside ``test``, ``test2`` and ``test3`` ones, and writes
``factcheck/claims/data/opinion-v1.json``. The recipe below (C, threshold, the scale of
the dense vector; the features of ``opinion.features``, word unigrams, were preferred
to word 1-2 grams by the same refits, and the dense vector of ``opinion.vector`` was
added by the pre-registered comparison of ``bench/kinds_dense.py``) was chosen with
``--select``:
leave-one-document-out over the same training and development documents, scored by the
mean of two pooled F1 of "checkable", over all their sentences and over the development
ones (which hold the news and op-eds the speeches lack). Everything is deterministic:
rerunning rewrites the same file. ``--lexicon en-sentiment.xml`` (from TextBlob) rewrites
the list of judging adjectives the features count.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np

from factcheck.claims.kinds import read, refined
from factcheck.claims.opinion import LEXICON_PATH, WEIGHTS_PATH, Model, features, vector
from tests.kinds_data import Labelled, evaluate, sentences

VERSION = "opinion-v1"
FIT_SPLITS = ("train", "dev")  # never "test", "test2" or "test3": held aside
# The recipe, chosen by leave-one-document-out (``--select``; docs/benchmarks.md).
C = 0.3  # inverse L2 strength of the logistic regression
MIN_DOCUMENTS = 1  # every feature seen in training (2 documents or more: no better by LODO)
THRESHOLD = 0.7  # the probability above which a plain statement of fact becomes an opinion
# The unit sentence vector enters the fit times this: a weaker penalty on its weights
# than on the words'. The shipped dense weights have it folded in.
DENSE_SCALE = 3.0
WEIGHT_DIGITS = 5
C_GRID = (0.3, 1.0, 3.0)
MIN_DOCUMENTS_GRID = (1,)
DENSE_SCALE_GRID = (1.0, 3.0, 10.0)
THRESHOLD_GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


@dataclass(frozen=True)
class Example:
    """A labelled sentence read by the rules: its document, features and label."""

    row: Labelled
    kind: str  # by the rules alone
    features: list[str]
    vector: np.ndarray  # opinion.vector of the sentence

    @property
    def not_checkable(self) -> bool:
        return not self.row.checkable


def examples(splits: Sequence[str] = FIT_SPLITS) -> list[Example]:
    """The labelled sentences of ``splits``, each read by the rules once."""
    found = []
    for split in splits:
        for row in sentences(split):
            kind, cues = read(row.sentence)
            found.append(
                Example(row, kind, features(row.sentence, kind, cues), vector(row.sentence))
            )
    return found


def fit(
    train: Sequence[Example],
    c: float = C,
    min_documents: int = MIN_DOCUMENTS,
    scale: float = DENSE_SCALE,
) -> Model:
    """A logistic regression on binary features kept if seen in ``min_documents`` documents
    and on the sentence vectors times ``scale``."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    vocabulary = _vocabulary(train, min_documents)
    rows, columns = [], []
    for i, example in enumerate(train):
        for column in sorted({vocabulary[f] for f in example.features if f in vocabulary}):
            rows.append(i)
            columns.append(column)
    binary = csr_matrix(([1.0] * len(rows), (rows, columns)), shape=(len(train), len(vocabulary)))
    dense = np.vstack([example.vector for example in train]) * scale
    matrix = hstack([binary, csr_matrix(dense)]).tocsr()
    labels = [example.not_checkable for example in train]
    regression = LogisticRegression(C=c, solver="lbfgs", max_iter=5000, tol=1e-8)
    regression.fit(matrix, labels)
    names = sorted(vocabulary, key=vocabulary.get)
    named, dense_weights = regression.coef_[0][: len(names)], regression.coef_[0][len(names) :]
    weights = {
        name: round(float(w), WEIGHT_DIGITS)
        for name, w in zip(names, named, strict=True)
        if round(float(w), WEIGHT_DIGITS) != 0.0
    }
    bias = round(float(regression.intercept_[0]), WEIGHT_DIGITS)
    dense = [round(float(w) * scale, WEIGHT_DIGITS) for w in dense_weights]
    return Model(weights, bias, THRESHOLD, dense)


def _vocabulary(train: Sequence[Example], min_documents: int) -> dict[str, int]:
    documents: dict[str, set[str]] = {}
    for example in train:
        for name in example.features:
            documents.setdefault(name, set()).add(example.row.document)
    kept = sorted(name for name, seen in documents.items() if len(seen) >= min_documents)
    return {name: column for column, name in enumerate(kept)}


def leave_one_document_out(
    data: Sequence[Example], c: float, min_documents: int, scale: float = DENSE_SCALE
) -> list[float]:
    """Each sentence's probability from a model fitted without its document."""
    probabilities = [0.0] * len(data)
    for document in sorted({example.row.document for example in data}):
        held = [i for i, example in enumerate(data) if example.row.document == document]
        model = fit([e for e in data if e.row.document != document], c, min_documents, scale)
        for i in held:
            probabilities[i] = model.probability(data[i].features, data[i].vector)
    return probabilities


def select(data: Sequence[Example]) -> None:
    """Print the leave-one-document-out score of each recipe on the grids."""
    print(f"rules alone: {_scores(data, [example.kind for example in data])}")
    for min_documents, c, scale in product(MIN_DOCUMENTS_GRID, C_GRID, DENSE_SCALE_GRID):
        probabilities = leave_one_document_out(data, c, min_documents, scale)
        for threshold in THRESHOLD_GRID:
            kinds = [
                refined(e.kind, p, threshold) for e, p in zip(data, probabilities, strict=True)
            ]
            recipe = f"min_documents {min_documents} C {c} scale {scale} threshold {threshold}"
            print(f"{recipe}: {_scores(data, kinds)}")


def _scores(data: Sequence[Example], kinds: Sequence[str]) -> str:
    """The checkable F1 pooled over all sentences, over the development ones, and their mean."""
    development = [i for i, example in enumerate(data) if example.row.document in _development()]
    pooled = evaluate([e.row for e in data], list(kinds)).checkable[2]
    rows = [data[i].row for i in development]
    dev = evaluate(rows, [kinds[i] for i in development]).checkable[2]
    return f"all {pooled:.3f} development {dev:.3f} score {(pooled + dev) / 2:.3f}"


def _development() -> set[str]:
    return {row.document for row in sentences("dev")}


def save(model: Model, path: Path = WEIGHTS_PATH) -> None:
    data = {
        "version": VERSION,
        "threshold": model.threshold,
        "bias": model.bias,
        "dense": [float(w) for w in model.dense],
        "weights": dict(sorted(model.weights.items())),
    }
    path.write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")


def derive_lexicon(xml: Path, out: Path = LEXICON_PATH, floor: float = 0.5) -> int:
    """Write the adjectives of the Pattern/TextBlob sentiment lexicon (``en-sentiment.xml``)
    whose subjectivity, averaged over their senses, is at least ``floor``; their count."""
    import xml.etree.ElementTree as ElementTree

    senses: dict[str, list[float]] = {}
    for word in ElementTree.parse(xml).getroot().iter("word"):
        senses.setdefault(word.get("form", "").lower(), []).append(float(word.get("subjectivity")))
    kept = {
        form: sum(s) / len(s) for form, s in senses.items() if form and sum(s) / len(s) >= floor
    }
    out.write_text(
        "".join(f"{form}\t{kept[form]:.2f}\n" for form in sorted(kept)), encoding="utf-8"
    )
    return len(kept)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--select", action="store_true", help="print the LODO grid instead")
    parser.add_argument("--lexicon", type=Path, help="en-sentiment.xml: rewrite the word list")
    args = parser.parse_args(argv)
    if args.lexicon:
        print(f"{derive_lexicon(args.lexicon)} adjectives written to {LEXICON_PATH}")
        return
    data = examples()
    if args.select:
        select(data)
        return
    model = fit(data)
    save(model, args.out)
    print(f"{len(data)} sentences, {len(model.weights)} features, written to {args.out}")


if __name__ == "__main__":
    main()
