"""The reviewer queue under concurrency, on a real PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import insert, select, update

from factcheck import migrate
from factcheck.accounts import services as accounts
from factcheck.claims.models import Claim
from factcheck.db import Database, utcnow
from factcheck.errors import Conflict
from factcheck.essays.models import Essay
from factcheck.review import services as review
from factcheck.review.models import ReviewTask, Verdict
from factcheck.sources.models import SourceRecord

pytestmark = pytest.mark.integration
REVIEWERS = 50
TASKS = 2000


@pytest.fixture
def database(postgres_url):
    migrate.upgrade(postgres_url)
    database = Database(postgres_url, pool_size=REVIEWERS)  # a connection per reviewer
    yield database
    database.dispose()


def fill_queue(database: Database, tasks: int) -> list[int]:
    """One essay with ``tasks`` claims, each awaiting review with an open task."""
    with database.scope() as session:
        editor = accounts.create_user(session, "editor", "editor")
        essay = Essay(title="Load", text="x" * tasks, submitted_by_id=editor.id, status="split")
        session.add(essay)
        session.flush()
        now = utcnow()
        claim_ids = session.scalars(
            insert(Claim).returning(Claim.id),
            [
                {
                    "essay_id": essay.id,
                    "start": n,
                    "end": n + 1,
                    "text": "x",
                    "kind": "event",
                    "checkworthiness": (n % 97) / 97,
                    "checkable": True,
                    "details": {},
                    "status": "awaiting_review",
                    "status_changed_at": now,
                    "version": 1,
                    "created_at": now,
                }
                for n in range(tasks)
            ],
        ).all()
        session.execute(
            insert(ReviewTask),
            [
                {
                    "claim_id": claim_id,
                    "kind": "review",
                    "state": "open",
                    "priority": 0.5,
                    "submitter_id": editor.id,
                    "created_at": now,
                    "updated_at": now,
                }
                for claim_id in claim_ids
            ],
        )
    return claim_ids


def test_fifty_reviewers_get_every_task_exactly_once(database):
    fill_queue(database, TASKS)
    with database.scope() as session:
        reviewers = [accounts.create_user(session, f"rev{n}", "reviewer") for n in range(REVIEWERS)]
    start = threading.Barrier(REVIEWERS)

    def work(reviewer) -> list[int]:
        taken = []
        start.wait()  # everyone at once
        while True:
            with database.scope() as session:
                task = review.claim_next(session, reviewer, lease_seconds=600)
                if task is None:
                    return taken
                taken.append(task.id)

    with ThreadPoolExecutor(max_workers=REVIEWERS) as pool:
        results = list(pool.map(work, reviewers))
    everything = [task_id for taken in results for task_id in taken]
    assert len(everything) == TASKS
    assert len(set(everything)) == TASKS
    assert sum(1 for taken in results if taken) > REVIEWERS // 2  # the work was shared
    with database.scope() as session:
        states = session.scalars(select(ReviewTask.state).distinct()).all()
        in_review = session.scalars(select(Claim.status).distinct()).all()
    assert states == ["leased"] and in_review == ["in_review"]


def test_expired_leases_return_to_the_queue(database):
    fill_queue(database, 20)
    with database.scope() as session:
        reviewer = accounts.create_user(session, "rev", "reviewer")
        held = [review.claim_next(session, reviewer, lease_seconds=600).id for _ in range(5)]
        session.execute(
            update(ReviewTask).where(ReviewTask.id.in_(held[:3])).values(lease_expires_at=utcnow())
        )
    with database.scope() as session:
        assert review.expire_leases(session) == 3
    with database.scope() as session:
        states = dict(
            session.execute(
                select(ReviewTask.id, ReviewTask.state).where(ReviewTask.id.in_(held))
            ).all()
        )
    assert [states[task_id] for task_id in held] == ["open"] * 3 + ["leased"] * 2


def test_a_withdrawal_and_an_approval_that_race_leave_one_outcome(database):
    """The author withdraws a verdict while its approver approves it: exactly one of
    them wins, and the loser changes nothing."""
    claim_ids = fill_queue(database, 1)
    with database.scope() as session:
        author = accounts.create_user(session, "author", "reviewer")
        approver = accounts.create_user(session, "approver", "reviewer")
        source = SourceRecord(
            claim_id=claim_ids[0],
            connector="manual",
            url="https://a.example",
            title="A",
            snapshot_text="the passage",
            snapshot_sha256="0" * 64,
        )
        session.add(source)
        session.flush()
        task = review.claim_next(session, author, 600)
        cite = [review.CitationInput(source.id, "the passage")]
        verdict = review.submit_verdict(
            session, task.id, author, rating="true", rationale="r", citations=cite
        )
        verdict_id, version = verdict.id, verdict.version
        approval_id = review.claim_next(session, approver, 600).id
    start = threading.Barrier(2)

    def withdraw() -> str:
        start.wait()
        with database.scope() as session:
            review.withdraw_from_approval(session, verdict_id, session.merge(author), 600)
        return "withdrawn"

    def approve() -> str:
        start.wait()
        with database.scope() as session:
            review.approve(session, approval_id, session.merge(approver), version)
        return "approved"

    def outcome(step) -> str:
        try:
            return step()
        except Conflict:
            return "refused"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(outcome, [withdraw, approve]))
    with database.scope() as session:
        state = session.get(Verdict, verdict_id).state
        live = session.scalars(
            select(ReviewTask.kind).where(ReviewTask.state.in_(["open", "leased"]))
        ).all()
    if outcomes == ["approved", "refused"]:
        assert (state, live) == ("approved", [])
    else:
        assert outcomes == ["refused", "withdrawn"]
        assert (state, live) == ("draft", ["review"])
