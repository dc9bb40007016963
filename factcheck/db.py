"""Engine, sessions, the declarative base and the after-commit hook."""

from __future__ import annotations

import logging
import select
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, MetaData, String, Update, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator

from factcheck.states import Status, sql_in

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids and versions are INTEGER columns: 32 bits on PostgreSQL, so nothing above this
# exists, and a query with a larger number fails ("integer out of range").
MAX_INT = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StatusType(TypeDecorator[Status]):
    """A status column: stored as the member's string, loaded as the enum member (so
    pages can show its label); a value that is no member is refused before the database."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[Status], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else str(self.enum(value))

    def process_result_value(self, value: str | None, dialect: Any) -> Status | None:
        return None if value is None else self.enum(value)


def status_check(column: str, enum: type[Status]) -> CheckConstraint:
    """The database refuses any value of ``column`` that is not a member of ``enum``.

    Named ``column`` (the naming convention makes it ck_<table>_<column>), so the
    migration that adds it and the model agree.
    """
    return CheckConstraint(sql_in(column, enum), name=column)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}  # noqa: RUF012


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and immediate transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, **kwargs)
    _ping_after_idle(engine)
    return engine


# A pooled connection that has sat this long is pinged before use.
IDLE_PING_SECONDS = 5.0


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it may be gone.

    ``pool_pre_ping`` pings on every checkout: a round trip that cost a tenth of a
    reviewer-queue request. Here a connection is pinged when the server has written
    to it while it sat in the pool (a terminated backend or a restart says goodbye
    before closing; a select() on the socket sees that without a round trip), or
    when it sat idle for a while (a firewall may have dropped it silently). A dead
    connection found so is replaced before the request uses it.
    """

    @event.listens_for(engine, "checkin")
    def _note_idle(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_maybe_gone(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None:
            return  # just connected
        idle = time.monotonic() - idle_since
        if idle < IDLE_PING_SECONDS and not _server_wrote(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"a pooled connection is gone: {error}") from error


def _server_wrote(dbapi_connection: Any) -> bool:
    """Has the server sent anything to this idle connection (or closed it)?"""
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError, AttributeError):
        return True  # closed, or no socket to look at: let the ping decide
    return bool(readable)


def use_wal(path: Path, wait_seconds: float = 30.0) -> None:
    """Put a SQLite file in WAL mode; the mode stays with the file.

    Switching needs the file to itself: SQLite refuses at once ("database is locked",
    no busy wait) while another connection writes, e.g. a process starting beside
    this one creating its tables. So try again until ``wait_seconds`` have passed.
    Once the file is in WAL mode, asking again never waits.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with closing(sqlite3.connect(path, timeout=wait_seconds)) as connection:
                connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front. A deferred transaction that
        # reads, then writes after another process committed, fails at once with
        # SQLITE_BUSY_SNAPSHOT instead of waiting; web, worker and beat all write.
        # Sessions that only read say so and take no lock (WAL lets them read).
        readonly = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


READ_ONLY = "factcheck_read_only"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    _install_commit_hooks(factory)
    return factory


def on_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run ``callback`` after ``session`` commits; drop it if the session rolls back.

    Celery tasks are sent this way, so a worker never looks for a row that is
    not committed yet.
    """
    session.info.setdefault("after_commit", []).append(callback)


def _install_commit_hooks(factory: sessionmaker[Session]) -> None:
    @event.listens_for(factory, "after_commit")
    def _run_callbacks(session: Session) -> None:
        callbacks = session.info.pop("after_commit", [])
        for callback in callbacks:
            try:
                callback()
            except Exception:
                # The commit stands: the reconciler re-sends work whose message
                # never left (a broker outage), so the caller must not fail now.
                log.exception("after-commit callback failed; the reconciler will retry")

    @event.listens_for(factory, "after_soft_rollback")
    def _drop_callbacks(session: Session, _previous_transaction: Any) -> None:
        session.info.pop("after_commit", None)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success, rolls back on error and always closes."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def write_loaded(
    session: Session, statement: Update, rows: Sequence[Base], values: dict[str, Any], **params: Any
) -> int:
    """UPDATE loaded rows with one statement and give their objects ``values`` as if loaded.

    ``statement`` is built once by the caller: it selects its rows by ``ids`` (an
    expanding parameter) and sets each column in ``values`` from the parameter of the
    same name; ``params`` are its other parameters. The unit of work is bypassed: on
    the reviewer queue's requests it cost more than everything else together. Returns
    how many rows were updated; the objects take the values only if all were.
    """
    if any(row.id is None for row in rows):
        session.flush()
    updated = session.execute(statement, {"ids": [row.id for row in rows], **values, **params})
    if updated.rowcount == len(rows):  # else the caller refuses, and rolls back
        for row in rows:
            for key, value in values.items():
                set_committed_value(row, key, value)
    return updated.rowcount


@contextmanager
def captured_statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every (SQL, parameters) the engine sends inside the block (for executemany, the
    list of parameter sets): what tests and benchmarks check a piece of code sends."""
    seen: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


class Database:
    """An engine and its session factories: one per process and database URL."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_options)
        self.sessions = make_session_factory(self.engine)
        self.read_sessions = make_session_factory(
            self.engine.execution_options(**{READ_ONLY: True})
        )
        self.lease_engine = self.engine
        if url.startswith("postgresql"):
            connect_args = {**engine_options.pop("connect_args", {}), "options": ASYNC_COMMIT}
            self.lease_engine = make_engine(url, connect_args=connect_args, **engine_options)
        self.lease_sessions = make_session_factory(self.lease_engine)

    def scope(self) -> AbstractContextManager[Session]:
        return session_scope(self.sessions)

    def read_scope(self) -> AbstractContextManager[Session]:
        """A session for reading only: on SQLite it takes no write lock."""
        return session_scope(self.read_sessions)

    def lease_scope(self) -> AbstractContextManager[Session]:
        """A session that only takes, extends or gives back a lease on a review task.

        On PostgreSQL its commit does not wait for the write-ahead log to reach the
        disk; that wait was a third of the cost of each queue request. A crash of the
        database server can forget the last fraction of a second of such commits
        (wal_writer_delay, 200 ms by default, up to three times that): each of those
        tasks is then as it was before, open or held under its old lease, with its claim
        and audit trail in step, and the reviewer who was told they hold it gets a 409
        and claims again. Every other change waits for the disk. (SQLite already commits
        with synchronous=NORMAL.)
        """
        return session_scope(self.lease_sessions)

    def dispose(self, close: bool = True) -> None:
        """Drop pooled connections; ``close=False`` in a forked child that inherited
        them (the parent still uses them)."""
        self.engine.dispose(close=close)
        self.lease_engine.dispose(close=close)


ASYNC_COMMIT = "-c synchronous_commit=off"


_databases: dict[str, Database] = {}


def get_database(url: str) -> Database:
    """The process's ``Database`` for ``url``, created on first use."""
    if url not in _databases:
        _databases[url] = Database(url)
    return _databases[url]


def dispose_all() -> None:
    """Drop pooled connections, e.g. in a forked worker child that inherited them."""
    for database in _databases.values():
        database.dispose(close=False)
