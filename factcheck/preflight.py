"""What `factcheck up` checks before it starts anything.

Each check returns None when all is well, or one line saying what is wrong and
what to do, so that a mistake in the settings never ends in a traceback or in
half a service running.
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Any

from kombu import Connection
from kombu.utils.url import maybe_sanitize_url
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from factcheck import secret_key
from factcheck.settings import Settings

CONNECT_TIMEOUT_SECONDS = 3
DATABASE_SETTING = "FACTCHECK_DATABASE_URL"
BROKER_SETTING = "FACTCHECK_BROKER_URL"
DATABASE_EXAMPLE = "postgresql+psycopg://user@host/db or sqlite:///PATH"
# kombu's SQL transport connects only when it first sends; its database is checked
# as a database instead.
SQL_BROKER_PREFIX = "sqla+"


def problems(settings: Settings, host: str, port: int) -> list[str]:
    """Every problem found, in the order an operator should fix them; stops early
    only where a later check could not mean anything."""
    data_dir = data_dir_problem(settings.data_dir)
    if data_dir:
        return [data_dir]
    found = [
        secret_key_problem(settings, host),
        port_problem(host, port),
        database_problem(settings.resolved_database_url()),
        broker_problem(settings.resolved_broker_url()),
    ]
    return [problem for problem in found if problem]


def data_dir_problem(data_dir: Path) -> str | None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"cannot make the data dir {data_dir} ({error.strerror}); set FACTCHECK_DATA_DIR"
    return None


def secret_key_problem(settings: Settings, host: str) -> str | None:
    """Is there a key, and a secret one when others can reach the service?"""
    try:
        key = secret_key.secret_key(settings)
    except (OSError, ValueError) as error:
        path = settings.data_dir / secret_key.KEY_FILE
        reason = getattr(error, "strerror", None) or str(error)
        return (
            f"cannot read or make the secret key file {path} ({reason}); set FACTCHECK_SECRET_KEY"
        )
    if secret_key.is_development(key) and not secret_key.is_loopback(host):
        return (
            f"FACTCHECK_SECRET_KEY is the public development key, unsafe on {host}; "
            "unset it (a random key is kept in the data dir) or set a secret one"
        )
    return None


def port_problem(host: str, port: int) -> str | None:
    """Can a server listen on host:port? Tried by binding it, as gunicorn will."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        return f"cannot resolve the host {host} ({error.strerror}); pass another --host"
    with socket.socket(family, kind, proto) as sock:
        # As gunicorn does, so that a port left in TIME_WAIT by a stopped run counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is in use; stop what holds it or pass --port"
            return (
                f"cannot listen on {host}:{port} ({error.strerror}); pass another --host or --port"
            )
    return None


def database_problem(
    url: str, name: str = "database", setting: str = DATABASE_SETTING
) -> str | None:
    """Does the database at ``url`` answer a query?"""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"{setting} is not a URL SQLAlchemy reads; e.g. {DATABASE_EXAMPLE}"
    shown = parsed.render_as_string(hide_password=True)
    try:
        engine = create_engine(parsed, poolclass=NullPool, connect_args=_timeout_args(parsed))
    except (NoSuchModuleError, ImportError):
        return f"no driver for the {name} URL {shown}; fix {setting}, e.g. {DATABASE_EXAMPLE}"
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # whatever the driver raises, the answer is the same
        return _no_answer(name, shown, setting, error)
    finally:
        engine.dispose()
    return None


def _timeout_args(url: URL) -> dict[str, Any]:
    """Not to wait long for a host that drops packets (SQLite connects to a file)."""
    if url.get_backend_name() == "postgresql":
        return {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return {}


def broker_problem(url: str) -> str | None:
    """Does the Celery broker at ``url`` take a connection?"""
    if url.startswith(SQL_BROKER_PREFIX):
        return database_problem(url.removeprefix(SQL_BROKER_PREFIX), "broker", BROKER_SETTING)
    try:
        with Connection(url, connect_timeout=CONNECT_TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    except Exception as error:  # a bad scheme is a KeyError; an unreachable host, OSError
        return _no_answer("broker", maybe_sanitize_url(url), BROKER_SETTING, error)
    return None


def _no_answer(name: str, shown: str, setting: str, error: BaseException) -> str:
    """One line: the first line of what the driver said, without SQLAlchemy's wrapping."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    reason = lines[0] if lines else type(original).__name__
    return f"the {name} at {shown} does not answer ({reason}); start it or fix {setting}"
