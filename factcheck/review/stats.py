"""Figures for the desk dashboard: queue depth, daily throughput, time to approval.

Every figure is counted from the rows' states and timestamps, never from the text
of audit events."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.claims.states import ClaimStatus
from factcheck.db import utcnow
from factcheck.essays.models import Essay
from factcheck.review import ratings
from factcheck.review.models import TASK_KINDS, ReviewTask, Verdict
from factcheck.review.states import LIVE, WAS_APPROVED, TaskState, VerdictState


@dataclass(frozen=True)
class DeskStats:
    queue: list[tuple[str, int]]  # ("reviews waiting", 12), ...
    claims_by_status: list[tuple[str, int]]  # ("awaiting review", 3), ... every status
    per_day: list[tuple[date, int, int]]  # (day, claims gathered, claims approved)
    median_hours_to_approval: float | None
    verdicts_by_rating: list[tuple[str, int]]


def desk_stats(session: Session, days: int = 14) -> DeskStats:
    return DeskStats(
        queue=_queue_depth(session),
        claims_by_status=_claims_by_status(session),
        per_day=_per_day(session, days),
        median_hours_to_approval=_median_hours_to_approval(session),
        verdicts_by_rating=_verdicts_by_rating(session),
    )


def _counted(session: Session, column: object) -> list[tuple[str, int]]:
    rows = session.execute(select(column, func.count()).group_by(column).order_by(column))
    return [(str(value), count) for value, count in rows]


def _claims_by_status(session: Session) -> list[tuple[str, int]]:
    found = dict(_counted(session, Claim.status))
    return [(status.label, found.get(status, 0)) for status in ClaimStatus]


def _queue_depth(session: Session) -> list[tuple[str, int]]:
    return [(f"{kind}s {state.label}", count) for kind, state, count in live_tasks(session)]


def live_tasks(session: Session) -> list[tuple[str, TaskState, int]]:
    """How many tasks of each kind wait or are held, 0 included: an empty queue is a
    count of 0 (which a chart or an alert can read), not a missing line."""
    rows = session.execute(
        select(ReviewTask.kind, ReviewTask.state, func.count())
        .where(ReviewTask.state.in_(LIVE))
        .group_by(ReviewTask.kind, ReviewTask.state)
    )
    found = {(kind, state): count for kind, state, count in rows}
    return [
        (kind, state, found.get((kind, state), 0))
        for kind in TASK_KINDS
        for state in TaskState
        if state in LIVE
    ]


def _per_day(session: Session, days: int) -> list[tuple[date, int, int]]:
    """Claims gathered (first put in the review queue: a claim given back or returned
    comes back, it is not gathered again) and claims approved, per day."""
    since = utcnow() - timedelta(days=days)
    first_queued = (
        select(func.min(ReviewTask.created_at).label("at"))
        .where(ReviewTask.kind == "review")
        .group_by(ReviewTask.claim_id)
        .subquery()
    )
    gathered = _per_date(session, first_queued.c.at, since)
    # Superseded verdicts were approved too, before a correction replaced them.
    approved = _per_date(session, Verdict.decided_at, since, Verdict.state.in_(WAS_APPROVED))
    today = utcnow().date()
    days_shown = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
    return [(day, gathered.get(day, 0), approved.get(day, 0)) for day in days_shown]


def _per_date(
    session: Session, at: ColumnElement[datetime], since: datetime, *where: ColumnElement[bool]
) -> dict[date, int]:
    """How many rows have ``at`` on each day since ``since``."""
    day = func.date(at)
    rows = session.execute(select(day, func.count()).where(at >= since, *where).group_by(day))
    return {date.fromisoformat(str(value)): count for value, count in rows}


def _median_hours_to_approval(session: Session, sample: int = 5000) -> float | None:
    """Median hours from an essay's submission to each of its claims' approval
    (over the most recent approvals, so the figure stays cheap on a big desk)."""
    rows = session.execute(
        select(Verdict.decided_at, Essay.created_at)
        .join(Claim, Claim.id == Verdict.claim_id)
        .join(Essay, Essay.id == Claim.essay_id)
        .where(Verdict.state == VerdictState.APPROVED, Verdict.decided_at.is_not(None))
        .order_by(Verdict.decided_at.desc())
        .limit(sample)
    ).all()
    hours = [(decided - submitted).total_seconds() / 3600 for decided, submitted in rows]
    return round(statistics.median(hours), 2) if hours else None


def _verdicts_by_rating(session: Session) -> list[tuple[str, int]]:
    rows = dict(
        session.execute(
            select(Verdict.rating, func.count())
            .where(Verdict.state == VerdictState.APPROVED)
            .group_by(Verdict.rating)
        ).all()
    )
    return [(rating.label, rows.get(rating.slug, 0)) for rating in ratings.SCALE]
