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


# --- issue 18, second round (``--experiment more``): the month, the pools' sizes ---

SIGNED = "Migrants held under a bridge — Nick Miroff (@NickMiroff) March 27, 2019"


def test_month_shared_needs_the_tweet_s_month_and_year_in_the_record() -> None:
    records = [
        Record.read("Migrants were housed under a bridge in March 2019.", ""),
        Record.read("Migrants were housed under a bridge in March 2018.", ""),
        Record.read("Migrants were housed under a bridge in 2019.", "In March?"),
        Record.read("Migrants were housed under a bridge in April 2019.", ""),
        Record.read("Migrants were housed under a bridge.", ""),
    ]
    assert reranker_cv.month_shared(SIGNED, records).tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]


def test_month_shared_is_zero_without_a_signature() -> None:
    records = [Record.read("Something happened in March 2019.", "")]
    assert reranker_cv.month_shared("Something happened in March 2019", records).tolist() == [0.0]
    assert reranker_cv.month_shared(SIGNED, records).tolist() == [1.0]


def test_with_month_adds_one_column_per_query_s_rows() -> None:
    from factcheck.factchecks.evaluation import Query as Tweet

    records = [Record.read("In March 2019", ""), Record.read("In April 2019", "")]
    queries = [Tweet("q0", "Nothing dated", frozenset()), Tweet("q1", SIGNED, frozenset())]
    pools = reranker_cv.Pools(
        rows=np.zeros((4, 2), dtype=np.float32),
        labels=np.zeros(4, dtype=np.int64),
        query=np.array([0, 0, 1, 1]),
        position=np.array([0, 1, 1, 0]),
    )
    widened = reranker_cv.with_month(pools, queries, records)
    assert widened.rows.shape == (4, 3)
    assert widened.rows[:, -1].tolist() == [0.0, 0.0, 0.0, 1.0]


def test_sized_matcher_pools_bm25_s_lexical_k_best() -> None:
    from factcheck.factchecks.features import Query as Read
    from factcheck.factchecks.matching import Candidate

    candidates = [Candidate(str(i), f"apple pie number {i}") for i in range(40)]
    matcher = reranker_cv._Sized(candidates, paraphrase=False)
    query = Read.read("apple pie")
    assert len(matcher.retrieve(query)[0]) == 30
    try:
        reranker_cv._Sized.lexical_k = 35
        assert len(matcher.retrieve(query)[0]) == 35
    finally:
        reranker_cv._Sized.lexical_k = 30


def test_misses_sorts_the_gold_s_places_into_the_four_classes() -> None:
    found = reranker_cv.misses([0, 0, 1, 4, 5, 29, None])
    assert found == {"first": 2, "2nd to 5th": 2, "below 5th": 2, "not in the pool": 1}
