"""One check of the migrations, run on SQLite (unit) and PostgreSQL (integration)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from factcheck import migrate
from factcheck.db import Database
from factcheck.models import Base
from factcheck.sources import library
from tests.conftest import SEEDS


def check_migrations(url: str) -> None:
    migrate.upgrade(url)
    migrate.check(url)  # raises if the models and the migrated schema differ
    database = Database(url)
    try:
        assert migrate.is_at_head(database.engine, url)
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with database.scope() as session:
            assert library.import_library(session, SEEDS / "library.json") == (30, 0)
        with database.scope() as session:
            found = library.search(session, "car bombs Sadr City killed 215", limit=3)
            assert found and found[0][0].ref == "ref-01"
            assert all(0 < score < 1 for _, score in found)
            assert [score for _, score in found] == sorted((s for _, s in found), reverse=True)
        check_audit_is_append_only(database)
    finally:
        database.engine.dispose()
    migrate.downgrade(url, "base")
    emptied = Database(url)
    try:
        assert not set(Base.metadata.tables) & set(inspect(emptied.engine).get_table_names())
    finally:
        emptied.engine.dispose()
    migrate.upgrade(url)


def check_audit_is_append_only(database: Database) -> None:
    with database.scope() as session:
        session.execute(
            text(
                "INSERT INTO audit_events (at, action, subject_type, subject_id) "
                "VALUES (CURRENT_TIMESTAMP, 'test.event', 'essays', 1)"
            )
        )
    for statement in ("UPDATE audit_events SET action = 'rewritten'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), database.scope() as session:
            session.execute(text(statement))
    with database.scope() as session:
        assert session.scalar(text("SELECT action FROM audit_events")) == "test.event"
