"""Figures for the desk dashboard: queue depth, daily throughput, time to approval."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from factcheck.audit import AuditEvent
from factcheck.claims.models import Claim
from factcheck.db import utcnow
from factcheck.essays.models import Essay
from factcheck.review import ratings
from factcheck.review.models import ReviewTask, Verdict


@dataclass(frozen=True)
class DeskStats:
    queue: list[tuple[str, int]]  # ("review waiting", 12), ...
    claims_by_status: list[tuple[str, int]]
    per_day: list[tuple[date, int, int]]  # (day, claims gathered, claims approved)
    median_hours_to_approval: float | None
    verdicts_by_rating: list[tuple[str, int]]


def desk_stats(session: Session, days: int = 14) -> DeskStats:
    return DeskStats(
        queue=_queue_depth(session),
        claims_by_status=_counted(session, Claim.status),
        per_day=_per_day(session, days),
        median_hours_to_approval=_median_hours_to_approval(session),
        verdicts_by_rating=_verdicts_by_rating(session),
    )


def _counted(session: Session, column: object) -> list[tuple[str, int]]:
    rows = session.execute(select(column, func.count()).group_by(column).order_by(column))
    return [(str(value), count) for value, count in rows]


def _queue_depth(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(
        select(ReviewTask.kind, ReviewTask.state, func.count())
        .where(ReviewTask.state.in_(("open", "leased")))
        .group_by(ReviewTask.kind, ReviewTask.state)
    )
    words = {"open": "waiting", "leased": "in hand"}
    found = {(kind, state): count for kind, state, count in rows}
    return [
        (f"{kind} {words[state]}", found.get((kind, state), 0))
        for kind in ("review", "approval")
        for state in ("open", "leased")
    ]


def _per_day(session: Session, days: int) -> list[tuple[date, int, int]]:
    since = utcnow() - timedelta(days=days)
    day = func.date(AuditEvent.at)
    gathered = and_(
        AuditEvent.action == "claim.awaiting_review",
        # Not a claim coming back to the queue (a release, an expired lease, a return).
        AuditEvent.before["status"].as_string() == "gathering",
    )
    rows = session.execute(
        select(day, AuditEvent.action, func.count())
        .where(AuditEvent.at >= since, or_(gathered, AuditEvent.action == "claim.approved"))
        .group_by(day, AuditEvent.action)
    )
    counts: dict[tuple[date, str], int] = {}
    for value, action, count in rows:
        counts[(date.fromisoformat(str(value)), action)] = count
    today = utcnow().date()
    return [
        (
            today - timedelta(days=back),
            counts.get((today - timedelta(days=back), "claim.awaiting_review"), 0),
            counts.get((today - timedelta(days=back), "claim.approved"), 0),
        )
        for back in range(days - 1, -1, -1)
    ]


def _median_hours_to_approval(session: Session, sample: int = 5000) -> float | None:
    """Median hours from an essay's submission to each of its claims' approval
    (over the most recent approvals, so the figure stays cheap on a big desk)."""
    rows = session.execute(
        select(Verdict.decided_at, Essay.created_at)
        .join(Claim, Claim.id == Verdict.claim_id)
        .join(Essay, Essay.id == Claim.essay_id)
        .where(Verdict.state == "approved", Verdict.decided_at.is_not(None))
        .order_by(Verdict.decided_at.desc())
        .limit(sample)
    ).all()
    hours = [(decided - submitted).total_seconds() / 3600 for decided, submitted in rows]
    return round(statistics.median(hours), 2) if hours else None


def _verdicts_by_rating(session: Session) -> list[tuple[str, int]]:
    rows = dict(
        session.execute(
            select(Verdict.rating, func.count())
            .where(Verdict.state == "approved")
            .group_by(Verdict.rating)
        ).all()
    )
    return [(rating.label, rows.get(rating.slug, 0)) for rating in ratings.SCALE]
