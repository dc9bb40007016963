"""Train the check-worthiness model; the rankers and metrics its benchmark compares.

Run ``python -m factcheck.claims.training [--data DIR] [--claimbuster TSV] [--out PATH]``
to rebuild ``factcheck/claims/data/checkworthiness-v3.npz`` from the CLEF-2019
CheckThat! Task 1 training documents and the ClaimBuster crowd-labelled debate
sentences (Arslan, Hassan, Li and Tremayne, ICWSM 2020; CC BY 4.0). scikit-learn is
needed here only (the ``train`` extra); inference in ``checkworthiness`` is numpy
alone. Everything is deterministic: rerunning the script rewrites the same weights.

The metric functions (average precision, MAP) live here and nowhere else; the
bench and the tests import them.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import json
import math
import multiprocessing
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from factcheck.claims.checkworthiness import (
    HAND_FEATURES,
    KIND_FEATURES,
    WEIGHTS_PATH,
    Model,
    hand_features,
    kind_features,
    ngrams_of,
    tokens,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT / ".." / "shared" / "data" / "checkworthiness"
DEFAULT_DATA = SHARED_DATA / "clef2019-train"
DEFAULT_CLAIMBUSTER = SHARED_DATA / "claimbuster" / "claimbuster_kfold25.tsv"
VERSION = "checkworthiness-v3"

# The recipe, fixed before the final evaluation (see bench/checkworthiness.py).
MIN_DF = 2  # a term seen in one training sentence only is noise, and bloats the file
C = 1.0  # inverse L2 strength of the logistic regression
HAND_WEIGHT = 0.3  # hand features are standardised; this puts them near tf-idf's scale
CONTEXT_WINDOW = 2  # neighbours on each side blended into a sentence's score
CONTEXT_WEIGHT = 0.3
# The ClaimBuster model: its own regularisation, and how much its decision adds
# to the CLEF model's. Of the weights 0.1-0.35 tried, 0.15 has the largest worst
# gain over v1 across the two time splits and leave-one-document-out (a stronger
# penalty, C 0.3, lost on both time splits); see docs/benchmarks.md.
CLAIMBUSTER_C = 1.0
CLAIMBUSTER_WEIGHT = 0.15


@dataclass
class Document:
    """One debate or speech: its sentences in order and their 0/1 labels."""

    name: str
    sentences: list[str]
    labels: np.ndarray
    # Features depend on the sentence only, so LOO-CV computes them once per document.
    _ngrams: list[list[str]] | None = field(default=None, repr=False)
    _hand: np.ndarray | None = field(default=None, repr=False)
    _kinds: np.ndarray | None = field(default=None, repr=False)

    def ngrams(self) -> list[list[str]]:
        self._featurise()
        return self._ngrams  # type: ignore[return-value]

    def hand(self) -> np.ndarray:
        self._featurise()
        return self._hand  # type: ignore[return-value]

    def _featurise(self) -> None:
        if self._ngrams is None or self._hand is None:
            token_lists = [tokens(s) for s in self.sentences]
            self._ngrams = [ngrams_of(toks) for toks in token_lists]
            self._hand = hand_features(self.sentences, token_lists)

    def kinds(self) -> np.ndarray:
        """``kind_features``, computed on first use: the ClaimBuster rows never need them."""
        if self._kinds is None:
            self._kinds = kind_features(self.sentences)
        return self._kinds

    def hand_columns(self, with_kinds: bool) -> np.ndarray:
        """The hand features, followed by the kind one-hot when ``with_kinds``."""
        return np.hstack([self.hand(), self.kinds()]) if with_kinds else self.hand()


# --- data -------------------------------------------------------------------


def unquote(text: str) -> str:
    """Undo CSV quoting: a field wrapped in quotes whose inner quotes are all doubled.

    A field like ``"Whenever ..." — see, ...`` starts with a quote but is not
    wrapped, so it is real quoted speech and stays as it is.
    """
    if len(text) >= 2 and text[0] == text[-1] == '"':
        inner = text[1:-1]
        if '"' not in inner.replace('""', ""):
            return inner.replace('""', '"')
    return text


def load_document(path: Path) -> Document:
    """Read one TSV: ``line_number<TAB>speaker<TAB>text<TAB>label``, no header."""
    sentences: list[str] = []
    labels: list[int] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        _, _, text, label = line.split("\t")
        sentences.append(unquote(text))
        labels.append(int(label))
    return Document(path.stem, sentences, np.array(labels, dtype=np.int64))


def load_documents(data_dir: Path = DEFAULT_DATA) -> list[Document]:
    """All ``*.tsv`` documents of a folder, sorted by name for a stable order."""
    paths = sorted(Path(data_dir).glob("*.tsv"))
    if not paths:
        raise FileNotFoundError(f"no .tsv documents in {data_dir}")
    return [load_document(p) for p in paths]


@functools.cache
def load_claimbuster(path: Path = DEFAULT_CLAIMBUSTER) -> Document:
    """The ClaimBuster sentences as one pseudo-document (``sentence_id<TAB>text<TAB>label``).

    Cached: the CV folds fork after the first load and share its features.
    """
    sentences: list[str] = []
    labels: list[int] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            _, text, label = line.split("\t")
            sentences.append(text)
            labels.append(int(label))
    return Document("claimbuster", sentences, np.array(labels, dtype=np.int64))


def _normalised(sentence: str) -> str:
    return " ".join(tokens(sentence))


def without(doc: Document, others: Sequence[str]) -> Document:
    """``doc`` less the sentences that also occur in ``others`` (case and spacing aside).

    ClaimBuster holds hundreds of lines of the 2016 debates that CLEF-2019 trains
    on: a fold that tests on one of those debates must not train on its lines.
    """
    seen = {_normalised(s) for s in others}
    keep = [i for i, s in enumerate(doc.sentences) if _normalised(s) not in seen]
    if len(keep) == len(doc.sentences):
        return doc
    kept = Document(doc.name, [doc.sentences[i] for i in keep], doc.labels[keep])
    if doc._ngrams is not None and doc._hand is not None:
        kept._ngrams = [doc._ngrams[i] for i in keep]
        kept._hand = doc._hand[keep]
    if doc._kinds is not None:
        kept._kinds = doc._kinds[keep]
    return kept


# --- metrics ----------------------------------------------------------------


def average_precision(
    scores: Sequence[float] | np.ndarray, labels: Sequence[int] | np.ndarray
) -> float:
    """Average precision of the positives when sentences are ranked by score.

    As the CLEF-2019 scorer: ties keep document order (a stable sort), and a
    document without positives scores 0.
    """
    labels = np.asarray(labels)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    ranked = labels[order] == 1
    if not ranked.any():
        return 0.0
    hits = np.cumsum(ranked)
    precision_at_hits = hits[ranked] / (np.flatnonzero(ranked) + 1)
    return float(precision_at_hits.mean())


def mean_average_precision(runs: Sequence[tuple[Sequence[float], Sequence[int]]]) -> float:
    """Mean over documents of ``average_precision``; ``runs`` is (scores, labels) pairs."""
    return float(np.mean([average_precision(s, y) for s, y in runs])) if runs else 0.0


# --- training ---------------------------------------------------------------


@dataclass
class Fitted:
    """The scikit-learn objects of a trained model, before export to arrays."""

    vectorizer: object
    scaler: object
    classifier: object
    prior_logit: float
    with_kinds: bool = False


def _identity(terms: list[str]) -> list[str]:
    # The vectorizer gets pre-computed n-gram lists (checkworthiness.ngrams_of, from tokenising), so
    # training and inference share one tokeniser.
    return terms


def _document_balanced_weights(docs: Sequence[Document]) -> np.ndarray:
    # MAP ranks sentences within each document, so each training document gives
    # its positives and its negatives equal total weight: a speech where a
    # quarter of the lines were checked does not drown a debate where 1% were.
    parts = []
    for doc in docs:
        positives = max(int(doc.labels.sum()), 1)
        negatives = max(len(doc.labels) - positives, 1)
        parts.append(np.where(doc.labels == 1, 0.5 / positives, 0.5 / negatives))
    weights = np.concatenate(parts)
    return weights * len(weights) / weights.sum()


def fit(docs: Sequence[Document], c: float = C, with_kinds: bool = False) -> Fitted:
    """Fit tf-idf, the hand-feature scaler and the logistic regression on ``docs``;
    with the kind one-hot among the hand features when ``with_kinds``."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    terms = [t for doc in docs for t in doc.ngrams()]
    hand = np.vstack([doc.hand_columns(with_kinds) for doc in docs])
    labels = np.concatenate([doc.labels for doc in docs])
    vectorizer = TfidfVectorizer(
        analyzer=_identity, min_df=MIN_DF, sublinear_tf=True, dtype=np.float64
    ).fit(terms)
    scaler = StandardScaler().fit(hand)
    features = sparse.hstack(
        [vectorizer.transform(terms), scaler.transform(hand) * HAND_WEIGHT], format="csr"
    )
    classifier = LogisticRegression(C=c, max_iter=5000, solver="lbfgs")
    classifier.fit(features, labels, sample_weight=_document_balanced_weights(docs))
    base_rate = float(labels.mean())
    prior_logit = math.log(base_rate / (1.0 - base_rate)) if 0 < base_rate < 1 else 0.0
    return Fitted(vectorizer, scaler, classifier, prior_logit, with_kinds)


