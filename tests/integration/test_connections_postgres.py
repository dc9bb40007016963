"""Pooled connections the server dropped, on a real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from factcheck import db
from factcheck.db import Database
from tests.postgres import POSTGRES_ADMIN
from tests.service import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def database(postgres_url):
    database = Database(postgres_url, pool_size=1, max_overflow=0)
    yield database
    database.dispose()


def backend_pid(database: Database) -> int:
    with database.engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate(pid: int) -> None:
    """End a backend and wait until it is gone (its goodbye sent, its socket closed)."""
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        query = "SELECT 1 FROM pg_stat_activity WHERE pid = %s"
        wait_for(lambda: admin.execute(query, [pid]).fetchone() is None, f"backend {pid} ending")


def test_a_connection_the_server_just_dropped_is_replaced_unseen(database):
    first = backend_pid(database)  # back in the pool, idle for a moment only
    terminate(first)
    assert backend_pid(database) != first  # pinged, found gone, reconnected: no error


def test_only_a_connection_that_may_be_gone_is_pinged(database, monkeypatch):
    backend_pid(database)
    pings = []
    monkeypatch.setattr(database.engine.dialect, "do_ping", lambda c: pings.append(c) or True)
    backend_pid(database)
    assert pings == []  # used a moment ago, nothing arrived since: no round trip
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # as if it had sat idle for long
    backend_pid(database)
    assert len(pings) == 1


def test_only_lease_sessions_commit_without_waiting_for_the_disk(database):
    with database.lease_scope() as session:
        assert session.scalar(text("SHOW synchronous_commit")) == "off"
    for scope in (database.scope, database.read_scope):
        with scope() as session:
            assert session.scalar(text("SHOW synchronous_commit")) == "on"
