"""Tasks as plain functions: after-commit sending, fan-out, idempotency, the reconciler."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import func, select, update

from factcheck import jobs
from factcheck.accounts import services as accounts
from factcheck.claims import curation
from factcheck.claims.models import Claim
from factcheck.claims.tasks import split_essay
from factcheck.db import on_commit, utcnow
from factcheck.essays.models import Essay
from factcheck.http import FetchError
from factcheck.reconcile.tasks import reconcile
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from factcheck.settings import get_settings
from factcheck.sources import registry
from factcheck.sources import services as sources
from factcheck.sources import tasks as gathering
from factcheck.sources.cited_links import CitedLinksConnector
from factcheck.sources.connectors import Found, LibraryConnector
from factcheck.sources.desk import DeskConnector
from factcheck.sources.models import ConnectorRun, SourceRecord
from factcheck.sources.wikipedia import WikipediaConnector
from tests.unit.helpers import submitted_essay
from workers import app as worker_app


@pytest.fixture
def essay_id(database, demo_library, session, make_user, queue):
    """A submitted essay; each test runs its split itself."""
    essay = submitted_essay(session, make_user("ed", "editor"))
    session.commit()
    assert queue.sent == [("split_essay", (essay.id,))]
    queue.sent.clear()
    return essay.id


def sent_of(queue, task: str) -> list[tuple]:
    return [args for name, args in queue.sent if name == task]


def test_callbacks_run_after_commit_and_are_dropped_on_rollback(database):
    ran: list[str] = []
    with database.scope() as session:
        on_commit(session, lambda: ran.append("committed"))
        assert ran == []
    assert ran == ["committed"]
    with pytest.raises(RuntimeError), database.scope() as session:
        on_commit(session, lambda: ran.append("rolled back"))
        raise RuntimeError("boom")
    with database.scope() as session:
        pass
    assert ran == ["committed"]


def runs_sent(queue) -> list[tuple[int, str]]:
    """Every run sent, from gather_local batches and gather_from messages alike."""
    runs = [tuple(run) for (batch,) in sent_of(queue, "gather_local") for run in batch]
    return runs + sent_of(queue, "gather_from")


def a_gathering_claim(queue) -> int:
    """The first claim sent to gathering by a split that ran before."""
    return runs_sent(queue)[0][0]


def test_split_plans_every_run_once_and_is_idempotent(essay_id, queue, database):
    assert split_essay.run(essay_id) > 0
    with database.scope() as session:
        gathering = session.scalars(select(Claim.id).where(Claim.status == "gathering")).all()
    expected = {(claim_id, name) for claim_id in gathering for name in ("library", "desk")}
    assert sorted(runs_sent(queue)) == sorted(expected)
    assert split_essay.run(essay_id) == 0
    assert len(runs_sent(queue)) == len(expected)


def test_database_runs_go_in_batches_and_network_runs_one_per_task(
    essay_id, queue, database, monkeypatch
):
    monkeypatch.setitem(gathering.connectors(), "wikipedia", FindsNothing())
    split_essay.run(essay_id)
    batches = [batch for (batch,) in sent_of(queue, "gather_local")]
    assert all(0 < len(batch) <= gathering.LOCAL_BATCH for batch in batches)
    assert {name for batch in batches for _, name in batch} == {"library", "desk"}
    singles = sent_of(queue, "gather_from")
    assert {name for _, name in singles} == {"wikipedia"}
    assert len(singles) == len({claim_id for claim_id, _ in runs_sent(queue)})

    claim_id = batches[0][0][0]
    queue.run_all()
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"
        runs = session.scalars(select(ConnectorRun).where(ConnectorRun.claim_id == claim_id)).all()
        assert {(r.connector, r.state, r.attempts) for r in runs} == {
            ("library", "succeeded", 1),
            ("desk", "succeeded", 1),
            ("wikipedia", "succeeded", 1),
        }
        records = session.scalars(select(SourceRecord).where(SourceRecord.claim_id == claim_id))
        assert {record.connector for record in records} == {"library"}
        assert session.scalar(select(func.count()).where(ReviewTask.claim_id == claim_id)) == 1


def test_each_job_carries_its_connectors_declared_time_limit(essay_id, queue, monkeypatch):
    monkeypatch.setitem(gathering.connectors(), "wikipedia", FindsNothing())
    split_essay.run(essay_id)
    limits = {(name, args[-1] if name == "gather_from" else None): limit
              for name, args, limit in queue.time_limits if name.startswith("gather")}  # fmt: skip
    local = max(LibraryConnector.time_limit, DeskConnector.time_limit)
    assert limits == {
        ("gather_local", None): local,
        ("gather_from", "wikipedia"): WikipediaConnector.time_limit,
    }


def test_the_operators_cap_lowers_network_limits_only(monkeypatch, settings):
    monkeypatch.setenv("FACTCHECK_CONNECTOR_TIME_LIMIT_SECONDS", "7")
    get_settings.cache_clear()
    assert registry.job_time_limit("wikipedia") == 7
    assert registry.job_time_limit("cited_links") == 7
    assert registry.job_time_limit("library") == LibraryConnector.time_limit
    monkeypatch.delenv("FACTCHECK_CONNECTOR_TIME_LIMIT_SECONDS")
    get_settings.cache_clear()
    assert registry.job_time_limit("cited_links") == CitedLinksConnector.time_limit


def test_all_builds_every_registered_connector_these_settings_let_run(settings, database):
    everything = settings.model_copy(update={"connectors": "all", "factcheck_tools_key": ""})
    built = registry.build_connectors(everything, database)
    assert set(built) == set(registry.CONNECTORS) - {"factcheck_tools"}  # it needs a key
    named = settings.model_copy(update={"connectors": "desk, nosuch"})
    assert set(registry.build_connectors(named, database)) == {"desk"}


def test_celery_messages_carry_the_jobs_time_limit(monkeypatch):
    sent: list[tuple[str, dict]] = []

    def send_task(name: str, args: tuple, **options: int) -> None:
        sent.append((name, options))

    monkeypatch.setattr(worker_app.celery_app, "send_task", send_task)
    worker_app.send(jobs.GATHER_FROM, 1, "wikipedia", time_limit=45)
    worker_app.send(jobs.SPLIT_ESSAY, 1)
    assert sent == [
        (jobs.GATHER_FROM.task, {"soft_time_limit": 45, "time_limit": 50}),
        (jobs.SPLIT_ESSAY.task, {}),
    ]


def test_a_claim_waits_for_its_last_run(essay_id, queue, database):
    split_essay.run(essay_id)
    claim_id = a_gathering_claim(queue)
    queue.sent.clear()
    assert gathering.gather_from.run(claim_id, "library") > 0
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "gathering"  # desk still pending
        assert session.scalar(select(func.count()).where(ReviewTask.claim_id == claim_id)) == 0
    gathering.gather_local.run([[claim_id, "desk"]])
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"


def test_gathering_twice_adds_no_duplicates(essay_id, queue, database):
    split_essay.run(essay_id)
    claim_id = a_gathering_claim(queue)
    queue.run_all()
    assert gathering.gather_claim.run(claim_id) == []
    assert gathering.gather_local.run([[claim_id, "library"], [claim_id, "desk"]]) == 0
    with database.scope() as session:
        records = session.scalar(select(func.count()).where(SourceRecord.claim_id == claim_id))
        task_count = session.scalar(select(func.count()).where(ReviewTask.claim_id == claim_id))
    assert records > 0 and task_count == 1


def test_a_search_for_words_the_editor_changed_meanwhile_is_dropped(essay_id, queue, database):
    split_essay.run(essay_id)
    claim_id = a_gathering_claim(queue)
    queue.sent.clear()
    library = gathering.connectors()["library"]
    with database.scope() as session:  # a worker begins the library run...
        [(_, stale)] = sources.begin_runs(session, [(claim_id, "library")])
    with database.scope() as session:  # ...and an editor rewords the claim meanwhile
        editor = session.get(Essay, essay_id).submitted_by_id
        edit = curation.ClaimEdit(version=1, text="Iraq's death toll was 200 people.")
        curation.edit_claim(session, claim_id, edit, editor)
    gathering.gather_claim.run(claim_id)
    with database.scope() as session:  # the old search ends: nothing of it is kept
        result = sources.RunResult("library", stale, library.find(stale))
        assert sources.finish_runs(session, [result]) == 0
        run = run_of(session, claim_id, "library")
        assert (run.state, run.claim_version, run.started_at) == ("pending", 2, None)
    queue.run_all()  # the run for the new wording
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"
        run = session.get(ConnectorRun, run.id)
        assert (run.state, run.attempts, run.records > 0) == ("succeeded", 1, True)


class FindsNothing:
    name = "wikipedia"

    def find(self, query):
        return []


class Failing:
    name = "library"

    def find(self, query):
        raise FetchError("status", "http://example.org/", "HTTP 503")


class Duplicating:
    name = "library"

    def find(self, query):
        page = Found("https://a.example/1", "A", None, None, "s", "same text", 0.5)
        return [page, Found("https://a.example/2", "B", None, None, "s", "same text", 0.4)]


def test_a_failed_connector_is_recorded_and_does_not_hold_the_claim(
    essay_id, queue, database, monkeypatch
):
    monkeypatch.setitem(gathering.connectors(), "library", Failing())
    split_essay.run(essay_id)
    claim_id = a_gathering_claim(queue)
    queue.run_all()
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"
        run = run_of(session, claim_id, "library")
        assert run.state == "failed" and "503" in run.error


def run_of(session, claim_id: int, connector: str) -> ConnectorRun:
    return session.scalar(
        select(ConnectorRun).where(
            ConnectorRun.connector == connector, ConnectorRun.claim_id == claim_id
        )
    )


def test_a_run_of_a_connector_no_longer_enabled_fails_and_does_not_hold_the_claim(
    essay_id, queue, database, monkeypatch
):
    split_essay.run(essay_id)
    claim_id = a_gathering_claim(queue)
    monkeypatch.delitem(gathering.connectors(), "desk")  # switched off after the runs were planned
    queue.run_all()
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"
        run = run_of(session, claim_id, "desk")
        assert (run.state, run.error) == ("failed", "connector not enabled")


def test_same_text_from_two_urls_is_stored_once(essay_id, queue, database, monkeypatch):
    monkeypatch.setitem(gathering.connectors(), "library", Duplicating())
    split_essay.run(essay_id)
    claim_id = a_gathering_claim(queue)
    queue.run_all()
    with database.scope() as session:
        urls = session.scalars(
            select(SourceRecord.url).where(SourceRecord.claim_id == claim_id)
        ).all()
    assert urls == ["https://a.example/1"]


def test_a_page_another_connector_stored_is_not_stored_again(essay_id, queue, database):
    split_essay.run(essay_id)
    with database.scope() as session:
        claim = session.scalars(select(Claim).where(Claim.essay_id == essay_id)).first()
        wiki = Found("https://EN.wikipedia.org/wiki/Sadr_City/", "W", None, None, "s", "one", 0.9)
        again = Found(
            "https://en.wikipedia.org/wiki/Sadr_City#events", "W", None, None, "s", "two", 0.8
        )
        other = Found("https://en.wikipedia.org/wiki/Baghdad", "B", None, None, "s", "three", 0.7)
        sources.store_all(session, [(claim, "library", [wiki])])
        stored = sources.store_all(session, [(claim, "wikipedia", [again, other])])
    assert [record.url for record in stored] == [other.url]


def test_reconciler_resends_stalled_work_and_expires_leases(essay_id, queue, database, settings):
    long_ago = utcnow() - timedelta(seconds=settings.stuck_after_seconds + 5)
    # A split whose message was lost:
    with database.scope() as session:
        session.execute(update(Essay).values(status_changed_at=long_ago))
    assert reconcile.run()["essays"] == 1
    assert queue.sent == [("split_essay", (essay_id,))]

    queue.sent.clear()
    split_essay.run(essay_id)
    lost = sorted({claim_id for claim_id, _ in runs_sent(queue)})
    # Every gathering message lost: only the claims stuck past the deadline come back.
    with database.scope() as session:
        session.execute(update(ConnectorRun).values(sent_at=long_ago))
        session.execute(update(Claim).where(Claim.id == lost[0]).values(status_changed_at=long_ago))
    queue.sent.clear()
    assert reconcile.run() == {
        "essays": 0,
        "claims": 1,
        "leases": 0,
        "runs": 0,
        "deliveries": 0,
    }
    assert queue.sent == [("gather_claim", (lost[0],))]
    queue.run_all()
    with database.scope() as session:
        assert session.get(Claim, lost[0]).status == "awaiting_review"
        assert session.get(Claim, lost[1]).status == "gathering"

    for claim_id in lost[1:]:
        assert gathering.gather_claim.run(claim_id) == ["library", "desk"]
    queue.run_all()
    with database.scope() as session:
        reviewer = accounts.create_user(session, "rev", "reviewer")
        task = review.claim_next(session, reviewer, lease_seconds=-1)
        assert task is not None
    assert reconcile.run()["leases"] == 1
    with database.scope() as session:
        assert session.get(ReviewTask, task.id).state == "open"


def test_reconciler_retries_failed_runs_later(essay_id, queue, database, monkeypatch):
    library = gathering.connectors()["library"]
    monkeypatch.setitem(gathering.connectors(), "library", Failing())
    split_essay.run(essay_id)
    claim_ids = sorted({claim_id for claim_id, _ in runs_sent(queue)})
    queue.run_all()
    assert reconcile.run()["runs"] == 0  # too soon
    with database.scope() as session:
        session.execute(update(ConnectorRun).values(updated_at=utcnow() - timedelta(hours=1)))
    assert reconcile.run()["runs"] == len(claim_ids)
    assert sorted(runs_sent(queue)) == [(claim_id, "library") for claim_id in claim_ids]
    monkeypatch.setitem(gathering.connectors(), "library", library)
    queue.run_all()
    with database.scope() as session:
        run = run_of(session, claim_ids[0], "library")
        assert (run.state, run.attempts) == ("succeeded", 2)
        stored = select(func.count()).where(SourceRecord.claim_id == claim_ids[0])
        assert session.scalar(stored) > 0


class Hanging:
    """Stands for a connector whose task hit its soft time limit mid-search."""

    name = "library"

    def find(self, query):
        raise SoftTimeLimitExceeded()


def test_a_connector_past_its_time_limit_ends_timed_out(essay_id, queue, database, monkeypatch):
    monkeypatch.setitem(gathering.connectors(), "library", Hanging())
    split_essay.run(essay_id)
    batch = sent_of(queue, "gather_local")[0][0]
    queue.run_all()
    with database.scope() as session:
        for claim_id, name in batch:
            assert session.get(Claim, claim_id).status == "awaiting_review"
            run = run_of(session, claim_id, name)
            # The time limit hit the first search: it and the rest of the batch time out.
            assert (run.state, run.error) == (
                "timed_out",
                f"no answer within {LibraryConnector.time_limit} s",
            )


def test_a_run_whose_worker_died_is_sent_again_then_given_up(essay_id, queue, database):
    split_essay.run(essay_id)
    claim_id = a_gathering_claim(queue)
    queue.sent.clear()
    gathering.gather_local.run([[claim_id, "desk"]])
    library_run = [(claim_id, "library")]
    for attempt in range(1, 4):
        with database.scope() as session:  # a worker takes the library run, then dies
            assert len(sources.begin_runs(session, library_run)) == 1
        # The same run is not handed to a second worker while the first may be on it:
        with database.scope() as session:
            assert sources.begin_runs(session, library_run) == []
        assert gathering.gather_claim.run(claim_id) == []
        with database.scope() as session:
            session.execute(
                update(ConnectorRun)
                .where(ConnectorRun.claim_id == claim_id, ConnectorRun.connector == "library")
                .values(started_at=utcnow() - timedelta(hours=1))
            )
        expected = ["library"] if attempt < 3 else []  # sent again, until out of attempts
        assert gathering.gather_claim.run(claim_id) == expected
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"
        run = run_of(session, claim_id, "library")
        assert (run.state, run.attempts) == ("timed_out", 3)


def test_a_message_sent_recently_is_not_sent_again(essay_id, queue, database):
    split_essay.run(essay_id)
    claim_id = a_gathering_claim(queue)
    assert gathering.gather_claim.run(claim_id) == []  # the reconciler asking at once
    with database.scope() as session:
        session.execute(
            update(ConnectorRun)
            .where(ConnectorRun.claim_id == claim_id)
            .values(sent_at=utcnow() - timedelta(hours=1))
        )
    assert gathering.gather_claim.run(claim_id) == ["library", "desk"]  # those messages were lost
