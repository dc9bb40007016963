"""The CLEF-2020 CheckThat! Task 2 data and its metrics (MAP@5, P@1, MRR).

Used by the bench and by the re-ranker's training script; the data stays in the
shared folder (``../shared/data/claim-matching/clef2020-task2``).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from factcheck.factchecks.matching import Candidate

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = Path(
    os.environ.get("FACTCHECK_CLAIM_MATCHING_DATA")
    or REPO_ROOT / ".." / "shared" / "data" / "claim-matching" / "clef2020-task2"
)


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    gold: frozenset[str]


def load_verified_claims(data_dir: Path = DEFAULT_DATA) -> list[Candidate]:
    with (data_dir / "verified_claims.docs.tsv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return [Candidate(id=row[0], claim=row[1], title=row[2]) for row in rows[1:]]


def load_queries(split: str, data_dir: Path = DEFAULT_DATA) -> list[Query]:
    """The tweets of ``train`` or ``dev`` with their gold verified-claim ids."""
    gold: dict[str, set[str]] = {}
    for line in (data_dir / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        if line.strip():
            tweet_id, _, claim_id, _ = line.split()
            gold.setdefault(tweet_id, set()).add(claim_id)
    with (data_dir / split / "tweets.queries.tsv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return [Query(row[0], row[1], frozenset(gold.get(row[0], ()))) for row in rows[1:]]


def average_precision_at(ranked: Sequence[str], gold: frozenset[str], k: int = 5) -> float:
    """As the task's scorer: precision at each hit in the top k, over the number of golds."""
    hits, total = 0, 0.0
    for rank, claim_id in enumerate(ranked[:k], start=1):
        if claim_id in gold:
            hits += 1
            total += hits / rank
    return total / len(gold) if gold else 0.0


def reciprocal_rank(ranked: Sequence[str], gold: frozenset[str]) -> float:
    return next((1 / rank for rank, c in enumerate(ranked, start=1) if c in gold), 0.0)


@dataclass(frozen=True)
class Scores:
    map5: float
    p1: float
    mrr: float


def evaluate(runs: Sequence[tuple[Sequence[str], frozenset[str]]]) -> Scores:
    """MAP@5, P@1 and MRR of ranked id lists against their gold sets."""
    n = max(len(runs), 1)
    return Scores(
        map5=sum(average_precision_at(r, g) for r, g in runs) / n,
        p1=sum(bool(r) and r[0] in g for r, g in runs) / n,
        mrr=sum(reciprocal_rank(r, g) for r, g in runs) / n,
    )
