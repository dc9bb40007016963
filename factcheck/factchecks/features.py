"""What the re-ranker knows about a (query, candidate) pair, as numbers.

Each feature says something a reviewer would check: how well the words match
(BM25, and how much of the earlier claim the query covers), whether the numbers
and the names agree, whether the dates fit, and how close the meanings are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from factcheck.factchecks import text

NAMES = (
    "bm25",
    "bm25_of_best",
    "bm25_gap",
    "reciprocal_rank",
    "claim_covered",
    "title_covered",
    "query_covered",
    "bigrams",
    "numbers_shared",
    "numbers_missing",
    "names_shared",
    "names_missing",
    "year_shared",
    "cosine",
    "cosine_of_best",
    "static_cosine",
    "static_cosine_of_best",
    "static_soft",
    "static_soft_of_best",
)


@dataclass(frozen=True)
class Query:
    """A query read once: its terms, bigrams, numbers, names and date."""

    terms: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    numbers: frozenset[str]
    names: frozenset[str]
    year: str | None

    @classmethod
    def read(cls, query: str) -> Query:
        terms = text.terms(query)
        date = text.tweet_date(query)
        years = {t for t in terms if len(t) == 4 and t.isdigit()} | ({date[1]} if date else set())
        return cls(
            terms=frozenset(terms),
            bigrams=frozenset(pairwise(terms)),
            numbers=frozenset(t for t in terms if text.is_number(t)),
            names=frozenset(text.names(query)),
            year=max(years) if years else None,
        )


@dataclass(frozen=True)
class Record:
    """A verified claim's terms, kept at build time for the re-ranker."""

    claim: tuple[str, ...]
    title: tuple[str, ...]

    @classmethod
    def read(cls, claim: str, title: str) -> Record:
        return cls(tuple(text.terms(claim)), tuple(text.terms(title)))

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(self.claim + self.title)


def _covered(part: Sequence[str], terms: frozenset[str]) -> float:
    return sum(t in terms for t in part) / len(part) if part else 0.0


def _pair(query: Query, record: Record) -> list[float]:
    terms = record.terms
    bigrams = set(pairwise(record.claim))
    bigrams |= set(pairwise(record.title))
    numbers = {t for t in terms if text.is_number(t)}
    return [
        _covered(record.claim, query.terms),
        _covered(record.title, query.terms),
        _covered(tuple(query.terms), terms),
        float(min(len(query.bigrams & bigrams), 5)),
        float(len(query.numbers & numbers)),
        float(len(query.numbers - numbers) > 0 and len(numbers - query.numbers) > 0),
        float(len(query.names & terms)),
        float(len(query.names - terms)) / max(len(query.names), 1),
        float(query.year is not None and query.year in terms),
    ]


_LEXICAL = NAMES.index("cosine")  # the columns before the dense ones


def _with_gap(cosine: np.ndarray | None, size: int) -> np.ndarray:
    """Two columns: a similarity (zero when not computed) and its gap to the pool's best."""
    cos = cosine if cosine is not None else np.zeros(size, dtype=np.float32)
    best = float(cos.max()) if len(cos) else 0.0
    return np.column_stack([cos, cos - best]).astype(np.float32)


def matrix(
    query: Query,
    records: Sequence[Record],
    bm25: np.ndarray,
    cosine: np.ndarray | None,
    static_cosine: np.ndarray | None = None,
    static_soft: np.ndarray | None = None,
) -> np.ndarray:
    """One row of ``NAMES`` per candidate; candidates come best BM25 first."""
    best = float(bm25[0]) if len(bm25) else 1.0
    rows = [
        [
            float(score),
            float(score) / best if best else 0.0,
            best - float(score),
            1.0 / (rank + 1),
            *_pair(query, record),
        ]
        for rank, (record, score) in enumerate(zip(records, bm25, strict=True))
    ]
    lexical = np.array(rows, dtype=np.float32).reshape(len(records), _LEXICAL)
    dense = [_with_gap(c, len(records)) for c in (cosine, static_cosine, static_soft)]
    return np.hstack([lexical, *dense])
