"""Fixtures for unit tests: jobs wait in a list until a test runs them; an app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from factcheck import jobs
from factcheck.accounts import services as accounts
from factcheck.db import Database
from factcheck.settings import Settings
from factcheck.sources import library
from tests import factories
from tests.conftest import SEEDS
from tests.unit.pages import PASSWORD, sign_in
from web import create_app
from workers.app import celery_app

celery_app.loader.import_default_modules()  # the domain task modules, as a worker does
JOBS = {job.name: job for job in jobs.ALL}


class Queue:
    """Stands in for Celery: jobs sent after commit wait here, by name, until run."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[Any, ...]]] = []
        self.time_limits: list[tuple[str, tuple[Any, ...], int | None]] = []  # all ever sent

    def dispatch(self, job: jobs.Job, *args: Any, time_limit: int | None = None) -> None:
        self.sent.append((job.name, args))
        self.time_limits.append((job.name, args, time_limit))

    def run_all(self) -> None:
        """Run what was sent, as plain functions, and what that sends, until none is left."""
        while self.sent:
            name, args = self.sent.pop(0)
            celery_app.tasks[JOBS[name].task].run(*args)


@pytest.fixture(autouse=True)
def queue() -> Iterator[Queue]:
    """Every unit test's jobs go here (an app made with ``dispatch=`` takes over)."""
    queue = Queue()
    jobs.set_dispatcher(queue.dispatch)
    yield queue
    jobs.set_dispatcher(None)


@pytest.fixture
def client(settings: Settings, database: Database, queue: Queue):
    with database.scope() as session:
        library.import_library(session, SEEDS / "library.json")
    app = create_app(settings, dispatch=queue.dispatch)
    return app.test_client()


@pytest.fixture
def token(database: Database) -> Callable[[str, str], str]:
    def make(name: str, role: str) -> str:
        with database.scope() as session:
            return accounts.issue_token(session, accounts.create_user(session, name, role))

    return make


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(database: Database) -> dict[str, str]:
    """An editor and two reviewers who sign in with ``pages.PASSWORD``."""
    with database.scope() as session:
        for name, role in [("ed", "editor"), ("rev", "reviewer"), ("rev2", "reviewer")]:
            accounts.set_password(session, accounts.create_user(session, name, role), PASSWORD)
    return {"editor": "ed", "reviewer": "rev", "second": "rev2"}


@pytest.fixture
def desk_essay(client, people, database: Database) -> dict[str, str]:
    """A gathered essay; its path, its first claim and a task of it, signed in as editor.

    Made from factories: tests of the pipeline itself submit essays through it.
    """
    with database.scope() as session:
        editor = accounts.user_by_name(session, "ed")
        essay, tasks = factories.reviewable_essay(session, editor)
        ids = {"essay_id": str(essay.id), "claim_id": str(tasks[0].claim_id)}
        ids["task_id"] = str(tasks[0].id)
    sign_in(client, "ed")
    return {"essay": f"/desk/essays/{ids['essay_id']}", **ids}
