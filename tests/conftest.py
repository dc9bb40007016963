"""Fixtures shared by every suite.

Unit tests run on SQLite: the schema is built once by the migrations into a
template file, and each test gets its own copy. Integration and browser tests
need real services; with FACTCHECK_REQUIRE_SERVICES=1 (as .ci/run sets) a
missing service fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from factcheck import migrate
from factcheck.accounts import services as accounts
from factcheck.accounts.models import User
from factcheck.db import Database
from factcheck.settings import Settings, get_settings
from factcheck.sources import library

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ESSAY = (SEEDS / "the-next-step-think-vietnam.txt").read_text()
REQUIRE_SERVICES = os.environ.get("FACTCHECK_REQUIRE_SERVICES") == "1"
# The cheapest Argon2id costs: tests sign in hundreds of times. Processes that
# tests start keep production's costs.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def xdist_worker() -> int:
    """This pytest-xdist worker's number ("gw1" -> 1); 0 without xdist."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def need_service(name: str, reason: str) -> None:
    """Fail (in CI) or skip (on a laptop) a test whose service is not there."""
    message = f"{name} is not reachable: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    accounts.use_hasher(CHEAP_HASHER)
    yield
    accounts.use_hasher(accounts.PRODUCTION_HASHER)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "factcheck.sqlite"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(tmp_path: Path, template_database: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for one test, also put in the environment for code that reads it there."""
    shutil.copy(template_database, tmp_path / "factcheck.sqlite")
    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FACTCHECK_DATABASE_URL", raising=False)
    monkeypatch.delenv("FACTCHECK_BROKER_URL", raising=False)
    # Offline connectors only; tests of network connectors point them at local servers.
    monkeypatch.setenv("FACTCHECK_CONNECTORS", "library,desk")
    # Every checkable claim is chosen for checking at once, as before triage: the tests
    # of review and publishing want tasks; the triage tests choose per essay.
    monkeypatch.setenv("FACTCHECK_TRIAGE_DEFAULT", "all")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    database = Database(settings.resolved_database_url())
    yield database
    database.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    session = database.sessions()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    def make(name: str, role: str = "reviewer") -> User:
        user = accounts.create_user(session, name, role)
        session.flush()
        return user

    return make


@pytest.fixture
def demo_library(session: Session) -> None:
    library.import_library(session, SEEDS / "library.json")
    session.flush()


def problem_of(response: Any) -> dict[str, Any]:
    """The problem body of an error response, checking its media type and fields."""
    assert response.mimetype == "application/problem+json", response.data
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == response.status_code
    return body


def send_nothing(*_args: Any, **_options: Any) -> None:
    """A job dispatcher for an app whose jobs no test runs."""
