"""One thin task per step: load by id, call a service, commit, send what follows."""

from __future__ import annotations

import logging

from sqlalchemy.exc import InterfaceError, OperationalError

from factcheck import reconcile as reconciler
from factcheck.claims.services import extract_claims
from factcheck.db import Database, get_database, on_commit
from factcheck.settings import get_settings
from factcheck.sources.connectors import LibraryConnector
from factcheck.sources.services import gather
from workers.app import celery_app

log = logging.getLogger(__name__)

# Retry only what a retry can fix: the database or the network went away.
STEP = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
    "soft_time_limit": 120,
    "time_limit": 150,
}


def database() -> Database:
    return get_database(get_settings().resolved_database_url())


@celery_app.task(**STEP)
def split_essay(essay_id: int) -> int:
    with database().scope() as session:
        claim_ids = extract_claims(session, essay_id)
        on_commit(session, lambda: send_gathering(claim_ids))
    return len(claim_ids)


@celery_app.task(**STEP)
def gather_claim(claim_id: int) -> bool:
    connectors = [LibraryConnector(top_k=get_settings().library_top_k)]
    with database().scope() as session:
        return gather(session, claim_id, connectors)


@celery_app.task(**STEP)
def reconcile() -> dict[str, int]:
    with database().scope() as session:
        stalled = reconciler.reconcile(session, get_settings().stuck_after_seconds)
        on_commit(session, lambda: send_stalled(stalled))
    if stalled.essays_to_split or stalled.claims_to_gather or stalled.leases_expired:
        log.info("reconciled %s", stalled)
    return {
        "essays": len(stalled.essays_to_split),
        "claims": len(stalled.claims_to_gather),
        "leases": stalled.leases_expired,
    }


def send_split(essay_id: int) -> None:
    split_essay.delay(essay_id)


def send_gathering(claim_ids: list[int]) -> None:
    for claim_id in claim_ids:
        gather_claim.delay(claim_id)


def send_stalled(stalled: reconciler.Stalled) -> None:
    for essay_id in stalled.essays_to_split:
        send_split(essay_id)
    send_gathering(stalled.claims_to_gather)
