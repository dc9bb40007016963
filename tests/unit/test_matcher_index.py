"""The matcher's index kept on disk: the same matches as a fresh build, a stale or
damaged file built again, withdrawn records never served, one builder at a time, and a
worker that loads it as it starts."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import numpy as np
import pytest

from factcheck.db import Database
from factcheck.factchecks import features, index, matching, saved, static
from factcheck.factchecks import services as archive
from factcheck.factchecks.formats import Record
from factcheck.factchecks.matching import Candidate, Matcher
from factcheck.sources.connectors import ClaimQuery
from factcheck.sources.verified_claims import VerifiedClaimsConnector
from tests import factories

WHO = ["The governor", "Senator Smith", "The city council", "A new study", "Farmers in Iowa",
       "The central bank", "Police in Ohio", "The health minister"]  # fmt: skip
DID = ["cut", "raised", "banned", "doubled", "hid", "approved"]
WHAT = ["taxes on fuel", "school budgets", "vaccine trials", "imports of steel",
        "wages for nurses", "the price of bread"]  # fmt: skip
QUERIES = [
    "Smith raised fuel taxes by 12 per cent",
    "Iowa farmers banned steel imports in 2019!",
    "the health minister hid the vaccine trials",
    "Did the central bank double the price of bread?",
    "nothing in common whatsoever",
]


def claims() -> list[Candidate]:
    """Records that share words in many ways, so that a query's pool is a crowd."""
    out = []
    for i, (who, did, what) in enumerate((w, d, t) for w in WHO for d in DID for t in WHAT):
        claim = f"{who} {did} {what} by {i % 40 + 2}% in {2000 + i % 25}."
        out.append(Candidate(f"c{i}", claim, f"Did {who.lower()} {did} {what}?"))
    return out


META = {"revision": ["1", "2026-12-06 21:00:00"]}


def test_the_saved_index_gives_the_same_matches_as_a_fresh_build(tmp_path):
    archive_ = claims()
    fresh = Matcher.build(archive_)
    path = tmp_path / "index.bin"
    assert saved.write(path, iter(archive_), META) == len(archive_)
    loaded = saved.read(path, META)
    assert len(loaded) == len(fresh) == len(archive_)
    for query in QUERIES:
        assert loaded.match(query, top=10) == fresh.match(query, top=10)
    assert fresh.match(QUERIES[0])[0].id == loaded.match(QUERIES[0])[0].id  # not empty
    assert [loaded.candidates[i] for i in (0, 5, -1)] == [archive_[i] for i in (0, 5, -1)]
    assert (loaded.index.weights == fresh.index.weights).all()
    # The default stage, static, is read back too, with its own re-ranker and calibration.
    assert fresh.static is not None and loaded.static is not None
    for name, values in fresh.static.arrays().items():
        np.testing.assert_array_equal(getattr(loaded.static, name), values)
    assert isinstance(loaded.reranker, matching.Trees)
    np.testing.assert_array_equal(loaded.reranker.value, fresh.reranker.value)
    assert loaded.reranker.calibration is not None
    np.testing.assert_array_equal(loaded.reranker.calibration[0], fresh.reranker.calibration[0])


def test_an_empty_archive_is_kept_and_read_back(tmp_path):
    # An empty archive (a new desk) keeps arrays with no rows, the static vectors too.
    path = tmp_path / "index.bin"
    assert saved.write(path, iter([]), META) == 0
    loaded = saved.read(path, META)
    assert len(loaded) == 0 and loaded.static is not None
    assert loaded.match("Smith raised fuel taxes") == []
    assert loaded.lexical().match("Smith raised fuel taxes") == []


def test_a_saved_index_without_its_static_stage_is_lexical_and_not_read_with_it(
    tmp_path, monkeypatch
):
    archive_ = claims()
    path = tmp_path / "index.bin"
    with monkeypatch.context() as without_table:
        without_table.setattr(static, "load", lambda: None)
        saved._static_recipe.cache_clear()
        saved.write(path, iter(archive_), META)
        loaded = saved.read(path, META)
        assert loaded.static is None
        lexical = Matcher.build(archive_, paraphrase=False)
        for query in QUERIES:
            assert loaded.match(query, top=10) == lexical.match(query, top=10)
    saved._static_recipe.cache_clear()
    with pytest.raises(saved.Unusable, match="format"):
        saved.read(path, META)  # written without the table, which is now installed


def test_static_arrays_that_disagree_with_the_records_are_unusable(tmp_path):
    path = tmp_path / "index.bin"
    good = saved.build(iter(claims()))
    missing = static.load().missing  # the row of tokens the table has no vector for
    no_row = np.full_like(good["static.tokens"], missing)
    for name, broken in (("static.vectors", good["static.vectors"][:-1]),
                         ("static.starts", good["static.starts"][::-1]),
                         ("static.tokens", no_row)):  # fmt: skip
        saved.save(path, {**good, name: broken}, META)
        with pytest.raises(saved.Unusable, match="static"):
            saved.read(path, META)
    saved.save(path, good, META)
    assert saved.read(path, META).static is not None


