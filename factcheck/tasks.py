"""What every domain's Celery tasks share: their options and the process's database.

Tasks are ``celery.shared_task``s in each domain's ``tasks.py``, named after the job
constants in ``factcheck.jobs``; the Celery app that runs them is ``workers.app``.
A task stays thin: load by id, call a service, commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError

from factcheck.db import Database, get_database
from factcheck.settings import get_settings

TASK_LIMIT = 120  # seconds a step may run before it is stopped (soft limit)
# Retry only what a retry can fix: the database went away.
STEP: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
    "soft_time_limit": TASK_LIMIT,
    "time_limit": TASK_LIMIT + 30,
}


def database() -> Database:
    return get_database(get_settings().resolved_database_url())
