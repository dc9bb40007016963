"""The reviewer queue as one reviewer sees it: what they may take, in which order, and
the statement that picks their next task.

Three rules shape it, besides the order (deadline, check-worthiness, age):

- nobody takes a task of an essay they submitted, nor the approval of their own verdict;
- a returned verdict's new review task is reserved for the verdict's author until its
  ``reserved_until``: only they see it ("returned to me") and take it, and "take next"
  gives it to them before anything else;
- a task the reviewer gave back in the last ``SKIP_MEMORY`` comes last for them: "take
  next" hands it out only when nothing else waits, the one given back longest ago first.

Every rule is a comparison of columns with the reviewer and the time, so nothing has
to run when a reservation or a give-back's memory ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, joinedload

import factcheck.models  # noqa: F401  (NEXT_OPEN's joinedload configures every mapper)
from factcheck.accounts.models import User
from factcheck.claims.models import Claim
from factcheck.db import UTCDateTime, utcnow
from factcheck.errors import InvalidInput
from factcheck.essays.models import Essay
from factcheck.review.models import ReviewTask, TaskSkip
from factcheck.review.states import TaskState

SKIP_MEMORY = timedelta(minutes=10)
# What a reviewer filters the list by: the task's kind, or "returned" (reserved for them).
QueueKind = Literal["review", "approval", "returned"]
KINDS: tuple[QueueKind, ...] = ("review", "approval", "returned")

QUEUE_ORDER = (
    ReviewTask.deadline.asc().nulls_last(),
    ReviewTask.priority.desc(),
    ReviewTask.created_at,
    ReviewTask.id,
)

# The statements' parameters: who asks, when, and since when a give-back counts.
_ME = bindparam("reviewer_id")
_NOW = bindparam("now", type_=UTCDateTime())
_SINCE = bindparam("since", type_=UTCDateTime())

# Core tables, not the ORM classes: aliasing a mapped class at import would configure
# every mapper before all the models are imported.
_TASKS = ReviewTask.__table__
_SKIPS = TaskSkip.__table__
Task = Any  # the columns of review_tasks or of an alias of it (``.c``)


def may_take(task: Task) -> ColumnElement[bool]:
    """Open, not the reviewer's own essay or verdict, and not reserved for someone else."""
    return and_(
        task.state == TaskState.OPEN,
        task.submitter_id.is_distinct_from(_ME),
        task.author_id.is_distinct_from(_ME),
        or_(
            task.reserved_until.is_(None), task.reserved_until <= _NOW, task.reserved_for_id == _ME
        ),
    )


def reserved_for_me(task: Task) -> ColumnElement[bool]:
    # True or false, never NULL (NOT of it must hold for tasks that are not reserved).
    return and_(
        task.reserved_for_id.is_not(None),
        task.reserved_until.is_not(None),
        task.reserved_for_id == _ME,
        task.reserved_until > _NOW,
    )


def given_back(task: Task) -> ColumnElement[bool]:
    """The reviewer gave this task back within SKIP_MEMORY."""
    return exists().where(
        _SKIPS.c.user_id == _ME, _SKIPS.c.task_id == task.id, _SKIPS.c.at > _SINCE
    )


def params(user: User, now: datetime) -> dict[str, Any]:
    return {"reviewer_id": user.id, "now": now, "since": now - SKIP_MEMORY}


def _next_open() -> Select[tuple[ReviewTask]]:
    """The statement behind "take next", built once.

    The order stays the partial index's (ix_review_tasks_next), so PostgreSQL reads a few
    index entries and locks the first row it may take (SKIP LOCKED) without sorting
    every open task. Returned-to-me first and given-back last are therefore filters,
    not sort keys: a row passes if it is reserved for me or nothing reserved for me
    waits; and if I did not give it back, or nothing else waits and it is the one I gave
    back longest ago. The "nothing ... waits" subqueries do not depend on the row: the
    database runs each at most once, and only when a row needs it (PostgreSQL plans
    them as InitPlans, evaluated on first use).
    """
    mine, fresh = _TASKS.alias("mine").c, _TASKS.alias("fresh").c
    skipped_task = _TASKS.alias("skipped")
    skipped = skipped_task.c
    mine_waiting = exists().where(may_take(mine), reserved_for_me(mine))
    fresh_waiting = exists().where(may_take(fresh), ~given_back(fresh))
    oldest_give_back = (
        select(func.min(_SKIPS.c.at))
        .join(skipped_task, skipped.id == _SKIPS.c.task_id)
        .where(_SKIPS.c.user_id == _ME, _SKIPS.c.at > _SINCE, may_take(skipped))
        .scalar_subquery()
    )
    my_give_back = (
        select(_SKIPS.c.at)
        .where(_SKIPS.c.user_id == _ME, _SKIPS.c.task_id == _TASKS.c.id)
        .scalar_subquery()
    )
    this = _TASKS.c
    return (
        select(ReviewTask)
        .where(
            may_take(this),
            or_(reserved_for_me(this), ~mine_waiting),
            or_(
                ~given_back(this),
                and_(~fresh_waiting, my_give_back == oldest_give_back),
            ),
        )
        .order_by(*QUEUE_ORDER)
        .limit(1)
        .options(joinedload(ReviewTask.claim, innerjoin=True))
        .with_for_update(of=ReviewTask, skip_locked=True)
        .execution_options(populate_existing=True)
    )


