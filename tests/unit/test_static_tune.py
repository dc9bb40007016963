"""Tuning the static table on claims and their fact-checks (``static_tune``), and the
training script's cross-fitting of the static stage."""

from __future__ import annotations

import numpy as np
import pytest

from factcheck.factchecks import static, static_tune, training
from factcheck.factchecks.evaluation import Query
from factcheck.factchecks.matching import Candidate

# A tiny vocabulary: "physician" starts far from "doctor", and nothing says otherwise
# until a pair does.
WORDS = ["doctor", "physician", "car", "banana", "tax", "wombat", "unused"]
PIECES = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", *WORDS]
RECORDS = [
    Candidate("doc", "doctor car", ""),
    Candidate("banana", "banana tax", ""),
    Candidate("wombat", "wombat tax", ""),
]


def tiny_table() -> static.StaticTable:
    vectors = np.random.default_rng(18).normal(size=(len(WORDS), 8)).astype(np.float32)
    return static.StaticTable(static.vocabulary(PIECES), vectors, PIECES)


def tiny_pairs(table: static.StaticTable) -> static_tune.Pairs:
    texts = [f"{c.claim} {c.title}" for c in RECORDS]
    return static_tune.pairs(table, ["physician", "banana", "wombat"], texts, [[0], [1], [2]])


def test_the_gradient_is_the_loss_s_slope() -> None:
    table = tiny_table()
    data = tiny_pairs(table)
    vectors = table.vectors[: table.missing].astype(np.float64)
    _, grad = static_tune.loss_and_gradient(vectors, data, temperature=5.0)
    rng = np.random.default_rng(7)
    for _ in range(5):
        row, col = rng.integers(len(WORDS)), rng.integers(8)
        step = np.zeros_like(vectors)
        step[row, col] = 1e-5
        up = static_tune.loss_and_gradient(vectors + step, data, temperature=5.0)[0]
        down = static_tune.loss_and_gradient(vectors - step, data, temperature=5.0)[0]
        assert grad[row, col] == pytest.approx((up - down) / 2e-5, rel=1e-3, abs=1e-7)


def test_tuning_lowers_the_loss_and_leaves_unseen_tokens_alone() -> None:
    table = tiny_table()
    data = tiny_pairs(table)
    start = table.vectors[: table.missing]
    tuned, losses = static_tune.tune(start, data, steps=100, learning_rate=0.05, strength=0.1)
    assert losses[-1] < losses[0] / 2
    unused = WORDS.index("unused")
    np.testing.assert_array_equal(tuned[unused], start[unused])  # in no text: never moves
    assert np.abs(tuned - start).max() > 0.1


def test_a_strong_pull_keeps_the_start_table() -> None:
    table = tiny_table()
    start = table.vectors[: table.missing]
    tuned, _ = static_tune.tune(start, tiny_pairs(table), steps=100, strength=1e6)
    np.testing.assert_allclose(tuned, start, atol=1e-3)


def test_a_tuned_pair_ranks_its_match_first() -> None:
    table = tiny_table()
    query = [Query("q", "physician", frozenset({"doc"}))]
    texts = [f"{c.claim} {c.title}" for c in RECORDS]

    def rank_of_doc(t: static.StaticTable) -> int:
        index = static.StaticIndex(t, texts)
        cosines = index.vectors @ index.query("physician").vector
        return int((cosines > cosines[0]).sum())

    tuned, _ = static_tune.tuned(table, RECORDS, query, learning_rate=0.05, steps=100)
    assert rank_of_doc(tuned) == 0
    assert rank_of_doc(tuned) < rank_of_doc(table) or rank_of_doc(table) == 0
    # Stored as the package stores it: int8 rows, a scale each.
    rows = tuned.vectors[: tuned.missing]
    steps = rows / np.abs(rows).max(axis=1, keepdims=True) * 127
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-3)


def test_cross_fitting_tunes_each_fold_s_table_without_its_queries(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    seen: list[set[str]] = []

    def tuned(start, candidates, queries):  # type: ignore[no-untyped-def]
        seen.append({q.id for q in queries})
        return start, [0.0]

    monkeypatch.setattr(static_tune, "tuned", tuned)
    table = tiny_table()
    path = tmp_path / "untuned.npz"
    static.StaticTable.save(path, table.vectors[: table.missing], PIECES)
    queries = [Query(str(i), "physician", frozenset({"doc"})) for i in range(12)]
    folds = training.folds(RECORDS, queries, path)
    assert len(folds) == training.FOLDS
    held = [{q.id for q in fold.queries} for fold in folds]
    assert set().union(*held) == {q.id for q in queries}
    assert sum(len(h) for h in held) == len(queries)  # each query held out once
    for fold_queries, tuned_on in zip(held, seen, strict=True):
        assert not fold_queries & tuned_on
        assert fold_queries | tuned_on == {q.id for q in queries}


def test_without_the_untuned_table_every_query_reads_the_shipped_one() -> None:
    queries = [Query(str(i), "physician", frozenset({"doc"})) for i in range(3)]
    (fold,) = training.folds(RECORDS, queries, None)
    assert list(fold.queries) == queries and fold.table is static.load()


def test_each_fold_s_queries_are_matched_with_its_own_table() -> None:
    weights = {"static": {"features": ["bm25"], "mean": [0.0], "scale": [1.0], "coef": [1.0]}}
    weights["static"]["intercept"] = 0.0
    tables = [tiny_table(), tiny_table()]
    queries = [Query(str(i), "physician", frozenset({"doc"})) for i in range(4)]
    held = [training.Fold(queries[k::2], tables[k]) for k in range(2)]
    groups = training._groups(weights, queries, held)["static"]
    assert [list(q) for q, _ in groups] == [list(f.queries) for f in held]
    for (_, build), table in zip(groups, tables, strict=True):
        assert build(RECORDS).static.table is table


def test_kept_stages_stay_as_they_were_and_the_others_are_refitted() -> None:
    fitted = {"lexical": {"w": 2}, "static": {"w": 3}}
    before = {"lexical": {"w": 1}, "static": {"w": 0}, "semantic": {"w": 9}}
    written = training.with_kept(fitted, before, ["lexical"])
    assert written == {"lexical": {"w": 1}, "static": {"w": 3}, "semantic": {"w": 9}}
    assert list(written) == ["lexical", "static", "semantic"]  # the file's order holds


def test_nothing_kept_writes_what_was_fitted_and_no_empty_stage() -> None:
    fitted = {"lexical": {"w": 2}, "static": {"w": 3}, "semantic": {"w": 4}}
    assert training.with_kept(fitted, {}, [""]) == fitted
    assert training.with_kept({"lexical": {"w": 2}}, {}, ["static"]) == {"lexical": {"w": 2}}