def test_a_file_of_another_revision_or_format_or_damaged_is_unusable(tmp_path, monkeypatch):
    path = tmp_path / "index.bin"
    saved.write(path, iter(claims()), META)
    good = path.read_bytes()
    with pytest.raises(saved.Unusable, match="revision"):
        saved.read(path, {"revision": ["2", "2026-12-06 21:05:00"]})
    for damaged in (good[: len(good) // 2], good[:20], b"", b"junk" * 100,
                    good[:-100] + bytes(b ^ 1 for b in good[-100:])):  # fmt: skip
        path.write_bytes(damaged)
        with pytest.raises(saved.Unusable):
            saved.read(path, META)
    path.write_bytes(good)
    monkeypatch.setattr(saved, "VERSION", saved.VERSION + 1)
    with pytest.raises(saved.Unusable, match="format"):
        saved.read(path, META)


def import_claims(session, candidates) -> dict[str, int]:
    """Import the candidates as verified claims; their rows' ids by their refs."""
    rows = [Record(c.id, c.claim, title=c.title, publisher="P") for c in candidates]
    archive.import_records(session, rows, name="f", format="tsv")
    session.flush()
    found = archive.page(session, limit=10_000, after=None)[0]
    return {row.ref: row.id for row in found}


def matched_refs(session, built: index.Index, query: str) -> list[str]:
    refs = archive.refs(session, [int(m.id) for m in built.matcher.match(query, top=10)])
    return [refs[int(m.id)] for m in built.matcher.match(query, top=10)]


def expected_refs(session, query: str) -> list[str]:
    """What a matcher built afresh from the table finds (ids as the refs)."""
    fresh = Matcher.build(index._candidates(session))
    refs = archive.refs(session, [int(m.id) for m in fresh.match(query, top=10)])
    return [refs[int(m.id)] for m in fresh.match(query, top=10)]


def test_a_process_loads_the_saved_index_instead_of_building(session):
    import_claims(session, claims())
    builds = index.builds
    first = index.current(session)
    path = index.index_path(session.get_bind().engine)
    assert path.exists() and index.builds == builds + 1
    index.forget()  # as a new process
    loaded = index.current(session)
    assert loaded is not first and index.builds == builds + 1
    for query in QUERIES:
        assert matched_refs(session, loaded, query) == expected_refs(session, query)


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "format"])
def test_a_damaged_or_foreign_file_is_built_again_and_serves_the_right_records(
    session, damage, monkeypatch
):
    import_claims(session, claims())
    index.current(session)
    path = index.index_path(session.get_bind().engine)
    good = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(good[: len(good) - 4096])
    elif damage == "flipped":
        middle = len(good) // 2
        path.write_bytes(good[:middle] + bytes([good[middle] ^ 0xFF]) + good[middle + 1 :])
    elif damage == "garbage":
        path.write_bytes(b"\0" * len(good))
    else:
        monkeypatch.setattr(saved, "VERSION", saved.VERSION + 1)
    index.forget()
    builds = index.builds
    rebuilt = index.current(session)
    assert index.builds == builds + 1
    assert saved.read(path, index._meta(rebuilt.revision)) is not None  # the file mended
    for query in QUERIES:
        assert matched_refs(session, rebuilt, query) == expected_refs(session, query)


def test_a_changed_archive_is_built_again_with_the_new_record(session):
    import_claims(session, claims())
    before = index.current(session)
    new = Candidate("new", "Aliens built the pyramids of Giza in 1999.", "Pyramids")
    import_claims(session, [new])
    index.forget()  # the saved file is of the old revision
    builds = index.builds
    after = index.current(session)
    assert index.builds == builds + 1 and after.revision != before.revision
    assert matched_refs(session, after, "aliens and the pyramids")[0] == "new"


def test_withdrawn_records_are_not_served(session, database, make_user):
    essay = factories.make_essay(session, make_user("ed", "editor"))
    ours = Record("ours", factories.CAR_BOMBS, title="Sadr City", publisher="desk")
    archive.store(session, [ours], source="desk", essay_id=essay.id)
    import_claims(session, claims())
    session.commit()
    query = ClaimQuery(claim_id=0, text=factories.CAR_BOMBS, start=0, end=10)
    assert [f.details["ref"] for f in VerifiedClaimsConnector(database).find(query)] == ["ours"]
    archive.sync_publication(session, essay.id, None, "https://desk.example/1")
    session.commit()
    # Whichever index answers (the one built before, or the rebuilt one), not this one.
    assert VerifiedClaimsConnector(database).find(query) == []
    rebuilt = index.current(session)
    assert "ours" not in matched_refs(session, rebuilt, factories.CAR_BOMBS)
    assert all(c.claim != factories.CAR_BOMBS for c in rebuilt.matcher.candidates)


