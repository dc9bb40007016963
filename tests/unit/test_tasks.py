"""Tasks as plain functions: after-commit sending, fan-out, idempotency, the reconciler."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import func, select, update

from factcheck.accounts import services as accounts
from factcheck.claims.models import Claim
from factcheck.db import on_commit, utcnow
from factcheck.essays.models import Essay
from factcheck.http import FetchError
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from factcheck.sources import services as sources
from factcheck.sources.connectors import Found
from factcheck.sources.models import ConnectorRun, SourceRecord
from tests.unit.helpers import submitted_essay
from workers import tasks


@pytest.fixture
def essay_id(database, demo_library, session, make_user):
    essay = submitted_essay(session, make_user("ed", "editor"))
    session.commit()
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


def test_split_sends_gathering_once_and_is_idempotent(essay_id, queue, database):
    assert tasks.split_essay.run(essay_id) > 0
    gathering = [args[0] for args in sent_of(queue, "gather_claim")]
    with database.scope() as session:
        expected = session.scalars(select(Claim.id).where(Claim.status == "gathering")).all()
    assert sorted(gathering) == sorted(expected)
    assert tasks.split_essay.run(essay_id) == 0
    assert len(queue.sent) == len(gathering)


def test_gathering_fans_out_one_task_per_connector(essay_id, queue, database):
    tasks.split_essay.run(essay_id)
    claim_id = sent_of(queue, "gather_claim")[0][0]
    queue.sent.clear()
    assert tasks.gather_claim.run(claim_id) == ["library", "desk"]
    assert queue.sent == [
        ("gather_from", (claim_id, "library")),
        ("gather_from", (claim_id, "desk")),
    ]
    assert tasks.gather_from.run(claim_id, "library") > 0
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "gathering"  # desk still pending
    tasks.gather_from.run(claim_id, "desk")
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"
        runs = session.scalars(select(ConnectorRun).where(ConnectorRun.claim_id == claim_id)).all()
        assert {(r.connector, r.state, r.attempts) for r in runs} == {
            ("library", "succeeded", 1),
            ("desk", "succeeded", 1),
        }


def test_gathering_twice_adds_no_duplicates(essay_id, queue, database):
    tasks.split_essay.run(essay_id)
    claim_id = sent_of(queue, "gather_claim")[0][0]
    tasks.gather_claim.run(claim_id)
    queue.run_all()
    assert tasks.gather_claim.run(claim_id) == []
    assert tasks.gather_from.run(claim_id, "library") == 0
    with database.scope() as session:
        records = session.scalar(select(func.count()).where(SourceRecord.claim_id == claim_id))
        task_count = session.scalar(select(func.count()).where(ReviewTask.claim_id == claim_id))
    assert records > 0 and task_count == 1


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
    tasks.split_essay.run(essay_id)
    claim_id = sent_of(queue, "gather_claim")[0][0]
    monkeypatch.setitem(tasks.connectors(), "library", Failing())
    tasks.gather_claim.run(claim_id)
    queue.run_all()
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"
        run = session.scalar(
            select(ConnectorRun).where(
                ConnectorRun.connector == "library", ConnectorRun.claim_id == claim_id
            )
        )
        assert run.state == "failed" and "503" in run.error


def test_same_text_from_two_urls_is_stored_once(essay_id, queue, database, monkeypatch):
    tasks.split_essay.run(essay_id)
    claim_id = sent_of(queue, "gather_claim")[0][0]
    monkeypatch.setitem(tasks.connectors(), "library", Duplicating())
    tasks.gather_claim.run(claim_id)
    queue.run_all()
    with database.scope() as session:
        urls = session.scalars(
            select(SourceRecord.url).where(SourceRecord.claim_id == claim_id)
        ).all()
    assert urls == ["https://a.example/1"]


def test_reconciler_resends_stalled_work_and_expires_leases(essay_id, queue, database, settings):
    long_ago = utcnow() - timedelta(seconds=settings.stuck_after_seconds + 5)
    # A split whose message was lost:
    with database.scope() as session:
        session.execute(update(Essay).values(status_changed_at=long_ago))
    assert tasks.reconcile.run()["essays"] == 1
    assert queue.sent == [("split_essay", (essay_id,))]

    queue.sent.clear()
    tasks.split_essay.run(essay_id)
    lost = [args[0] for args in sent_of(queue, "gather_claim")]
    # Gathering messages lost: only the claims stuck past the deadline come back.
    with database.scope() as session:
        session.execute(update(Claim).where(Claim.id == lost[0]).values(status_changed_at=long_ago))
    queue.sent.clear()
    assert tasks.reconcile.run() == {
        "essays": 0,
        "claims": 1,
        "leases": 0,
        "runs": 0,
        "deliveries": 0,
    }
    assert queue.sent == [("gather_claim", (lost[0],))]

    queue.run_all()
    for claim_id in lost[1:]:
        tasks.gather_claim.run(claim_id)
    queue.run_all()
    with database.scope() as session:
        reviewer = accounts.create_user(session, "rev", "reviewer")
        task = review.claim_next(session, reviewer, lease_seconds=-1)
        assert task is not None
    assert tasks.reconcile.run()["leases"] == 1
    with database.scope() as session:
        assert session.get(ReviewTask, task.id).state == "open"


def test_reconciler_retries_failed_runs_later(essay_id, queue, database, monkeypatch):
    tasks.split_essay.run(essay_id)
    claim_id = sent_of(queue, "gather_claim")[0][0]
    queue.sent.clear()
    library = tasks.connectors()["library"]
    monkeypatch.setitem(tasks.connectors(), "library", Failing())
    tasks.gather_claim.run(claim_id)
    queue.run_all()
    assert tasks.reconcile.run()["runs"] == 0  # too soon
    with database.scope() as session:
        session.execute(update(ConnectorRun).values(updated_at=utcnow() - timedelta(hours=1)))
    assert tasks.reconcile.run()["runs"] == 1
    assert queue.sent == [("gather_from", (claim_id, "library"))]
    monkeypatch.setitem(tasks.connectors(), "library", library)
    queue.run_all()
    with database.scope() as session:
        run = session.scalar(
            select(ConnectorRun).where(
                ConnectorRun.connector == "library", ConnectorRun.claim_id == claim_id
            )
        )
        assert (run.state, run.attempts) == ("succeeded", 2)
        assert session.scalar(select(func.count()).where(SourceRecord.claim_id == claim_id)) > 0


class Hanging:
    """Stands for a connector whose task hit its soft time limit mid-search."""

    name = "library"

    def find(self, query):
        raise SoftTimeLimitExceeded()


def test_a_connector_past_its_time_limit_ends_timed_out(essay_id, queue, database, monkeypatch):
    tasks.split_essay.run(essay_id)
    claim_id = sent_of(queue, "gather_claim")[0][0]
    queue.sent.clear()
    monkeypatch.setitem(tasks.connectors(), "library", Hanging())
    tasks.gather_claim.run(claim_id)
    queue.run_all()
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"
        run = session.scalar(
            select(ConnectorRun).where(
                ConnectorRun.connector == "library", ConnectorRun.claim_id == claim_id
            )
        )
        assert run.state == "timed_out"


def test_a_run_whose_worker_died_is_sent_again_then_given_up(essay_id, queue, database):
    tasks.split_essay.run(essay_id)
    claim_id = sent_of(queue, "gather_claim")[0][0]
    tasks.gather_claim.run(claim_id)
    tasks.gather_from.run(claim_id, "desk")
    overdue = tasks.run_clock().overdue_after
    for attempt in range(1, 4):
        with database.scope() as session:  # a worker takes the library run, then dies
            assert sources.begin_run(session, claim_id, "library", overdue) is not None
        # The same run is not handed to a second worker while the first may be on it:
        with database.scope() as session:
            assert sources.begin_run(session, claim_id, "library", overdue) is None
        assert tasks.gather_claim.run(claim_id) == []
        with database.scope() as session:
            session.execute(
                update(ConnectorRun)
                .where(ConnectorRun.claim_id == claim_id, ConnectorRun.connector == "library")
                .values(started_at=utcnow() - timedelta(hours=1))
            )
        expected = ["library"] if attempt < 3 else []  # sent again, until out of attempts
        assert tasks.gather_claim.run(claim_id) == expected
    with database.scope() as session:
        assert session.get(Claim, claim_id).status == "awaiting_review"
        run = session.scalar(
            select(ConnectorRun).where(
                ConnectorRun.connector == "library", ConnectorRun.claim_id == claim_id
            )
        )
        assert (run.state, run.attempts) == ("timed_out", 3)


def test_a_message_sent_recently_is_not_sent_again(essay_id, queue, database):
    tasks.split_essay.run(essay_id)
    claim_id = sent_of(queue, "gather_claim")[0][0]
    assert tasks.gather_claim.run(claim_id) == ["library", "desk"]
    assert tasks.gather_claim.run(claim_id) == []  # the reconciler asking again at once
    with database.scope() as session:
        session.execute(
            update(ConnectorRun)
            .where(ConnectorRun.claim_id == claim_id)
            .values(sent_at=utcnow() - timedelta(hours=1))
        )
    assert tasks.gather_claim.run(claim_id) == ["library", "desk"]  # those messages were lost
