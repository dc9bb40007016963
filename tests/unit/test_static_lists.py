"""The static stage's inverted file: a large archive's nearest records by static cosine
searched in the lists nearest to the query, a small archive's over every record."""

from __future__ import annotations

import numpy as np
import pytest

from factcheck.factchecks import lexical, saved, static
from factcheck.factchecks.matching import Matcher
from tests.unit.test_matcher_index import META, QUERIES, claims

K = 10  # neighbours asked for, as matching.STATIC


@pytest.fixture(scope="module")
def table() -> static.StaticTable:
    loaded = static.load()
    assert loaded is not None, "the table is package data"
    return loaded


def texts() -> list[str]:
    # Some records twice, so that neighbours tie and the tie rule counts.
    records = [f"{c.claim} {c.title}" for c in claims()]
    return records + records[::-1][:30]


def exact(index: static.StaticIndex, vector: np.ndarray) -> list[int]:
    return lexical.best_first(index.vectors @ vector + 2.0, K).tolist()


def with_lists(table: static.StaticTable, monkeypatch: pytest.MonkeyPatch) -> static.StaticIndex:
    monkeypatch.setattr(static, "IVF_MIN", 1)
    index = static.StaticIndex(table, texts())
    assert len(index.centroids) > 1, "the archive is split into lists"
    return index


def test_searching_every_list_finds_the_exact_neighbours(table, monkeypatch) -> None:
    index = with_lists(table, monkeypatch)
    every = len(index.centroids)
    # "!!!" has no tokens: its zero vector ties with every record, the first ones win.
    for query in [*QUERIES, *texts()[:5], "!!!"]:
        vector = index.query(query).vector
        assert index.nearest(vector, K, every).tolist() == exact(index, vector)


def test_one_list_searched_gives_only_that_lists_records(table, monkeypatch) -> None:
    index = with_lists(table, monkeypatch)
    vector = index.query(QUERIES[0]).vector
    best = int(np.argmax(index.centroids @ vector))
    members = index.members[index.list_starts[best] : index.list_starts[best + 1]]
    found = index.nearest(vector, K, 1)
    assert len(found) and set(found.tolist()) <= set(members.tolist())
    assert len(members) < len(texts())


def test_an_archive_below_the_threshold_is_scanned_whole(table, monkeypatch) -> None:
    # Just below: no lists, and one list probed still finds the exact neighbours ...
    monkeypatch.setattr(static, "IVF_MIN", len(texts()) + 1)
    small = static.StaticIndex(table, texts())
    assert small.centroids.shape == (0, table.dims) and len(small.members) == 0
    # ... where the same archive at the threshold, with lists, misses some.
    monkeypatch.setattr(static, "IVF_MIN", len(texts()))
    large = static.StaticIndex(table, texts())
    assert len(large.centroids) > 1
    missed = 0
    for query in [*QUERIES, *texts()[:40]]:
        vector = small.query(query).vector
        assert small.nearest(vector, K, 1).tolist() == exact(small, vector)
        missed += large.nearest(vector, K, 1).tolist() != exact(large, vector)
    assert missed > 0


def test_the_default_threshold_keeps_ordinary_archives_exact(table) -> None:
    assert static.IVF_MIN >= 100_000
    index = static.StaticIndex(table, texts())
    assert len(index.centroids) == 0


def test_the_lists_are_built_the_same_every_time(table, monkeypatch) -> None:
    first, second = with_lists(table, monkeypatch), with_lists(table, monkeypatch)
    for name in ("centroids", "members", "list_starts"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert sorted(first.members.tolist()) == list(range(len(texts())))


def test_a_saved_index_with_lists_answers_as_the_built_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(static, "IVF_MIN", 1)
    monkeypatch.setattr(static, "NPROBE", 2)  # few lists: their answers differ from a scan
    archive = claims()
    fresh = Matcher.build(archive)
    path = tmp_path / "index.bin"
    saved.write(path, iter(archive), META)
    loaded = saved.read(path, META)
    assert fresh.static is not None and loaded.static is not None
    assert len(loaded.static.centroids) > 2
    for name, values in fresh.static.arrays().items():
        np.testing.assert_array_equal(getattr(loaded.static, name), values)
    for query in QUERIES:
        vector = fresh.static.query(query).vector
        np.testing.assert_array_equal(
            loaded.static.nearest(vector, 10), fresh.static.nearest(vector, 10)
        )
        assert loaded.match(query, top=10) == fresh.match(query, top=10)


def test_lists_that_disagree_with_the_records_are_unusable(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(static, "IVF_MIN", 1)
    path = tmp_path / "index.bin"
    good = saved.build(iter(claims()))
    members, starts = good["static.members"], good["static.list_starts"]
    for name, broken in (("static.members", members[:-1]),
                         ("static.members", members + len(members)),
                         ("static.list_starts", starts[::-1]),
                         ("static.centroids", good["static.centroids"][:, :-1])):  # fmt: skip
        saved.save(path, {**good, name: broken}, META)
        with pytest.raises(saved.Unusable, match="static"):
            saved.read(path, META)
    saved.save(path, good, META)
    assert len(saved.read(path, META).static.centroids) > 1