@dataclass
class Blend:
    """The CLEF model and the ClaimBuster model, and the weight of the second."""

    debates: Fitted
    claimbuster: Fitted | None
    claimbuster_weight: float


def fit_blend(
    docs: Sequence[Document],
    claimbuster: Document | None,
    weight: float = CLAIMBUSTER_WEIGHT,
    with_kinds: bool = True,
) -> Blend:
    """Fit the CLEF model on ``docs`` and, unless ``claimbuster`` is None, the ClaimBuster one.

    The ClaimBuster rows are one balanced pseudo-document, so positives and
    negatives weigh the same there too. Only the CLEF model gets the kind one-hot
    (``with_kinds``, v3's recipe; v1 and v2 had none): that is the variant benchmarked.
    """
    extra = fit([claimbuster], CLAIMBUSTER_C) if claimbuster is not None else None
    debates = fit(docs, with_kinds=with_kinds)
    return Blend(debates, extra, weight if extra is not None else 0.0)


def _linear_decision(fitted: Fitted, sentences: Sequence[str]) -> np.ndarray:
    from scipy import sparse

    token_lists = [tokens(s) for s in sentences]
    terms = [ngrams_of(toks) for toks in token_lists]
    hand = hand_features(sentences, token_lists)
    if fitted.with_kinds:
        hand = np.hstack([hand, kind_features(sentences)])
    features = sparse.hstack(
        [fitted.vectorizer.transform(terms), fitted.scaler.transform(hand) * HAND_WEIGHT],
        format="csr",
    )
    return fitted.classifier.decision_function(features)


