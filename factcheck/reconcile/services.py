"""Find work that stalled: the database is the truth, the broker only transport.

A row that sits in a waiting state past its deadline lost its message (a broker
restart, a killed worker); the reconciler queues it again, to be sent after
commit. Every task returns early when its step is done, so sending one twice is
harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck import jobs
from factcheck.claims.models import Claim
from factcheck.claims.states import ClaimStatus
from factcheck.db import utcnow
from factcheck.essays.models import Essay
from factcheck.essays.states import EssayStatus
from factcheck.review.services import expire_leases
from factcheck.sources.services import queue_runs, retry_failed_runs
from factcheck.webhooks.services import due_deliveries

# A failed connector is tried again this long after (up to MAX_RUN_ATTEMPTS times).
RETRY_FAILED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Stalled:
    essays_to_split: list[int]
    claims_to_gather: list[int]
    leases_expired: int
    runs_to_retry: list[tuple[int, str]] = field(default_factory=list)
    deliveries_due: list[int] = field(default_factory=list)


def reconcile(
    session: Session, stuck_after_seconds: int, local_batch: int, limit: int = 1000
) -> Stalled:
    """Find stalled work, queue it again, and expire lapsed leases; say what was found."""
    cutoff = utcnow() - timedelta(seconds=stuck_after_seconds)
    essays = session.scalars(
        select(Essay.id)
        .where(Essay.status == EssayStatus.SUBMITTED, Essay.status_changed_at < cutoff)
        .order_by(Essay.id)
        .limit(limit)
    ).all()
    claims = session.scalars(
        select(Claim.id)
        .where(Claim.status == ClaimStatus.GATHERING, Claim.status_changed_at < cutoff)
        .order_by(Claim.id)
        .limit(limit)
    ).all()
    retry = retry_failed_runs(session, RETRY_FAILED_AFTER)
    deliveries = due_deliveries(session, utcnow(), limit)
    stalled = Stalled(list(essays), list(claims), expire_leases(session), retry, deliveries)
    _queue_again(session, stalled, local_batch)
    return stalled


def _queue_again(session: Session, stalled: Stalled, local_batch: int) -> None:
    for essay_id in stalled.essays_to_split:
        jobs.queue(session, jobs.SPLIT_ESSAY, essay_id)
    for claim_id in stalled.claims_to_gather:
        jobs.queue(session, jobs.GATHER_CLAIM, claim_id)
    queue_runs(session, stalled.runs_to_retry, local_batch)
    for delivery_id in stalled.deliveries_due:
        jobs.queue(session, jobs.DELIVER_WEBHOOK, delivery_id)