NEXT_OPEN = _next_open()


def refusal(task: ReviewTask, user: User, now: datetime) -> str | None:
    """Why ``user`` may not take ``task`` now (the rules of ``may_take``, with reasons)."""
    if task.state != TaskState.OPEN:
        return f"task {task.id} is {task.state.label} now; take another"
    if task.submitter_id == user.id:
        return f"task {task.id} is of an essay you submitted"
    if task.author_id == user.id:
        return f"task {task.id} is the approval of your own verdict"
    if (
        task.reserved_until is not None
        and task.reserved_until > now
        and task.reserved_for_id != user.id
    ):
        until = task.reserved_until.strftime("%H:%M UTC")
        return f"task {task.id} is reserved for its verdict's author until {until}"
    return None


# --- the list -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    task: ReviewTask
    claim: Claim
    essay_title: str
    returned_to_me: bool  # reserved for this reviewer, the returned verdict's author
    given_back_at: datetime | None  # when this reviewer last gave it back, if lately


@dataclass(frozen=True)
class QueuePage:
    counts: dict[str, int]  # by QueueKind, and "total"
    items: list[QueueItem]
    next_after: int | None  # the last item's task id when more follow


def queue_page(
    session: Session,
    user: User,
    *,
    essay_id: int | None = None,
    kind: QueueKind | None = None,
    limit: int = 50,
    after: int | None = None,
    now: datetime | None = None,
) -> QueuePage:
    """The tasks ``user`` may take, in queue order, ``limit`` at a time after the task
    ``after`` (the cursor), with the counts by kind (of ``essay_id``'s tasks if given)."""
    values = params(user, now or utcnow())
    filters = [may_take(_TASKS.c)]
    if essay_id is not None:
        filters.append(Claim.essay_id == essay_id)
    counts = _counts(session, filters, values)
    if kind is not None:
        filters.append(_of_kind(kind))
    if after is not None:
        filters.append(_after(session, after))
    rows = session.execute(
        select(ReviewTask, Claim, Essay.title, reserved_for_me(_TASKS.c), TaskSkip.at)
        .join(Claim, Claim.id == ReviewTask.claim_id)
        .join(Essay, Essay.id == Claim.essay_id)
        .outerjoin(
            TaskSkip,
            and_(TaskSkip.user_id == _ME, TaskSkip.task_id == ReviewTask.id, TaskSkip.at > _SINCE),
        )
        .where(*filters)
        .order_by(*QUEUE_ORDER)
        .limit(limit + 1),  # one more: is there a next page?
        values,
    ).all()
    items = [
        QueueItem(task, claim, title, bool(mine), at)
        for task, claim, title, mine, at in rows[:limit]
    ]
    more = len(rows) > limit
    return QueuePage(counts, items, items[-1].task.id if more and items else None)


def _counts(
    session: Session, filters: list[ColumnElement[bool]], values: dict[str, Any]
) -> dict[str, int]:
    category = case((reserved_for_me(_TASKS.c), "returned"), else_=ReviewTask.kind)
    rows = session.execute(
        select(category, func.count())
        .select_from(ReviewTask)
        .join(Claim, Claim.id == ReviewTask.claim_id)
        .where(*filters)
        .group_by(category),
        values,
    ).all()
    counts = dict.fromkeys(KINDS, 0) | {str(name): n for name, n in rows}
    return counts | {"total": sum(counts.values())}


def _of_kind(kind: QueueKind) -> ColumnElement[bool]:
    if kind == "returned":
        return reserved_for_me(_TASKS.c)
    return and_(ReviewTask.kind == kind, ~reserved_for_me(_TASKS.c))


def _after(session: Session, task_id: int) -> ColumnElement[bool]:
    """Tasks after ``task_id`` in QUEUE_ORDER (deadline, none last; priority, highest
    first; age; id): the cursor is a task, wherever it is now, so a page never repeats
    or skips a task that stays in the queue."""
    cursor = session.get(ReviewTask, task_id)
    if cursor is None:
        raise InvalidInput(f"there is no task {task_id} to list the queue after")
    task = ReviewTask
    later = or_(
        task.priority < cursor.priority,
        and_(
            task.priority == cursor.priority,
            or_(
                task.created_at > cursor.created_at,
                and_(task.created_at == cursor.created_at, task.id > cursor.id),
            ),
        ),
    )
    if cursor.deadline is None:
        return and_(task.deadline.is_(None), later)
    return or_(
        task.deadline > cursor.deadline,
        task.deadline.is_(None),
        and_(task.deadline == cursor.deadline, later),
    )


def waiting_essays(
    session: Session, user: User, now: datetime | None = None, limit: int = 100
) -> list[tuple[int, str, int]]:
    """(id, title, tasks) of the essays with tasks ``user`` may take, most tasks first."""
    return [
        (essay_id, title, count)
        for essay_id, title, count in session.execute(
            select(Essay.id, Essay.title, func.count(ReviewTask.id))
            .select_from(ReviewTask)
            .join(Claim, Claim.id == ReviewTask.claim_id)
            .join(Essay, Essay.id == Claim.essay_id)
            .where(may_take(_TASKS.c))
            .group_by(Essay.id, Essay.title)
            .order_by(func.count(ReviewTask.id).desc(), Essay.id)
            .limit(limit),
            params(user, now or utcnow()),
        )
    ]
