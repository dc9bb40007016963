"""One thin task per step: load by id, call a service, commit, send what follows."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import InterfaceError, OperationalError

from factcheck import reconcile as reconciler
from factcheck.claims.services import extract_claims
from factcheck.db import Database, get_database, on_commit
from factcheck.http import FetchError, get_client
from factcheck.settings import get_settings
from factcheck.sources import services as sources
from factcheck.sources.connectors import Connector
from factcheck.sources.registry import archive_client, build_connectors
from factcheck.webhooks import services as webhooks
from workers.app import celery_app

log = logging.getLogger(__name__)

# Retry only what a retry can fix: the database went away.
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
CONNECTOR_LIMIT = get_settings().connector_time_limit_seconds


def database() -> Database:
    return get_database(get_settings().resolved_database_url())


def connectors() -> dict[str, Connector]:
    return _connectors(get_settings().resolved_database_url())


@cache
def _connectors(database_url: str) -> dict[str, Connector]:
    # Built once per process (they hold HTTP pools); keyed so tests can differ.
    return build_connectors(get_settings(), get_database(database_url))


@celery_app.task(**STEP)
def split_essay(essay_id: int) -> int:
    with database().scope() as session:
        claim_ids = extract_claims(session, essay_id)
        on_commit(session, lambda: send_gathering(claim_ids))
    return len(claim_ids)


def run_clock() -> sources.RunClock:
    return sources.RunClock(
        resend_after=timedelta(seconds=get_settings().stuck_after_seconds),
        # past the connector task's hard time limit (soft + 5 s), its worker is gone
        overdue_after=timedelta(seconds=CONNECTOR_LIMIT + 10),
    )


@celery_app.task(**STEP)
def gather_claim(claim_id: int) -> list[str]:
    """Fan out: one run per enabled connector, each its own task."""
    with database().scope() as session:
        names = sources.plan_runs(session, claim_id, list(connectors()), run_clock())
        on_commit(session, lambda: send_runs([(claim_id, name) for name in names]))
    return names


@celery_app.task(**{**STEP, "soft_time_limit": CONNECTOR_LIMIT, "time_limit": CONNECTOR_LIMIT + 5})
def gather_from(claim_id: int, connector: str) -> int:
    """Search one connector for one claim and store what it found."""
    with database().scope() as session:
        query = sources.begin_run(session, claim_id, connector, run_clock().overdue_after)
    if query is None or connector not in connectors():
        return 0
    found, state, error = [], "succeeded", None
    try:
        found = connectors()[connector].find(query)
        found = sources.enrich(query, found, archive_client(get_settings()))
    except FetchError as failure:
        state, error = "failed", str(failure)
    except SoftTimeLimitExceeded:
        state, error = "timed_out", f"no answer within {CONNECTOR_LIMIT} s"
    with database().scope() as session:
        return sources.finish_run(session, claim_id, connector, found, state, error)


@celery_app.task(**STEP)
def deliver_webhook(delivery_id: int) -> str | None:
    """One attempt at a webhook delivery; failures are rescheduled in the database."""
    return webhooks.deliver(database(), delivery_id, get_client(get_settings()))


@celery_app.task(**STEP)
def reconcile() -> dict[str, int]:
    with database().scope() as session:
        stalled = reconciler.reconcile(session, get_settings().stuck_after_seconds)
        on_commit(session, lambda: send_stalled(stalled))
    if stalled.essays_to_split or stalled.claims_to_gather or stalled.runs_to_retry:
        log.info("reconciled %s", stalled)
    return {
        "essays": len(stalled.essays_to_split),
        "claims": len(stalled.claims_to_gather),
        "leases": stalled.leases_expired,
        "runs": len(stalled.runs_to_retry),
        "deliveries": len(stalled.deliveries_due),
    }


def send_split(essay_id: int) -> None:
    split_essay.delay(essay_id)


def send_gathering(claim_ids: list[int]) -> None:
    for claim_id in claim_ids:
        gather_claim.delay(claim_id)


def send_runs(runs: list[tuple[int, str]]) -> None:
    for claim_id, connector in runs:
        gather_from.delay(claim_id, connector)


def send_stalled(stalled: reconciler.Stalled) -> None:
    for essay_id in stalled.essays_to_split:
        send_split(essay_id)
    send_gathering(stalled.claims_to_gather)
    send_runs(stalled.runs_to_retry)
    for delivery_id in stalled.deliveries_due:
        deliver_webhook.delay(delivery_id)
