"""The pool-shape features tried for the static stage's trees and not adopted
(``bench/reranker_cv.py --experiment features``): each computes what it says, so the
benchmark's table can be trusted and reproduced."""

from __future__ import annotations

import numpy as np

from bench import reranker_cv
from factcheck.factchecks.features import Query, Record


def query_of(*terms: str) -> Query:
    return Query(frozenset(terms), frozenset(), frozenset(), frozenset(), None)


def column(rows: np.ndarray, name: str) -> list[float]:
    return rows[:, reranker_cv.SHAPE.index(name)].tolist()


def shape_of(
    query: Query,
    records: list[Record],
    bm25: list[float] | None = None,
    static_cosine: list[float] | None = None,
    lexical_pool: int = 30,
) -> np.ndarray:
    scores = np.array(bm25 if bm25 is not None else [1.0] * len(records), dtype=np.float32)
    cosine = None if static_cosine is None else np.array(static_cosine, dtype=np.float32)
    return reranker_cv.shape(query, records, scores, cosine, lexical_pool)


def test_static_rank_is_the_reciprocal_rank_by_static_cosine_within_the_pool() -> None:
    records = [Record(("a",), ()) for _ in range(4)]
    rows = shape_of(query_of("a"), records, static_cosine=[0.2, 0.9, 0.5, 0.9])
    # Ties keep pool order: the second candidate ranks before the fourth.
    assert column(rows, "static_rank") == [0.25, 1.0, np.float32(1 / 3), 0.5]
    assert column(shape_of(query_of("a"), records), "static_rank") == [0.0] * 4


def test_query_terms_counts_the_query_s_distinct_terms() -> None:
    records = [Record(("a",), ()), Record(("b",), ())]
    assert column(shape_of(query_of("a", "b", "c"), records), "query_terms") == [3.0, 3.0]
    assert column(shape_of(query_of("a"), records), "query_terms") == [1.0, 1.0]


def test_record_terms_counts_claim_and_headline_terms_once() -> None:
    records = [Record(("a", "b", "a"), ("b", "c")), Record(("a",), ())]
    assert column(shape_of(query_of("a"), records), "record_terms") == [3.0, 1.0]


def test_query_in_claim_and_in_title_are_read_apart() -> None:
    query = query_of("a", "b", "c", "d")
    records = [Record(("a", "b", "x"), ("c",)), Record(("x",), ("a", "b", "c"))]
    rows = shape_of(query, records)
    assert column(rows, "query_in_claim") == [0.5, 0.0]
    assert column(rows, "query_in_title") == [0.25, 0.75]


def test_shares_of_an_empty_query_are_zero() -> None:
    rows = shape_of(query_of(), [Record(("a",), ("b",))])
    assert column(rows, "query_in_claim") == column(rows, "query_in_title") == [0.0]


def test_from_bm25_marks_bm25_s_own_pool() -> None:
    records = [Record((t,), ()) for t in "abcd"]
    # BM25's own pool: its first two candidates with a score; the third is beyond it
    # and the fourth only a static neighbour.
    rows = shape_of(query_of("a"), records, bm25=[3.0, 2.0, 1.0, 0.0], lexical_pool=2)
    assert column(rows, "from_bm25") == [1.0, 1.0, 0.0, 0.0]
    rows = shape_of(query_of("a"), records, bm25=[3.0, 0.0, 0.0, 0.0], lexical_pool=2)
    assert column(rows, "from_bm25") == [1.0, 0.0, 0.0, 0.0]
