"""One thin task per step: load by id (a batch of runs for ``gather_local``), call a
service, commit, send what follows."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import InterfaceError, OperationalError

from factcheck import reconcile as reconciler
from factcheck.claims.services import extract_claims
from factcheck.db import Database, get_database, on_commit
from factcheck.http import FetchError, get_client
from factcheck.settings import get_settings
from factcheck.sources import services as sources
from factcheck.sources.connectors import ClaimQuery, Connector
from factcheck.sources.registry import DATABASE_CONNECTORS, archive_client, build_connectors
from factcheck.sources.states import RunState
from factcheck.webhooks import services as webhooks
from workers.app import celery_app

log = logging.getLogger(__name__)

TASK_LIMIT = 120  # seconds a step may run before it is stopped (soft limit)
# Retry only what a retry can fix: the database went away.
STEP = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
    "soft_time_limit": TASK_LIMIT,
    "time_limit": TASK_LIMIT + 30,
}
CONNECTOR_LIMIT = get_settings().connector_time_limit_seconds
# Runs per gather_local task: a few claims' worth, so one essay still spreads over
# the worker processes while each task does its statements for many runs at once.
LOCAL_BATCH = get_settings().gather_batch_runs


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
    """Split the essay and plan its claims' runs in one transaction."""
    with database().scope() as session:
        claim_ids = extract_claims(session, essay_id)
        runs = sources.plan_runs(session, claim_ids, list(connectors()), run_clock())
        on_commit(session, lambda: send_runs(runs))
    return len(claim_ids)


def run_clock() -> sources.RunClock:
    return sources.RunClock(
        resend_after=timedelta(seconds=get_settings().stuck_after_seconds),
        # Past a network run's hard time limit (soft + 5 s) its worker is gone. A
        # gather_local batch takes well under a second; should one run longer, its runs
        # are sent again and the second attempt stores nothing twice.
        overdue_after=timedelta(seconds=CONNECTOR_LIMIT + 10),
    )


@celery_app.task(**STEP)
def gather_claim(claim_id: int) -> list[str]:
    """Plan (again) one claim's runs: after an edit, or for the reconciler."""
    with database().scope() as session:
        runs = sources.plan_runs(session, [claim_id], list(connectors()), run_clock())
        on_commit(session, lambda: send_runs(runs))
    return [name for _, name in runs]


@celery_app.task(**STEP)
def gather_local(runs: list[list[int | str]]) -> int:
    """Several runs of the connectors that only read our database (nothing outside
    to wait for, so the task's own time limit, not the connectors')."""
    keys = [(int(claim_id), str(connector)) for claim_id, connector in runs]
    return gather(keys, TASK_LIMIT)


@celery_app.task(**{**STEP, "soft_time_limit": CONNECTOR_LIMIT, "time_limit": CONNECTOR_LIMIT + 5})
def gather_from(claim_id: int, connector: str) -> int:
    """One run of a connector that searches over the network."""
    return gather([(claim_id, connector)], CONNECTOR_LIMIT)


def gather(keys: list[sources.RunKey], time_limit: int) -> int:
    """Begin the runs, search with no transaction open, store what was found."""
    with database().scope() as session:
        started = sources.begin_runs(session, keys, run_clock().overdue_after)
    if not started:
        return 0  # done already, or another worker is on them
    results: list[sources.RunResult] = []
    try:
        for (_, name), query in started:
            results.append(search(name, query))
    except SoftTimeLimitExceeded:
        error = f"no answer within {time_limit} s"
        for (_, name), query in started[len(results) :]:
            results.append(sources.RunResult(name, query, state=RunState.TIMED_OUT, error=error))
    with database().scope() as session:
        return sources.finish_runs(session, results)


def search(name: str, query: ClaimQuery) -> sources.RunResult:
    connector = connectors().get(name)
    if connector is None:
        return sources.RunResult(name, query, state=RunState.FAILED, error="connector not enabled")
    # Archive links are for pages fetched from the web. Library and desk records are
    # our own copies, and their runs are batched as quick local work: no network.
    archiver = None if name in DATABASE_CONNECTORS else archive_client(get_settings())
    try:
        found = sources.enrich(query, connector.find(query), archiver)
    except FetchError as failure:
        return sources.RunResult(name, query, state=RunState.FAILED, error=str(failure))
    return sources.RunResult(name, query, found)


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


def send(task: str, *args: Any) -> None:
    """Put a task on the broker by name (the one place that does; tests collect here)."""
    celery_app.tasks[f"{__name__}.{task}"].delay(*args)


def send_runs(runs: Sequence[sources.RunKey]) -> None:
    """Runs of the connectors that read only our database go LOCAL_BATCH to a task on
    the default queue; the others one to a task on the gathering queue."""
    local = [list(run) for run in runs if run[1] in DATABASE_CONNECTORS]
    for start in range(0, len(local), LOCAL_BATCH):
        send("gather_local", local[start : start + LOCAL_BATCH])
    for claim_id, name in runs:
        if name not in DATABASE_CONNECTORS:
            send("gather_from", claim_id, name)


def send_stalled(stalled: reconciler.Stalled) -> None:
    for essay_id in stalled.essays_to_split:
        send("split_essay", essay_id)
    for claim_id in stalled.claims_to_gather:
        send("gather_claim", claim_id)
    send_runs(stalled.runs_to_retry)
    for delivery_id in stalled.deliveries_due:
        send("deliver_webhook", delivery_id)
