"""Check-worthiness: how much a sentence deserves a fact-checker's time, in [0, 1].

The model blends two logistic regressions over word 1-2 gram tf-idf plus a dozen
hand features: one trained on the CLEF-2019 CheckThat! Task 1 debates and speeches
(what a newsroom checked), one on the ClaimBuster crowd's labels of other
presidential debates (what readers found factual and important), by
``factcheck.claims.training``. The CLEF model's hand features also hold a one-hot
of the sentence's claim kind (``kinds.classify``; v3). v4 averages in
all-MiniLM-L6-v2 fine-tuned on the CLEF debates (``Finetuned``: an int8 ONNX file run
by ``finetuned``, built by ``checkworthiness_finetune``), which reads the sentence as a
whole where the linear models read its words. Only numpy (and onnxruntime, for the
fine-tuned part) is needed here: the feature extraction (tokens, n-grams, tf-idf,
scaling) is reimplemented so that scikit-learn stays a training-time dependency.
``training`` imports ``tokens``, ``ngrams_of``, ``hand_features`` and
``kind_features`` from this module, so both sides featurise with the same code.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from factcheck.claims import finetuned, kinds
from factcheck.claims.tokenising import ngrams_of, tokens

WEIGHTS_PATH = Path(__file__).parent / "data" / "checkworthiness-v3.npz"
# How the fine-tuned MiniLM enters the decision (v4): written beside its ONNX file by
# ``checkworthiness_finetune``.
BLEND_PATH = Path(__file__).parent / "data" / "checkworthiness-minilm.json"

# Hand features: cues a fact-checker looks for (figures, named things,
# comparisons) and against (opinion, politeness, questions, stage directions).
# The n-grams see these words too, but a count over a whole word class
# generalises where single n-grams are too rare to learn. Most are counted over
# the tokens with one dict lookup each: a case-insensitive regex alternation per
# class was the slowest part of scoring.
_NUMBER_KINDS = ("_num_", "_money_", "_pct_", "_year_")
_WORD_CLASSES: dict[str, tuple[str, ...]] = {
    "number": _NUMBER_KINDS,
    "percent": ("_pct_", "percent"),
    "money": ("_money_", "dollar", "dollars", "million", "billion", "trillion"),
    "year": ("_year_",),
    "comparison": (
        "more",
        "less",
        "fewer",
        "most",
        "least",
        "highest",
        "lowest",
        "largest",
        "biggest",
        "smallest",
        "worst",
        "best",
        "doubled",
        "tripled",
        "increase",
        "increased",
        "increases",
        "decrease",
        "decreased",
        "decreases",
        "rose",
        "fell",
        "cut",
        "grew",
        "than",
        "record",
        "only",
        "every",
        "never",
        "ever",
        "all",
        "none",
        "percent",
        "million",
        "billion",
        "trillion",
        "thousand",
        "thousands",
        "hundred",
        "hundreds",
    ),
    "first_person": ("i", "me", "my", "mine", "we", "us", "our", "ours"),
    "opinion": (
        "think",
        "believe",
        "feel",
        "hope",
        "want",
        "should",
        "must",
        "need",
        "wish",
        "love",
        "great",
        "wonderful",
        "thank",
        "thanks",
    ),
}
_CLASS_NAMES = tuple(_WORD_CLASSES)
_CLASSES_OF: dict[str, tuple[int, ...]] = {}
for _column, _name in enumerate(_CLASS_NAMES):
    for _word in _WORD_CLASSES[_name]:
        _CLASSES_OF[_word] = (*_CLASSES_OF.get(_word, ()), _column)
# A capitalised word after a space: names, places, agencies (not the first word).
_CAPITALISED = re.compile(r"(?<=[ \t\n\r])[A-Z][a-zA-Z]+")
HAND_FEATURES = (
    "log_tokens",
    "has_number",
    "log_numbers",
    "has_percent",
    "has_money",
    "has_year",
    "log_comparisons",
    "log_capitalised",
    "log_first_person",
    "log_opinion",
    "is_question",
    "is_stage_direction",
)


def _class_counts(token_lists: Sequence[list[str]]) -> np.ndarray:
    rows: list[int] = []
    columns: list[int] = []
    lookup = _CLASSES_OF.get
    for row, toks in enumerate(token_lists):
        for token in toks:
            found = lookup(token)
            if found:
                for column in found:
                    rows.append(row)
                    columns.append(column)
    counts = np.zeros((len(token_lists), len(_CLASS_NAMES)))
    np.add.at(counts, (np.asarray(rows, dtype=np.int64), np.asarray(columns, dtype=np.int64)), 1)
    return counts


def hand_features(
    sentences: Sequence[str], token_lists: Sequence[list[str]] | None = None
) -> np.ndarray:
    """Hand features, one row per sentence, columns in ``HAND_FEATURES`` order (unscaled).

    ``token_lists`` are the sentences' ``tokens``, when the caller has them already.
    """
    if token_lists is None:
        token_lists = [tokens(s) for s in sentences]
    counts = dict(zip(_CLASS_NAMES, _class_counts(token_lists).T, strict=True))
    columns = [
        np.log1p([len(toks) for toks in token_lists]),
        counts["number"] > 0,
        np.log1p(counts["number"]),
        counts["percent"] > 0,
        counts["money"] > 0,
        counts["year"] > 0,
        np.log1p(counts["comparison"]),
        np.log1p([len(_CAPITALISED.findall(s)) for s in sentences]),
        np.log1p(counts["first_person"]),
        np.log1p(counts["opinion"]),
        [s.rstrip().endswith("?") for s in sentences],
        [s.lstrip().startswith("(") for s in sentences],
    ]
    return np.column_stack(columns).astype(np.float64).reshape(len(sentences), -1)


# The claim kind as features, one column per kind: what the kind rules and the
# opinion model read (reported speech, forecasts, rhetoric that reads like a report)
# beyond the word counts above. Only the CLEF model has them (v3's recipe).
KIND_FEATURES = tuple(f"kind_{kind}" for kind in kinds.KINDS)
_KIND_COLUMN = {kind: column for column, kind in enumerate(kinds.KINDS)}


def kind_features(
    sentences: Sequence[str], sentence_kinds: Sequence[str] | None = None
) -> np.ndarray:
    """One-hot of each sentence's ``kinds.classify``, columns in ``KIND_FEATURES`` order;
    ``sentence_kinds`` gives the kinds when the caller has already classified the sentences."""
    found = (
        sentence_kinds
        if sentence_kinds is not None
        else [kinds.classify(sentence) for sentence in sentences]
    )
    if len(found) != len(sentences):
        raise ValueError(f"{len(found)} kinds for {len(sentences)} sentences")
    one_hot = np.zeros((len(sentences), len(KIND_FEATURES)))
    for row, kind in enumerate(found):
        one_hot[row, _KIND_COLUMN[kind]] = 1.0
    return one_hot


def smooth(raw: np.ndarray, window: int, weight: float) -> np.ndarray:
    """Blend each score with the mean of its ``window`` neighbours on each side.

    Why: check-worthy sentences cluster (in the training data a sentence after a
    check-worthy one is ten times likelier to be check-worthy), and a claim often
    spans sentences that share little vocabulary. Dividing by 1 + weight keeps
    the result on the scale of a logit. Edges repeat the end scores.
    """
    if len(raw) == 0 or window == 0 or weight == 0:
        return raw
    padded = np.pad(raw, window, mode="edge")
    n = len(raw)
    offsets = [d for d in range(-window, window + 1) if d != 0]
    neighbours = np.mean([padded[window + d : window + d + n] for d in offsets], axis=0)
    return (raw + weight * neighbours) / (1.0 + weight)


class Linear:
    """One logistic regression over tf-idf terms and scaled hand features, as arrays.

    ``prefix`` picks its arrays out of the weights file (``debates.`` or ``claimbuster.``).
    """

    def __init__(self, arrays: Mapping[str, np.ndarray], prefix: str, meta: Mapping) -> None:
        terms = bytes(arrays[prefix + "terms"]).decode("utf-8").split("\n")
        self.index = {term: i for i, term in enumerate(terms)}
        self.idf = np.asarray(arrays[prefix + "idf"], dtype=np.float64)
        self.term_coef = np.asarray(arrays[prefix + "term_coef"], dtype=np.float64)
        self.hand_mean = np.asarray(arrays[prefix + "hand_mean"], dtype=np.float64)
        self.hand_scale = np.asarray(arrays[prefix + "hand_scale"], dtype=np.float64)
        self.hand_coef = np.asarray(arrays[prefix + "hand_coef"], dtype=np.float64)
        self.intercept = float(meta["intercept"])
        self.hand_weight = float(meta["hand_weight"])
        # Whether ``kind_features`` follow ``hand_features`` in this model's hand columns.
        self.with_kinds = bool(meta.get("with_kinds", False))

    def decision(self, token_lists: Sequence[list[str]], hand: np.ndarray) -> np.ndarray:
        return self._term_scores(token_lists) + self._hand_scores(hand) + self.intercept

    def _term_scores(self, token_lists: Sequence[list[str]]) -> np.ndarray:
        # Same as scikit-learn's TfidfVectorizer(sublinear_tf=True, norm="l2")
        # followed by a dot product, done on flat (row, term) pairs for speed.
        rows: list[int] = []
        cols: list[int] = []
        lookup = self.index.get
        for row, toks in enumerate(token_lists):
            found = [i for i in map(lookup, ngrams_of(toks)) if i is not None]
            rows.extend([row] * len(found))
            cols.extend(found)
        n = len(token_lists)
        if not cols:
            return np.zeros(n)
        keys = np.asarray(rows, dtype=np.int64) * len(self.idf) + np.asarray(cols)
        unique, counts = np.unique(keys, return_counts=True)
        row_of, col_of = np.divmod(unique, len(self.idf))
        weights = (1.0 + np.log(counts)) * self.idf[col_of]
        norms = np.sqrt(np.bincount(row_of, weights * weights, minlength=n))
        dots = np.bincount(row_of, weights * self.term_coef[col_of], minlength=n)
        return np.divide(dots, norms, out=np.zeros(n), where=norms > 0)

    def _hand_scores(self, hand: np.ndarray) -> np.ndarray:
        scaled = (hand - self.hand_mean) / self.hand_scale * self.hand_weight
        return scaled @ self.hand_coef


class Finetuned:
    """The fine-tuned MiniLM as a part of the decision (v4).

    Its logit is mapped onto the linear decision's scale (``scale``, ``shift``: the
    linear decision's spread and centre over training sentences) and averaged in with
    ``weight``, so the blend stays on the scale the prior and the smoothing expect.
    """

    def __init__(self, path: Path, weight: float, scale: float, shift: float) -> None:
        self.path = path
        self.weight = weight
        self.scale = scale
        self.shift = shift

    @classmethod
    def load(cls, path: Path = finetuned.CHECKWORTHINESS_PATH) -> Finetuned:
        settings = json.loads(BLEND_PATH.read_text(encoding="utf-8"))
        return cls(path, *(float(settings[key]) for key in ("weight", "scale", "shift")))

    @classmethod
    def mapped(
        cls, path: Path, weight: float, linear: Model, sentences: Sequence[str]
    ) -> Finetuned:
        """The part whose mapped logit has the spread and centre of ``linear``'s
        decision over ``sentences`` (training sentences)."""
        target = linear.linear_decision(sentences)
        logit = finetuned.outputs(path, sentences)
        scale = float(target.std() / logit.std())
        return cls(path, weight, scale, float(target.mean() - scale * logit.mean()))

    def settings(self) -> dict[str, float]:
        return {"weight": self.weight, "scale": self.scale, "shift": self.shift}

    def decision(self, sentences: Sequence[str]) -> np.ndarray:
        return self.scale * finetuned.outputs(self.path, sentences) + self.shift


class Model:
    """The trained scorer: two linear models blended, the fine-tuned MiniLM averaged in,
    then smoothed over the context.

    ``debates`` learnt what a newsroom checked in CLEF-2019's debates and speeches;
    ``claimbuster`` learnt what the ClaimBuster crowd found factual and important in
    other presidential debates. The second is broader and noisier, so it only
    nudges the first: its decision enters with ``claimbuster_weight``. ``finetuned``,
    when given, reads the sentence as a whole, where the linear models read its words.
    """

    def __init__(
        self, arrays: Mapping[str, np.ndarray], finetuned_part: Finetuned | None = None
    ) -> None:
        meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
        self.arrays = arrays
        self.meta = meta
        self.debates = Linear(arrays, "debates.", meta["debates"])
        # Without a ClaimBuster part (the v1 recipe, benchmarked) the blend is the CLEF model.
        self.claimbuster = (
            Linear(arrays, "claimbuster.", meta["claimbuster"]) if "claimbuster" in meta else None
        )
        self.claimbuster_weight = float(meta["claimbuster_weight"])
        self.prior_logit = float(meta["prior_logit"])
        self.window = int(meta["context_window"])
        self.context_weight = float(meta["context_weight"])
        self.finetuned = finetuned_part

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH, with_finetuned: bool = True) -> Model:
        """The shipped model (v4); ``with_finetuned=False``, its linear part alone (v3)."""
        with np.load(path, allow_pickle=False) as arrays:
            loaded = {key: arrays[key] for key in arrays.files}
        return cls(loaded, Finetuned.load() if with_finetuned else None)

    def decision(
        self, sentences: Sequence[str], sentence_kinds: Sequence[str] | None = None
    ) -> np.ndarray:
        """The blended decision values, sentence by sentence, no context
        (``sentence_kinds``: the sentences' kinds, if already classified)."""
        linear = self.linear_decision(sentences, sentence_kinds)
        if self.finetuned is None or len(sentences) == 0:
            return linear
        weight = self.finetuned.weight
        return (linear + weight * self.finetuned.decision(sentences)) / (1.0 + weight)

    def linear_decision(
        self, sentences: Sequence[str], sentence_kinds: Sequence[str] | None = None
    ) -> np.ndarray:
        """The linear models' blended decision values (v3's), sentence by sentence."""
        token_lists = [tokens(s) for s in sentences]
        hand = hand_features(sentences, token_lists)
        parts = [(self.debates, 1.0)]
        if self.claimbuster is not None and self.claimbuster_weight:
            parts.append((self.claimbuster, self.claimbuster_weight))
        # Classifying costs most of the scoring's CPU: once, and only if a part uses it.
        with_kinds = hand
        if any(part.with_kinds for part, _ in parts):
            with_kinds = np.hstack([hand, kind_features(sentences, sentence_kinds)])
        return sum(
            weight * part.decision(token_lists, with_kinds if part.with_kinds else hand)
            for part, weight in parts
        )

    def probabilities(
        self, sentences: Sequence[str], sentence_kinds: Sequence[str] | None = None
    ) -> np.ndarray:
        """Context-smoothed scores in [0, 1] for the sentences of one document."""
        logits = smooth(self.decision(sentences, sentence_kinds), self.window, self.context_weight)
        # Training weighted positives and negatives equally; adding back the
        # base rate's log-odds makes the score read roughly as a probability.
        # Clipping only keeps np.exp from overflowing on absurd inputs.
        return 1.0 / (1.0 + np.exp(-np.clip(logits + self.prior_logit, -50.0, 50.0)))


@functools.cache
def _model() -> Model:
    # Loaded on first use, once per process: importing the package stays cheap.
    return Model.load()


def score(sentences: Sequence[str], *, sentence_kinds: Sequence[str] | None = None) -> list[float]:
    """Score pre-split sentences of one document, in order; higher is more worth checking.

    Scores are in [0, 1]; neighbouring sentences inform each score, so pass the
    whole document's sentences at once rather than one at a time. A caller that has
    already classified the sentences (``kinds.classify``) passes their kinds as
    ``sentence_kinds``, so that each sentence is classified once.
    """
    if not sentences:
        return []
    return [float(p) for p in _model().probabilities(list(sentences), sentence_kinds)]
