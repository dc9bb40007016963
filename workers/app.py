"""The Celery app: broker from settings, queues as constants, routes, beat schedule,
and the dispatcher that sends the core's jobs (``factcheck.jobs``) to it.

The tasks live with their domains (``factcheck/*/tasks.py``, listed in ``TASK_MODULES``)
and are named by the job constants.
"""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager
from typing import Any

from celery import Celery
from celery.signals import (
    setup_logging,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_init,
)
from kombu import Queue
from kombu.transport import sqlalchemy as sqlalchemy_transport

from factcheck import jobs, logs, metrics
from factcheck.db import dispose_all, get_database, use_wal
from factcheck.settings import Settings, get_settings


class Queues:
    """Every queue a task is routed to; each must have a consumer (see compose.yaml)."""

    DEFAULT = "default"
    GATHER = "gather"
    ALL = (DEFAULT, GATHER)


# The domain modules whose tasks a worker runs.
TASK_MODULES = [
    "factcheck.claims.tasks",
    "factcheck.sources.tasks",
    "factcheck.webhooks.tasks",
    "factcheck.reconcile.tasks",
]
# Every task not named here goes to Queues.DEFAULT.
ROUTES = {jobs.GATHER_FROM.task: {"queue": Queues.GATHER}}


def broker_transport_options(settings: Settings) -> dict[str, Any]:
    if settings.resolved_broker_url().startswith("sqla+"):
        # kombu's SQL transport polls its table once a second and hands every
        # other option to create_engine(); the interval is a class attribute.
        sqlalchemy_transport.Transport.polling_interval = settings.broker_polling_interval
        broker_file = settings.sqlite_broker_file()
        if broker_file:
            # WAL, so that the worker polling it never blocks the web sending tasks;
            # every process asks, and the first to get the file switches it.
            use_wal(broker_file)
        return {"connect_args": {"timeout": 30}}
    # Redis re-delivers an unacknowledged message after the visibility timeout:
    # keep it well above the longest task's time limit.
    return {"visibility_timeout": 3600}


def make_celery() -> Celery:
    settings = get_settings()
    broker_url = settings.resolved_broker_url()
    app = Celery("factcheck", broker=broker_url, include=TASK_MODULES)
    app.conf.update(
        task_default_queue=Queues.DEFAULT,
        task_queues=[Queue(name) for name in Queues.ALL],
        task_routes=ROUTES,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        broker_transport_options=broker_transport_options(settings),
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "reconcile": {
                "task": jobs.RECONCILE.task,
                "schedule": settings.reconcile_every_seconds,
            },
        },
        timezone="UTC",
    )
    return app


celery_app = make_celery()


def send(job: jobs.Job, *args: Any, time_limit: int | None = None) -> None:
    """The dispatcher of the core's jobs: a message for the job's task, by its name,
    with the job's own time limit when it has one (the task's otherwise)."""
    if time_limit is None:
        celery_app.send_task(job.task, args)
    else:
        hard_limit = time_limit + jobs.HARD_LIMIT_AFTER
        celery_app.send_task(job.task, args, soft_time_limit=time_limit, time_limit=hard_limit)


@worker_init.connect
def _send_jobs_through_celery(**_kwargs: Any) -> None:
    # What the tasks queue (a split's runs, the reconciler's resends) goes out here.
    jobs.set_dispatcher(send)


@worker_process_init.connect
def _fresh_connections_in_child(**_kwargs: Any) -> None:
    # A forked child must not share the parent's pooled database connections.
    dispose_all()
    warm_matcher_index()


def warm_matcher_index() -> threading.Thread | None:
    """Load (or, the first time, build) the matcher's index as a worker process starts,
    so that the first claim does not wait for it. In a thread: a child must report to
    the pool within seconds of starting, and a build of a large archive takes minutes."""
    # Imported here: the web imports this module to send tasks and needs neither.
    from factcheck.factchecks import index
    from factcheck.sources.registry import enabled_names

    settings = get_settings()
    if "verified_claims" not in enabled_names(settings):
        return None
    return index.warm(get_database(settings.resolved_database_url()).engine)


@setup_logging.connect
def _json_logs(**_kwargs: Any) -> None:
    # Connecting this signal stops Celery from installing its own plain-text logging.
    logs.configure()


# What the first argument of each task is, so its log lines carry that id.
SUBJECT_OF_TASK = {
    jobs.SPLIT_ESSAY.task: "essay_id",
    jobs.GATHER_CLAIM.task: "claim_id",
    jobs.GATHER_FROM.task: "claim_id",
    jobs.DELIVER_WEBHOOK.task: "delivery_id",
}
_running: dict[str, tuple[float, AbstractContextManager[None]]] = {}


def subject_ids(task_name: str, args: tuple[Any, ...]) -> dict[str, Any]:
    """The ids a task's log lines carry: its first argument, named; for a batch of
    runs, the claims in it."""
    if not args:
        return {}
    if task_name == jobs.GATHER_LOCAL.task:
        return {"claim_ids": sorted({claim_id for claim_id, _ in args[0]})}
    subject = SUBJECT_OF_TASK.get(task_name)
    return {subject: args[0]} if subject else {}


@task_prerun.connect
def _task_started(task_id: str, task: Any, args: tuple[Any, ...], **_kwargs: Any) -> None:
    context = logs.log_context(task_id=task_id, task=task.name, **subject_ids(task.name, args))
    context.__enter__()
    _running[task_id] = (time.perf_counter(), context)


@task_postrun.connect
def _task_finished(task_id: str, task: Any, state: str | None = None, **_kwargs: Any) -> None:
    started, context = _running.pop(task_id, (None, None))
    if started is not None:
        outcome = (state or "unknown").lower()
        metrics.TASK_DURATION.labels(task.name, outcome).observe(time.perf_counter() - started)
    if context is not None:
        context.__exit__(None, None, None)


def declare_queues() -> None:
    """Create every queue in the broker before the processes that use it start.

    kombu's SQL transport creates a queue's row on first use, by a check then an
    insert: the web sending the first task while the worker declared the queue it
    consumes made one of them fail on the row's unique name, and the worker stopped
    with "Unrecoverable error" (seen in CI). Declared once here, the row is found."""
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in celery_app.conf.task_queues:
            queue.bind(channel).declare()
