"""Tasks as plain functions: after-commit sending, idempotency, the reconciler."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from factcheck.accounts import services as accounts
from factcheck.claims.models import Claim
from factcheck.db import on_commit, utcnow
from factcheck.essays.models import Essay
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from factcheck.sources.models import SourceRecord
from tests.unit.helpers import submitted_essay
from workers import tasks


@pytest.fixture
def sent(monkeypatch):
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(
        tasks, "send_gathering", lambda ids: sent.extend(("gather", i) for i in ids)
    )
    monkeypatch.setattr(tasks, "send_split", lambda essay_id: sent.append(("split", essay_id)))
    return sent


@pytest.fixture
def essay_id(database, demo_library, session, make_user):
    essay = submitted_essay(session, make_user("ed", "editor"))
    session.commit()
    return essay.id


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


def test_split_sends_gathering_once_and_is_idempotent(essay_id, sent, database):
    assert tasks.split_essay.run(essay_id) > 0
    gathering = [claim_id for kind, claim_id in sent if kind == "gather"]
    with database.scope() as session:
        expected = session.scalars(select(Claim.id).where(Claim.status == "gathering")).all()
    assert sorted(gathering) == sorted(expected)
    assert tasks.split_essay.run(essay_id) == 0
    assert len(sent) == len(gathering)


def test_gather_twice_adds_no_duplicates(essay_id, sent, database):
    tasks.split_essay.run(essay_id)
    claim_id = sent[0][1]
    assert tasks.gather_claim.run(claim_id) is True
    assert tasks.gather_claim.run(claim_id) is False
    with database.scope() as session:
        records = session.scalar(select(func.count()).where(SourceRecord.claim_id == claim_id))
        task_count = session.scalar(select(func.count()).where(ReviewTask.claim_id == claim_id))
    assert records > 0 and task_count == 1


def test_reconciler_resends_stalled_work_and_expires_leases(
    essay_id, sent, database, settings, make_user
):
    long_ago = utcnow() - timedelta(seconds=settings.stuck_after_seconds + 5)
    # A split whose message was lost:
    with database.scope() as session:
        session.execute(update(Essay).values(status_changed_at=long_ago))
    assert tasks.reconcile.run()["essays"] == 1
    assert sent == [("split", essay_id)]

    sent.clear()
    tasks.split_essay.run(essay_id)
    lost = [claim_id for _, claim_id in sent]
    # Gathering messages lost: only the claims stuck past the deadline come back.
    with database.scope() as session:
        session.execute(update(Claim).where(Claim.id == lost[0]).values(status_changed_at=long_ago))
    sent.clear()
    assert tasks.reconcile.run() == {"essays": 0, "claims": 1, "leases": 0}
    assert sent == [("gather", lost[0])]

    for claim_id in lost:
        tasks.gather_claim.run(claim_id)
    with database.scope() as session:
        reviewer = accounts.create_user(session, "rev", "reviewer")
        task = review.claim_next(session, reviewer, lease_seconds=-1)
        assert task is not None
    assert tasks.reconcile.run()["leases"] == 1
    with database.scope() as session:
        assert session.get(ReviewTask, task.id).state == "open"
