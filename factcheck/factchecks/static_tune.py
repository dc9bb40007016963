"""Fine-tune the static table on claims and their earlier fact-checks: build time only.

    python -m factcheck.factchecks.static_tune --start V1 [--data DIR] [--out PATH]

``static_build`` fits the table without labels (to MiniLM's sentence vectors). This
step then reads the training tweets' gold fact-checks: the table's rows move so
that a tweet's static vector comes closer to its fact-check's than to every other
record of the archive (a contrastive loss, InfoNCE, over the whole archive at once:
every record is a negative, the hardest ones included, so no negatives are mined),
held near the rows it started from by an L2 penalty so that words seen in few pairs
keep their meaning. Rows of tokens in no tweet and no record never move.

Texts are embedded as ``static.StaticIndex`` does at run time (the weighted mean of
their token rows, weights the archive's idf, at unit length). Full-batch Adam from
the start table: deterministic, so a rerun gives the same table (no seed to set);
about 35 s of CPU. numpy and scipy (the ``train`` extra). The re-ranker is fitted on
the same training tweets, so it is fitted out of fold (``training --untuned V1``).
Settings chosen on the dev tweets: docs/benchmarks.md, "Tuning the table".
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from factcheck.factchecks import static
from factcheck.factchecks.evaluation import (
    DEFAULT_DATA,
    Query,
    load_queries,
    load_verified_claims,
    with_their_twins,
)
from factcheck.factchecks.matching import Candidate
from factcheck.factchecks.static_build import design

TEMPERATURE = 10.0  # cosines times this are the logits; chosen on the dev tweets
STRENGTH = 1.0  # the L2 pull toward the start table, per query; chosen on the dev tweets
STEPS = 60
LEARNING_RATE = 0.003  # Adam's step, against rows of norm about 1


@dataclass(frozen=True)
class Pairs:
    """What the loss reads: the queries' and the records' token weights (one row per
    text, ``static_build.design``) and, per query, the positions of its gold records."""

    queries: object  # scipy.sparse.csr_matrix, texts x table rows
    records: object
    gold: Sequence[np.ndarray]


def pairs(
    table: static.StaticTable,
    queries: Sequence[str],
    records: Sequence[str],
    gold: Sequence[Sequence[int]],
) -> Pairs:
    """The ``Pairs`` of query texts, record texts and each query's gold positions."""
    weights = static.StaticIndex(table, records).weights
    return Pairs(
        design(table, queries, weights),
        design(table, records, weights),
        [np.asarray(g, dtype=np.int64) for g in gold],
    )


def _unit(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms, norms


def _unit_backward(grad: np.ndarray, unit: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """The gradient through x -> x / |x|."""
    return (grad - unit * (grad * unit).sum(axis=1, keepdims=True)) / norms


def loss_and_gradient(
    vectors: np.ndarray, data: Pairs, temperature: float = TEMPERATURE
) -> tuple[float, np.ndarray]:
    """The mean over queries of -log P(a gold record), P the softmax over the whole
    archive of the cosines times ``temperature``; and its gradient in the table."""
    q, q_norms = _unit(data.queries @ vectors)  # type: ignore[operator]
    r, r_norms = _unit(data.records @ vectors)  # type: ignore[operator]
    logits = temperature * (q @ r.T)
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    grad = p  # d loss / d logits, per query: softmax minus the softmax among its golds
    loss = 0.0
    for i, gold in enumerate(data.gold):
        share = p[i, gold].sum()
        loss -= np.log(max(share, 1e-30))
        grad[i, gold] -= p[i, gold] / max(share, 1e-30)
    n = len(data.gold)
    grad *= temperature / n
    dq = _unit_backward(grad @ r, q, q_norms)
    dr = _unit_backward(grad.T @ q, r, r_norms)
    return loss / n, data.queries.T @ dq + data.records.T @ dr  # type: ignore[attr-defined]


def tune(
    start: np.ndarray,
    data: Pairs,
    steps: int = STEPS,
    learning_rate: float = LEARNING_RATE,
    strength: float = STRENGTH,
    temperature: float = TEMPERATURE,
) -> tuple[np.ndarray, list[float]]:
    """The table after ``steps`` of Adam on the contrastive loss plus ``strength`` /
    the number of queries times |table - start|^2; and the contrastive loss at
    each step."""
    vectors = start.astype(np.float64).copy()
    first, second = np.zeros_like(vectors), np.zeros_like(vectors)
    pull = strength / max(len(data.gold), 1)
    losses = []
    for step in range(1, steps + 1):
        loss, grad = loss_and_gradient(vectors, data, temperature)
        losses.append(loss)
        grad = grad + 2 * pull * (vectors - start)
        first = 0.9 * first + 0.1 * grad
        second = 0.999 * second + 0.001 * grad * grad
        moved = first / (1 - 0.9**step) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
        vectors -= learning_rate * moved
    return vectors.astype(np.float32), losses


def tuned(
    start: static.StaticTable,
    candidates: Sequence[Candidate],
    queries: Sequence[Query],
    **settings: float,
) -> tuple[static.StaticTable, list[float]]:
    """``start`` tuned on the queries' gold records (and the records that say the
    same, which the matcher cannot tell apart), as ``save`` would store it; and the
    contrastive loss at each step. ``settings``: ``tune``'s, if not the defaults."""
    position = {c.id: i for i, c in enumerate(candidates)}
    queries = with_their_twins(candidates, queries)
    data = pairs(
        start,
        [q.text for q in queries],
        [f"{c.claim} {c.title}" for c in candidates],  # as the matcher embeds them
        [[position[g] for g in q.gold if g in position] for q in queries],
    )
    vectors, losses = tune(start.vectors[: start.missing], data, **settings)  # type: ignore[arg-type]
    return start.with_rows(vectors), losses


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CLEF-2020 Task 2")
    parser.add_argument(
        "--start",
        type=Path,
        required=True,
        help="the table fitted without labels (static_build --fit-on DATA --out PATH)",
    )
    parser.add_argument("--out", type=Path, default=static.TABLE_PATH)
    args = parser.parse_args(argv)
    start = static.StaticTable.load(args.start)
    table, losses = tuned(start, load_verified_claims(args.data), load_queries("train", args.data))
    static.StaticTable.save(args.out, table.vectors[: table.missing], table.pieces)
    size = args.out.stat().st_size
    print(f"loss {losses[0]:.3f} -> {losses[-1]:.3f}; wrote {args.out}: {size:,} bytes")


if __name__ == "__main__":
    main()