def sklearn_decision(blend: Blend, sentences: Sequence[str]) -> np.ndarray:
    """The scikit-learn models' blended decision: what ``Model.decision`` must reproduce."""
    decision = _linear_decision(blend.debates, sentences)
    if blend.claimbuster is not None and blend.claimbuster_weight:
        decision = decision + blend.claimbuster_weight * _linear_decision(
            blend.claimbuster, sentences
        )
    return decision


def _export_linear(fitted: Fitted, prefix: str) -> tuple[dict[str, np.ndarray], dict]:
    vocabulary: dict[str, int] = fitted.vectorizer.vocabulary_
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    if any("\n" in t for t in terms):
        raise ValueError("a term contains a newline; the term list is newline-separated")
    n_terms = len(terms)
    coef = fitted.classifier.coef_.ravel()
    meta = {
        "intercept": float(fitted.classifier.intercept_[0]),
        "hand_weight": HAND_WEIGHT,
        "hand_features": list(
            HAND_FEATURES + KIND_FEATURES if fitted.with_kinds else HAND_FEATURES
        ),
        "with_kinds": fitted.with_kinds,
    }
    arrays = {
        "terms": np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
        "idf": fitted.vectorizer.idf_.astype(np.float32),
        "term_coef": coef[:n_terms].astype(np.float32),
        "hand_mean": fitted.scaler.mean_.astype(np.float32),
        "hand_scale": fitted.scaler.scale_.astype(np.float32),
        "hand_coef": coef[n_terms:].astype(np.float32),
    }
    return {prefix + key: value for key, value in arrays.items()}, meta


def export(blend: Blend) -> dict[str, np.ndarray]:
    """The arrays ``checkworthiness.Model`` reads; terms in vocabulary-index order."""
    arrays, debates_meta = _export_linear(blend.debates, "debates.")
    meta = {
        "version": VERSION,
        "debates": debates_meta,
        "claimbuster_weight": blend.claimbuster_weight,
        "prior_logit": blend.debates.prior_logit,
        "context_window": CONTEXT_WINDOW,
        "context_weight": CONTEXT_WEIGHT,
    }
    if blend.claimbuster is not None:
        extra, meta["claimbuster"] = _export_linear(blend.claimbuster, "claimbuster.")
        arrays.update(extra)
    arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8)
    return arrays


def save_weights(arrays: dict[str, np.ndarray], path: Path) -> None:
    """Write an ``.npz`` byte for byte the same on every run (fixed zip timestamps)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            array = np.ascontiguousarray(arrays[name])
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


# --- rankers and leave-one-document-out CV --------------------------------

# A ranker trains on some documents and scores the sentences of another.
Ranker = Callable[[Sequence[Document], Document], np.ndarray]


def refitted(
    claimbuster: Path, train: Sequence[Document], test: Document, with_kinds: bool = True
) -> Model:
    """v3's blend (v2's, without kinds) fitted on ``train`` and the ClaimBuster rows of
    ``claimbuster`` less any line of ``test``, as the production scorer."""
    rows = without(load_claimbuster(claimbuster), test.sentences)
    return Model(export(fit_blend(train, rows, with_kinds=with_kinds)))


def _blended(
    claimbuster: Path, with_kinds: bool, train: Sequence[Document], test: Document
) -> np.ndarray:
    return refitted(claimbuster, train, test, with_kinds).probabilities(test.sentences)


def ours(claimbuster: Path = DEFAULT_CLAIMBUSTER) -> Ranker:
    """Our model (v3), scored through the numpy inference path exactly as in production.

    Its ClaimBuster rows are read from ``claimbuster``, less any line of the test document.
    """
    return functools.partial(_blended, claimbuster, True)


def previous_v2(claimbuster: Path = DEFAULT_CLAIMBUSTER) -> Ranker:
    """The previous model's recipe (v2): ``ours`` without the kind one-hot."""
    return functools.partial(_blended, claimbuster, False)


