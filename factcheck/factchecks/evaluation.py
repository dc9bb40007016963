"""The CLEF-2020 CheckThat! Task 2 data and its metrics (MAP@5, P@1, MRR), and what
the connector's thresholds do, also to queries whose fact-check is not in the archive.

Used by the bench and by the re-ranker's training script; the data stays in the
shared folder (``../shared/data/claim-matching/clef2020-task2``).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from factcheck.factchecks import features
from factcheck.factchecks.matching import Candidate, Match, Matcher

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


# --- open world: queries whose fact-check is not in the archive ------------------------


def with_their_twins(candidates: Sequence[Candidate], queries: Sequence[Query]) -> list[Query]:
    """The queries with, as gold too, the records that say the same as a gold one (the
    same terms in claim and headline: the archive holds 185 such pairs, which differ
    only in their quotation marks; the matcher gives them the same score)."""
    records = [features.Record.read(c.claim, c.title) for c in candidates]
    ids_of: dict[features.Record, set[str]] = {}
    for candidate, record in zip(candidates, records, strict=True):
        ids_of.setdefault(record, set()).add(candidate.id)
    record_of = dict(zip((c.id for c in candidates), records, strict=True))
    twins = [(ids_of[record_of[g]] for g in q.gold if g in record_of) for q in queries]
    return [
        replace(q, gold=frozenset().union(q.gold, *t)) for q, t in zip(queries, twins, strict=True)
    ]


def matches_without_gold(
    candidates: Sequence[Candidate],
    queries: Sequence[Query],
    build: Callable[[list[Candidate]], Matcher],
    top: int,
    folds: int = 5,
) -> list[list[Match]]:
    """Each query's ``top`` matches against the archive without its gold records, as
    for a claim nobody has checked before. The queries go in ``folds`` groups, and each
    group is matched against one archive built without all of the group's gold
    records (a few dozen of ten thousand): a build per group, not per query."""
    found: list[list[Match]] = [[] for _ in queries]
    for fold in range(folds):
        group = range(fold, len(queries), folds)
        gold = frozenset().union(*(queries[i].gold for i in group))
        matcher = build([c for c in candidates if c.id not in gold])
        for i in group:
            found[i] = matcher.match(queries[i].text, top=top)
    return found


@dataclass(frozen=True)
class Thresholds:
    """What the two thresholds do, as the verified_claims connector applies them: it
    keeps (at most ``top_k`` of) the matches at ``keep`` or above and calls the first
    kept one strong at ``strong`` or above. Measured on queries whose fact-check is in
    the archive, and on the same queries with it taken out (any match is then wrong)."""

    keep: float
    strong: float
    kept_precision: float  # kept matches that are the gold one
    kept_recall: float  # queries with their gold match kept
    strong_precision: float  # strong matches that are the gold one
    strong_recall: float  # queries whose gold match is the strong one
    kept_false_alarms: float  # queries without their fact-check that get a match kept
    strong_false_alarms: float  # ... or a strong one


def at_thresholds(
    found: Sequence[tuple[Sequence[Match], frozenset[str]]],
    missing: Sequence[Sequence[Match]],
    keep: float,
    strong: float,
    top_k: int,
    sure: tuple[Sequence[Mapping[str, float]], Sequence[Mapping[str, float]]] | None = None,
) -> Thresholds:
    """``found``: each query's matches (best first) with its gold ids, the gold in the
    archive; ``missing``: each query's matches, its gold taken out of the archive.
    ``sure``: for each query of ``found`` and of ``missing``, another model's
    probability of each record; given, the first kept match is strong when its
    record's is at ``strong`` or above (the connector's rule, ``matching.strong``)."""
    sure_found, sure_missing = sure or ([None] * len(found), [None] * len(missing))
    kept = [(_kept(matches, keep, top_k), gold) for matches, gold in found]
    strong_ids = [
        (ms[0].id, gold)
        for (ms, gold), other in zip(kept, sure_found, strict=True)
        if _is_strong(ms, other, strong)
    ]
    right_kept = sum(m.id in gold for ms, gold in kept for m in ms)
    right_strong = sum(i in gold for i, gold in strong_ids)
    kept_missing = [_kept(matches, keep, top_k) for matches in missing]
    return Thresholds(
        keep=keep,
        strong=strong,
        kept_precision=_share(right_kept, sum(len(ms) for ms, _ in kept)),
        kept_recall=_share(sum(any(m.id in gold for m in ms) for ms, gold in kept), len(found)),
        strong_precision=_share(right_strong, len(strong_ids)),
        strong_recall=_share(right_strong, len(found)),
        kept_false_alarms=_share(sum(bool(ms) for ms in kept_missing), len(missing)),
        strong_false_alarms=_share(
            sum(
                _is_strong(ms, other, strong)
                for ms, other in zip(kept_missing, sure_missing, strict=True)
            ),
            len(missing),
        ),
    )


def _is_strong(kept: Sequence[Match], sure: Mapping[str, float] | None, strong: float) -> bool:
    if not kept:
        return False
    if sure is None:
        return kept[0].probability >= strong
    return sure.get(kept[0].id, 0.0) >= strong


def _kept(matches: Sequence[Match], keep: float, top_k: int) -> list[Match]:
    return [m for m in matches if m.probability >= keep][:top_k]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
