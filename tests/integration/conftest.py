"""Real services: PostgreSQL, Redis, and `factcheck up` as a user starts it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient

from factcheck.db import Database
from factcheck.settings import Settings
from tests.conftest import need_service, send_nothing, xdist_worker
from tests.postgres import migrated_postgres_url, postgres_template, postgres_url
from web import create_app

__all__ = ["migrated_postgres_url", "postgres_template", "postgres_url"]  # fixtures

pytestmark = pytest.mark.integration

# Each xdist worker gets its own Redis database (gw0: 15, gw1: 14, ...), since the
# fault tests empty theirs and drop its clients.
REDIS = os.environ.get("FACTCHECK_TEST_REDIS", f"redis://127.0.0.1:6379/{15 - xdist_worker()}")


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=3)
    try:
        client.flushdb()
    except redis.RedisError as error:
        need_service("Redis", str(error))
    return REDIS


@pytest.fixture
def web_on_postgres(
    migrated_postgres_url: str, tmp_path: Path
) -> Iterator[tuple[FlaskClient, Database]]:
    """The web app on a PostgreSQL database migrated to head (it sends no tasks), and the
    app's own database, for setting up rows."""
    settings = Settings(data_dir=tmp_path, database_url=migrated_postgres_url, connectors="library")
    app = create_app(settings, dispatch=send_nothing)
    database = app.extensions["factcheck.database"]
    yield app.test_client(), database
    database.dispose()


@pytest.fixture
def editor_on_postgres(web_on_postgres: tuple[FlaskClient, Database]) -> FlaskClient:
    """The web app on PostgreSQL with the editor "ed", whose password is PASSWORD."""
    from factcheck.accounts import services as accounts
    from tests.unit.pages import PASSWORD

    client, database = web_on_postgres
    with database.scope() as session:
        accounts.set_password(session, accounts.create_user(session, "ed", "editor"), PASSWORD)
    return client