def previous(train: Sequence[Document], test: Document) -> np.ndarray:
    """The first model's recipe (v1): the CLEF model alone, without the kind one-hot."""
    blend = fit_blend(train, None, with_kinds=False)
    return Model(export(blend)).probabilities(test.sentences)


def ngram_lr_baseline(train: Sequence[Document], test: Document) -> np.ndarray:
    """Word 1-2 and character 2-5 gram tf-idf, logistic regression (the comparison point)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    sentences = [s for doc in train for s in doc.sentences]
    vectorizers = [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    ]
    features = sparse.hstack([v.fit_transform(sentences) for v in vectorizers], format="csr")
    labels = np.concatenate([doc.labels for doc in train])
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000)
    model.fit(features, labels)
    test_features = sparse.hstack([v.transform(test.sentences) for v in vectorizers], format="csr")
    return model.decision_function(test_features)


def clef_official_baseline(train: Sequence[Document], test: Document) -> np.ndarray:
    """The CLEF-2019 task's own n-gram baseline: unigram tf-idf, RBF SVM (C=10, gamma=0.1).

    It scored 0.121 MAP on the official test split, so its LOO-CV figure shows
    how far cross-validation on the training split runs above that split.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import SVC

    vectorizer = TfidfVectorizer(ngram_range=(1, 1))
    features = vectorizer.fit_transform([s for doc in train for s in doc.sentences])
    labels = np.concatenate([doc.labels for doc in train])
    svm = SVC(C=10, gamma=0.1, kernel="rbf", random_state=0).fit(features, labels)
    return svm.decision_function(vectorizer.transform(test.sentences))


def _random_scores(seed: int, train: Sequence[Document], test: Document) -> np.ndarray:
    digest = hashlib.sha256(f"{seed}:{test.name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little")).random(len(test.labels))


def random_ranking(seed: int) -> Ranker:
    """A ranker that ignores the text; seeded per document so runs repeat."""
    return functools.partial(_random_scores, seed)


# Worker processes are forked after this is set, so folds pass indices, not
# documents: pickling 18 documents' cached n-grams per fold would cost more than
# some of the fits.
_DOCS: Sequence[Document] = ()


def _fold(args: tuple[Ranker, int]) -> float:
    ranker, index = args
    test = _DOCS[index]
    train = [d for i, d in enumerate(_DOCS) if i != index]
    return average_precision(ranker(train, test), test.labels)


def _single_threaded_blas() -> None:
    # Multi-threaded BLAS makes these small fits several times slower, and with
    # two fold processes on two cores it thrashes: one thread per process.
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def leave_one_out(docs: Sequence[Document], ranker: Ranker, workers: int = 1) -> list[float]:
    """Average precision on each document, with the ranker trained on all the others."""
    global _DOCS
    for doc in docs:  # fill the feature caches once, before any fork
        doc.ngrams()
        doc.kinds()
    _DOCS = docs
    folds = [(ranker, i) for i in range(len(docs))]
    if workers <= 1:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return [_fold(f) for f in folds]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_single_threaded_blas
    ) as pool:
        return list(pool.map(_fold, folds))


# --- command line -----------------------------------------------------------


def train(data_dir: Path, claimbuster: Path, out: Path) -> dict[str, np.ndarray]:
    """Train on every document of ``data_dir`` and every ClaimBuster row; write ``out``."""
    docs = load_documents(data_dir)
    arrays = export(fit_blend(docs, load_claimbuster(claimbuster)))
    save_weights(arrays, out)
    return arrays


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of CLEF .tsv files")
    parser.add_argument(
        "--claimbuster", type=Path, default=DEFAULT_CLAIMBUSTER, help="ClaimBuster .tsv file"
    )
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH, help="weights file to write")
    args = parser.parse_args(argv)
    arrays = train(args.data, args.claimbuster, args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()[:16]
    terms = len(arrays["debates.idf"]) + len(arrays.get("claimbuster.idf", ()))
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, "
        f"{terms} terms, sha256 {digest})"
    )


if __name__ == "__main__":
    main()
