"""Gathering's tasks: plan a claim's runs, and carry runs out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import cache

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.orm import Session

from factcheck import jobs
from factcheck.db import get_database
from factcheck.http import FetchError
from factcheck.settings import get_settings
from factcheck.sources import services as sources
from factcheck.sources.connectors import ClaimQuery, Connector
from factcheck.sources.registry import archive_client, build_connectors, job_time_limit
from factcheck.sources.states import RunState
from factcheck.tasks import STEP, database

# Runs per gather_local task: a few claims' worth, so one essay still spreads over
# the worker processes while each task does its statements for many runs at once.
LOCAL_BATCH = get_settings().gather_batch_runs


def connectors() -> dict[str, Connector]:
    return _connectors(get_settings().resolved_database_url())


@cache
def _connectors(database_url: str) -> dict[str, Connector]:
    # Built once per process (they hold HTTP pools); keyed so tests can differ.
    return build_connectors(get_settings(), get_database(database_url))


def run_clock() -> sources.RunClock:
    return sources.RunClock(resend_after=timedelta(seconds=get_settings().stuck_after_seconds))


def plan(session: Session, claim_ids: Sequence[int]) -> list[sources.RunKey]:
    """Plan the claims' runs with every enabled connector; they are sent after commit."""
    return sources.plan_runs(session, claim_ids, list(connectors()), run_clock(), LOCAL_BATCH)


@shared_task(name=jobs.GATHER_CLAIM.task, **STEP)
def gather_claim(claim_id: int) -> list[str]:
    """Plan (again) one claim's runs: after an edit, or for the reconciler."""
    with database().scope() as session:
        runs = plan(session, [claim_id])
    return [name for _, name in runs]


@shared_task(name=jobs.GATHER_LOCAL.task, **STEP)
def gather_local(runs: list[list[int | str]]) -> int:
    """Several runs of the connectors that only read our database, under the time
    limit the job was sent with (``registry.job_time_limit``)."""
    return gather([(int(claim_id), str(connector)) for claim_id, connector in runs])


@shared_task(name=jobs.GATHER_FROM.task, **STEP)
def gather_from(claim_id: int, connector: str) -> int:
    """One run of a connector that searches over the network, under the connector's
    time limit (sent with the job)."""
    return gather([(claim_id, connector)])


def gather(keys: list[sources.RunKey]) -> int:
    """Begin the runs, search with no transaction open, store what was found."""
    with database().scope() as session:
        started = sources.begin_runs(session, keys)
    if not started:
        return 0  # done already, or another worker is on them
    results: list[sources.RunResult] = []
    try:
        for (_, name), query in started:
            results.append(search(name, query))
    except SoftTimeLimitExceeded:
        error = f"no answer within {job_time_limit(keys[0][1])} s"
        for (_, name), query in started[len(results) :]:
            results.append(sources.RunResult(name, query, state=RunState.TIMED_OUT, error=error))
    with database().scope() as session:
        return sources.finish_runs(session, results)


def search(name: str, query: ClaimQuery) -> sources.RunResult:
    connector = connectors().get(name)
    if connector is None:
        return sources.RunResult(name, query, state=RunState.FAILED, error="connector not enabled")
    try:
        found = sources.enrich(query, connector.find(query), archive_client(name, get_settings()))
    except FetchError as failure:
        return sources.RunResult(name, query, state=RunState.FAILED, error=str(failure))
    return sources.RunResult(name, query, found)
