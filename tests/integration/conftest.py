"""Real services: PostgreSQL, Redis, and `factcheck up` as a user starts it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from flask.testing import FlaskClient

from factcheck import migrate
from factcheck.db import Database
from factcheck.settings import Settings
from tests.conftest import need_service, xdist_worker
from web import create_app

pytestmark = pytest.mark.integration

POSTGRES_ADMIN = os.environ.get(
    "FACTCHECK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
# Each xdist worker gets its own Redis database (gw0: 15, gw1: 14, ...), since the
# fault tests empty theirs and drop its clients.
REDIS = os.environ.get("FACTCHECK_TEST_REDIS", f"redis://127.0.0.1:6379/{15 - xdist_worker()}")


def _database_url(name: str) -> str:
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty database for one test, dropped afterwards."""
    name = f"factcheck_it_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        need_service("PostgreSQL", str(error))
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield _database_url(name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=3)
    try:
        client.flushdb()
    except redis.RedisError as error:
        need_service("Redis", str(error))
    return REDIS


@pytest.fixture
def web_on_postgres(postgres_url: str, tmp_path: Path) -> Iterator[tuple[FlaskClient, Database]]:
    """The web app on a PostgreSQL database migrated to head (it sends no tasks), and the
    app's own database, for setting up rows."""
    migrate.upgrade(postgres_url)
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, connectors="library")
    app = create_app(settings, dispatch=lambda *_: None)
    database = app.extensions["factcheck.database"]
    yield app.test_client(), database
    database.dispose()
