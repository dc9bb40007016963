"""Work that follows a committed change: declared jobs, queued on the session.

A service that needs a next step (split a submitted essay, gather an edited claim,
deliver a publication's webhooks) queues a job on its session with ``queue``. Once
the session commits, each job goes to the dispatcher plugged in at start-up: Celery's
(``web.create_app``, ``workers.app``) or a test's recorder. A session that rolls back
sends nothing, so a worker never looks for a row that was not committed.

With no dispatcher plugged in, ``queue`` raises: work is never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from factcheck.db import on_commit


@dataclass(frozen=True)
class Job:
    """A kind of follow-up work: its short name, and the Celery task that does it."""

    name: str
    task: str


SPLIT_ESSAY = Job("split_essay", "factcheck.claims.tasks.split_essay")
GATHER_CLAIM = Job("gather_claim", "factcheck.sources.tasks.gather_claim")
GATHER_LOCAL = Job("gather_local", "factcheck.sources.tasks.gather_local")
GATHER_FROM = Job("gather_from", "factcheck.sources.tasks.gather_from")
DELIVER_WEBHOOK = Job("deliver_webhook", "factcheck.webhooks.tasks.deliver_webhook")
RECONCILE = Job("reconcile", "factcheck.reconcile.tasks.reconcile")  # sent by beat
ALL = (SPLIT_ESSAY, GATHER_CLAIM, GATHER_LOCAL, GATHER_FROM, DELIVER_WEBHOOK, RECONCILE)

# A job sent with its own ``time_limit`` (the soft limit) is killed this long after it.
HARD_LIMIT_AFTER = 5

# Sends one job with its arguments (ids, or a batch of runs for GATHER_LOCAL) and a
# keyword ``time_limit``: seconds this one job may run, or None for its task's own.
Dispatcher = Callable[..., None]

_dispatcher: Dispatcher | None = None


class NoDispatcher(RuntimeError):
    """Work was queued in a process where nothing was plugged in to send it."""


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Plug in how this process sends jobs: ``dispatcher(job, *args, time_limit=...)``."""
    global _dispatcher
    _dispatcher = dispatcher


def queue(session: Session, job: Job, *args: Any, time_limit: int | None = None) -> None:
    """Send ``job(*args)`` once ``session`` commits; never if it rolls back.
    ``time_limit``: seconds this job may run (a connector's own), in place of its task's."""
    dispatcher = _dispatcher
    if dispatcher is None:
        raise NoDispatcher(
            f"{job.name} was queued but no dispatcher is plugged in "
            "(factcheck.jobs.set_dispatcher, done by web.create_app and workers.app)"
        )
    on_commit(session, lambda: dispatcher(job, *args, time_limit=time_limit))