def test_the_old_index_answers_while_the_new_one_is_built(session, database):
    import_claims(session, claims())
    session.commit()
    old = index.serving(session)
    import_claims(session, [Candidate("new", "Aliens built the pyramids in 1999.", "")])
    session.commit()
    with index._lock:  # the builder thread cannot finish until this block ends
        assert index.serving(session, wait=0.2) is old
    index.warm(session.get_bind().engine).join()
    assert index.serving(session) is not old
    assert matched_refs(session, index.serving(session), "aliens pyramids")[0] == "new"


def _build_in_a_process(url: str, data_dir: str, barrier, results) -> None:
    database = Database(url)
    barrier.wait()
    with database.read_scope() as session:
        built = index.current(session, data_dir=Path(data_dir))
        results.put((index.builds, len(built.matcher)))


def test_processes_starting_together_build_once_and_share_the_file(session, settings):
    import_claims(session, claims())
    session.commit()
    context = multiprocessing.get_context("spawn")  # fresh processes, as workers are
    barrier, results = context.Barrier(4), context.Queue()
    url = settings.resolved_database_url()
    processes = [
        context.Process(target=_build_in_a_process, args=(url, str(settings.data_dir), barrier,
                                                          results))
        for _ in range(4)
    ]  # fmt: skip
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    outcomes = [results.get(timeout=10) for _ in processes]
    assert sum(builds for builds, _ in outcomes) == 1  # one built, three loaded
    assert {size for _, size in outcomes} == {len(claims())}
    path = index.index_path(session.get_bind().engine)
    assert len(saved.read(path, index._meta(archive.revision(session)))) == len(claims())
    assert not list(path.parent.glob("*.tmp"))


def test_writers_racing_for_one_file_leave_a_whole_one(tmp_path):
    path = tmp_path / "index.bin"
    archive_ = claims()
    writers = [
        threading.Thread(target=saved.write, args=(path, iter(archive_[: 100 + i]), META))
        for i in range(4)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert len(saved.read(path, META)) in {100, 101, 102, 103}
    assert not list(tmp_path.glob("*.tmp"))


def test_a_worker_process_loads_the_index_as_it_starts(session, settings, monkeypatch):
    from factcheck.settings import get_settings
    from workers.app import _fresh_connections_in_child, warm_matcher_index

    import_claims(session, claims())
    session.commit()
    assert warm_matcher_index() is None  # the settings run library and desk only
    monkeypatch.setenv("FACTCHECK_CONNECTORS", "library,verified_claims")
    get_settings.cache_clear()
    builds = index.builds
    _fresh_connections_in_child()  # what worker_process_init runs in a new child
    index.warm(session.get_bind().engine).join()  # the thread it started
    assert index.builds == builds + 1
    ready = index.serving(session)
    assert len(ready.matcher) == len(claims()) and index.builds == builds + 1
    index.forget()  # a second worker process: it loads the file the first one built
    warm_matcher_index().join()
    assert index.builds == builds + 1 and index.serving(session) is not ready


def test_with_no_writable_data_dir_the_index_is_built_in_memory(session, tmp_path):
    import_claims(session, claims())
    not_a_dir = tmp_path / "a-file"
    not_a_dir.write_text("")
    built = index.current(session, data_dir=not_a_dir)
    assert len(built.matcher) == len(claims())
    for query in QUERIES:
        assert matched_refs(session, built, query) == expected_refs(session, query)


def test_a_rebuild_reads_again_only_new_and_changed_records(session, monkeypatch):
    archive_ = claims()
    import_claims(session, archive_)
    index.current(session)
    changed = Candidate(archive_[7].id, "Penguins invented the telephone in 1850.", "Phones")
    import_claims(session, [changed, Candidate("new", "Aliens built the pyramids.", "")])
    index.forget()  # a new process: it finds the previous terms in the file
    read = []
    original = features.Record.read.__func__

    def counted(cls, claim, title):
        read.append(claim)
        return original(cls, claim, title)

    monkeypatch.setattr(features.Record, "read", classmethod(counted))
    rebuilt = index.current(session)
    monkeypatch.undo()
    assert sorted(read) == sorted([changed.claim, "Aliens built the pyramids."])
    fresh = Matcher.build(index._candidates(session))
    assert (rebuilt.matcher.index.weights == fresh.index.weights).all()
    assert list(rebuilt.matcher.records) == fresh.records
    assert matched_refs(session, rebuilt, "penguins and the telephone")[0] == changed.id
    assert changed.id not in matched_refs(session, rebuilt, archive_[7].claim)
    for query in QUERIES:
        assert matched_refs(session, rebuilt, query) == expected_refs(session, query)
