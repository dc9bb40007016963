"""Does a dense sentence vector help the opinion model? A leave-one-document-out comparison.

Run from the repository root (needs scikit-learn, the ``train`` extra):

    .venv/bin/python bench/kinds_dense.py [--table PATH]

Three feature sets for the logistic regression of ``factcheck.claims.opinion``, fixed
before any score was seen (docs/benchmarks.md, "Claim kinds", December 2026):

- (a) the current features (words, first word, the rules' kind and cues, lexicon counts);
- (b) (a) plus the sentence's mean static MiniLM vector (``factcheck.factchecks.static``,
  the plain mean of its tokens' rows), at unit length times a scale;
- (c) that vector, scaled, plus the rules' kind and cues only.

Each recipe is scored by leave-one-document-out over the ``train`` and ``dev`` documents
(never ``test`` or ``test2``), twice: S1, the score of ``opinion_training --select`` (the
mean of the pooled checkable F1 over all sentences and over the development ones), and
S2, the pooled checkable F1 over the modern-comment training documents (The
Conversation). A dense recipe is adopted only if it beats the current one (a, C 1,
threshold 0.8) on both.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck.claims.kinds import refined  # noqa: E402
from factcheck.claims.opinion_training import Example, examples  # noqa: E402
from factcheck.factchecks.static import TABLE_PATH, StaticTable  # noqa: E402
from tests.kinds_data import evaluate, sentences  # noqa: E402

C_GRID = (0.3, 1.0, 3.0)
SCALE_GRID = (1.0, 3.0, 10.0)
THRESHOLD_GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
CURRENT = ("a", 1.0, 0.0, 0.8)  # features, C, scale, threshold as shipped
MODERN_PREFIXES = ("conversation-", "voa-")


def sentence_vectors(table: StaticTable, data: Sequence[Example]) -> np.ndarray:
    """Each sentence's plain mean of token rows, at unit length (zero without tokens)."""
    ones = np.ones(table.missing + 1, dtype=np.float32)
    return np.vstack([table.embed(table.rows(e.row.sentence), ones) for e in data])


def names(example: Example, variant: str) -> list[str]:
    if variant == "c":
        return [f for f in example.features if f.startswith(("kind:", "cue:"))]
    return example.features


def design(data: Sequence[Example], variant: str, vectors: np.ndarray, scale: float):
    """The sparse binary features of ``variant`` with the scaled dense columns appended."""
    from scipy.sparse import csr_matrix, hstack

    vocabulary: dict[str, int] = {}
    for example in data:
        for name in names(example, variant):
            vocabulary.setdefault(name, len(vocabulary))
    rows, columns = [], []
    for i, example in enumerate(data):
        for column in sorted({vocabulary[f] for f in names(example, variant)}):
            rows.append(i)
            columns.append(column)
    binary = csr_matrix(([1.0] * len(rows), (rows, columns)), shape=(len(data), len(vocabulary)))
    if variant == "a":
        return binary
    return hstack([binary, csr_matrix(vectors * scale)]).tocsr()


def lodo(data: Sequence[Example], matrix, c: float) -> np.ndarray:
    """Each sentence's probability of "not checkable" from a fit without its document.

    Features seen only in the held-out document get a zero weight, as in
    ``opinion_training.leave_one_document_out`` (a column with no training rows is
    zero-weighted by the L2 fit)."""
    from sklearn.linear_model import LogisticRegression

    labels = np.array([e.not_checkable for e in data])
    documents = np.array([e.row.document for e in data])
    probabilities = np.zeros(len(data))
    for document in sorted(set(documents)):
        held = documents == document
        regression = LogisticRegression(C=c, solver="lbfgs", max_iter=5000, tol=1e-8)
        regression.fit(matrix[~held], labels[~held])
        probabilities[held] = regression.predict_proba(matrix[held])[:, 1]
    return probabilities


def scores(data: Sequence[Example], kinds: Sequence[str]) -> tuple[float, float, float, float]:
    """S1 (with its two halves: all sentences, development) and S2 (modern comment, train)."""
    development = {row.document for row in sentences("dev")}
    modern = {
        row.document for row in sentences("train") if row.document.startswith(MODERN_PREFIXES)
    }

    def f1(keep: set[str] | None) -> float:
        chosen = [i for i, e in enumerate(data) if keep is None or e.row.document in keep]
        return evaluate([data[i].row for i in chosen], [kinds[i] for i in chosen]).checkable[2]

    pooled, dev = f1(None), f1(development)
    return (pooled + dev) / 2, pooled, dev, f1(modern)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, default=TABLE_PATH, help="static table (.npz)")
    args = parser.parse_args()
    data = examples()
    vectors = sentence_vectors(StaticTable.load(args.table), data)
    documents = len({e.row.document for e in data})
    print(f"{len(data)} sentences, {documents} documents, table {args.table.name}")
    print("variant C scale threshold: S1 (all, development) S2")
    base = scores(data, [e.kind for e in data])
    print(f"rules alone: S1 {base[0]:.3f} ({base[1]:.3f}, {base[2]:.3f}) S2 {base[3]:.3f}")
    results = {}
    for variant in ("a", "b", "c"):
        for scale in SCALE_GRID if variant != "a" else (0.0,):
            matrix = design(data, variant, vectors, scale)
            for c in C_GRID:
                probabilities = lodo(data, matrix, c)
                for threshold in THRESHOLD_GRID:
                    kinds = [
                        refined(e.kind, p, threshold)
                        for e, p in zip(data, probabilities, strict=True)
                    ]
                    s1, pooled, dev, s2 = scores(data, kinds)
                    results[(variant, c, scale, threshold)] = (s1, s2)
                    mark = " (current)" if (variant, c, scale, threshold) == CURRENT else ""
                    print(
                        f"{variant} C {c} scale {scale} threshold {threshold}: "
                        f"S1 {s1:.3f} ({pooled:.3f}, {dev:.3f}) S2 {s2:.3f}{mark}",
                        flush=True,
                    )
    choose(results)


def choose(results: dict[tuple[str, float, float, float], tuple[float, float]]) -> None:
    """The pre-registered rule: among the dense recipes that beat the current one on both
    S1 and S2, the highest S1 + S2; none, and the current recipe stays."""
    s1, s2 = results[CURRENT]
    better = {
        recipe: (a, b)
        for recipe, (a, b) in results.items()
        if recipe[0] != "a" and a > s1 and b > s2
    }
    print(f"\n{len(better)} dense recipes beat the current one on both S1 and S2")
    ranked = sorted(better.items(), key=lambda item: -sum(item[1]))
    for (variant, c, scale, threshold), (a, b) in ranked[:10]:
        print(f"{variant} C {c} scale {scale} threshold {threshold}: S1+S2 {a + b:.4f}")
    for variant in ("b", "c"):
        best = max((r for r in results if r[0] == variant), key=lambda r: sum(results[r]))
        print(f"best {variant} by S1+S2 (ignoring the rule): {best} {results[best]}")


if __name__ == "__main__":
    main()
