"""The steerable queue on a real PostgreSQL: a chosen task taken by two at once, tasks
reserved for a returned verdict's author, give-backs under concurrency, and the plan
of "take next" (still one statement reading the queue's index, no sort)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from factcheck.accounts import services as accounts
from factcheck.db import captured_statements, utcnow
from factcheck.errors import Conflict
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from tests.integration.test_queue_postgres import database, fill_queue  # noqa: F401

pytestmark = pytest.mark.integration
REVIEWERS = 10


def reviewers(db, count: int) -> list:
    with db.scope() as session:
        return [accounts.create_user(session, f"rev{n}", "reviewer") for n in range(count)]


def test_two_reviewers_taking_the_same_task_one_gets_it_one_gets_409(database):  # noqa: F811
    task_ids = fill_queue(database, 5)
    with database.scope() as session:
        chosen = session.scalar(select(ReviewTask.id).where(ReviewTask.claim_id == task_ids[3]))
    start = threading.Barrier(2)

    def take(reviewer) -> str:
        start.wait()
        try:
            with database.scope() as session:
                review.take_task(session, chosen, reviewer, lease_seconds=600)
        except Conflict as conflict:
            return f"409 {conflict.detail}"
        return "taken"

    pair = reviewers(database, 2)
    for _ in range(3):  # again, with the task back in the queue
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = sorted(pool.map(take, pair))
        assert outcomes[1] == "taken" and outcomes[0].startswith("409 task")
        with database.scope() as session:
            task = session.get(ReviewTask, chosen)
            holder = next(r for r in pair if r.id == task.assignee_id)
            review.release(session, chosen, holder)


def test_reserved_tasks_go_only_to_their_author_under_load(database):  # noqa: F811
    fill_queue(database, 300)
    team = reviewers(database, REVIEWERS)
    author = team[0]
    with database.scope() as session:
        reserved = session.scalars(
            select(ReviewTask.id).order_by(ReviewTask.id.desc()).limit(20)  # least urgent
        ).all()
        session.execute(
            update(ReviewTask)
            .where(ReviewTask.id.in_(reserved))
            .values(reserved_for_id=author.id, reserved_until=utcnow() + timedelta(hours=1))
        )
    start = threading.Barrier(REVIEWERS)

    def work(reviewer) -> list[int]:
        taken = []
        start.wait()
        while True:
            with database.scope() as session:
                task = review.claim_next(session, reviewer, lease_seconds=600)
                if task is None:
                    return taken
                taken.append(task.id)

    with ThreadPoolExecutor(max_workers=REVIEWERS) as pool:
        results = dict(zip([r.id for r in team], pool.map(work, team), strict=True))
    everything = [task for taken in results.values() for task in taken]
    assert sorted(everything) == sorted(set(everything)) and len(everything) == 300
    assert set(reserved) <= set(results[author.id])
    # The author's first tasks were the ones returned to them, the least urgent.
    assert set(results[author.id][:20]) == set(reserved)


def test_give_backs_under_concurrency_never_come_straight_back(database):  # noqa: F811
    fill_queue(database, 200)
    team = reviewers(database, REVIEWERS)
    start = threading.Barrier(REVIEWERS)

    def work(reviewer) -> list[tuple[int, int]]:
        pairs = []
        start.wait()
        for _ in range(5):
            with database.scope() as session:
                first = review.claim_next(session, reviewer, lease_seconds=600).id
            with database.scope() as session:
                review.release(session, first, reviewer)
            with database.scope() as session:
                second = review.claim_next(session, reviewer, lease_seconds=600).id
                review.release(session, second, reviewer)
            pairs.append((first, second))
        return pairs

    with ThreadPoolExecutor(max_workers=REVIEWERS) as pool:
        results = list(pool.map(work, team))
    pairs = [pair for done in results for pair in done]
    assert len(pairs) == REVIEWERS * 5
    assert all(first != second for first, second in pairs)
    # Each reviewer's ten give-backs are ten different tasks: none came back within them.
    for done in results:
        given_back = [task for pair in done for task in pair]
        assert len(set(given_back)) == len(given_back)


def test_take_next_is_one_statement_reading_the_queue_index_without_sorting(database):  # noqa: F811
    fill_queue(database, 2000)
    (reviewer,) = reviewers(database, 1)
    with database.scope() as session:
        for _ in range(3):  # some give-backs, so the statement has rows to look past
            review.release(session, review.claim_next(session, reviewer, 600).id, reviewer)
    with database.scope() as session:
        session.execute(text("ANALYZE"))
    with database.scope() as session:
        with captured_statements(database.engine) as sent:
            assert review.claim_next(session, reviewer, 600) is not None
        selects = [(sql, params) for sql, params in sent if sql.lstrip().startswith("SELECT")]
        assert len(selects) == 1 and "SKIP LOCKED" in selects[0][0]
        sql, params = selects[0]
        explain = f"EXPLAIN (FORMAT JSON) {sql}"
        plan = session.connection().exec_driver_sql(explain, params).scalar()[0]["Plan"]
        session.rollback()
    # Under the row locking, the rows come from the queue's index in its order: nothing
    # sorts them. (The subqueries beside it read a reviewer's few give-backs, if at all.)
    (locking,) = [node for node in _main_path(plan) if node["Node Type"] == "LockRows"]
    below = _main_path(locking)
    assert not [node for node in below if node["Node Type"] == "Sort"]
    assert "ix_review_tasks_next" in [node.get("Index Name") for node in below]


def _main_path(node: dict) -> list[dict]:
    """A plan node and the nodes below it that feed its rows (no InitPlans, SubPlans)."""
    children = [
        child
        for child in node.get("Plans", [])
        if child.get("Parent Relationship") not in ("InitPlan", "SubPlan")
    ]
    return [node] + [found for child in children for found in _main_path(child)]
