"""Alembic environment: the URL comes from the config the caller built."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from factcheck.db import make_engine
from factcheck.models import Base

# Full-text search objects are dialect-specific SQL written by hand in the
# migrations (an FTS5 virtual table with its shadow tables, a GIN index);
# autogenerate must not try to drop them.
HAND_WRITTEN_PREFIXES = ("library_fts", "ix_library_documents_fts", "ix_review_tasks_next")


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    return not (name and name.startswith(HAND_WRITTEN_PREFIXES))


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_without_foreign_keys(connection: Connection) -> None:
    """On SQLite, migrate with foreign keys off, as batch mode needs: it copies a table,
    drops the old one and renames the copy, and dropping a table that other rows refer
    to would fail (or delete them). A migration that copies such a table checks them
    itself at its end (PRAGMA foreign_key_check). The pragma only works outside a
    transaction, so it goes to the driver's connection before the migration's begins."""
    if connection.dialect.name != "sqlite":
        run_with(connection)
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        run_with(connection)
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_without_foreign_keys(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            run_without_foreign_keys(connection)
    finally:
        engine.dispose()


run()
