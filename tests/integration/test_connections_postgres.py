"""Pooled connections the server dropped, on a real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import exc, text

from factcheck import db
from factcheck.db import Database
from tests.integration.conftest import POSTGRES_ADMIN

pytestmark = pytest.mark.integration


@pytest.fixture
def database(postgres_url):
    database = Database(postgres_url, pool_size=1, max_overflow=0)
    yield database
    database.engine.dispose()


def backend_pid(database: Database) -> int:
    with database.engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate(pid: int) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


def test_an_idle_connection_the_server_dropped_is_replaced_unseen(database, monkeypatch):
    first = backend_pid(database)
    terminate(first)
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # as if it had sat idle for long
    assert backend_pid(database) != first  # pinged, found gone, reconnected: no error


def test_a_busy_connection_dropped_fails_one_request_then_the_pool_recovers(database):
    first = backend_pid(database)  # idle for less than IDLE_PING_SECONDS: not pinged
    terminate(first)
    with pytest.raises(exc.OperationalError) as failure:
        backend_pid(database)
    assert failure.value.connection_invalidated
    assert backend_pid(database) != first
