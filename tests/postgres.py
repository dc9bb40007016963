"""PostgreSQL databases for tests: each test gets its own, dropped afterwards.

`postgres_url` is empty; `migrated_postgres_url` is at the migrations' head, copied
from a template migrated once per test session (copying takes a fraction of the
two seconds that migrating takes). Both the integration and the browser suites use
them (their conftests import these fixtures).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from factcheck import migrate
from tests.conftest import need_service

POSTGRES_ADMIN = os.environ.get(
    "FACTCHECK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


def database_url(name: str) -> str:
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


@contextmanager
def new_database(template: str | None = None) -> Iterator[str]:
    """A database made for the caller (a copy of ``template``, if named) and its URL;
    dropped at the end, whoever is still connected."""
    name = f"factcheck_it_{os.getpid()}_{time.monotonic_ns() % 10**12}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        need_service("PostgreSQL", str(error))
    with admin:
        copy = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{copy}')
        try:
            yield name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty database for one test."""
    with new_database() as name:
        yield database_url(name)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A database at the migrations' head, to copy (nobody connects to it after)."""
    with new_database() as name:
        migrate.upgrade(database_url(name))
        yield name


@pytest.fixture
def migrated_postgres_url(postgres_template: str) -> Iterator[str]:
    """A new database at the migrations' head for one test."""
    with new_database(template=postgres_template) as name:
        yield database_url(name)
