"""Desk forms on PostgreSQL, which cannot store NUL: refused before they reach it."""

from __future__ import annotations

import pytest

from factcheck import migrate
from factcheck.accounts import services as accounts
from factcheck.db import Database
from factcheck.settings import Settings
from tests.unit.pages import PASSWORD, post, sign_in
from web import create_app

pytestmark = pytest.mark.integration


@pytest.fixture
def client(postgres_url, tmp_path):
    migrate.upgrade(postgres_url)
    database = Database(postgres_url)
    with database.scope() as session:
        accounts.set_password(session, accounts.create_user(session, "ed", "editor"), PASSWORD)
    database.dispose()
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, connectors="library")
    return create_app(settings, dispatch=lambda *_: None).test_client()


def test_a_nul_in_a_user_name_is_a_failed_sign_in(client):
    answer = sign_in(client, "ed\x00")
    assert answer.status_code == 200 and "Wrong user name or password" in answer.text


def test_a_nul_in_an_essay_is_refused_with_a_message(client):
    sign_in(client, "ed")
    answer = post(
        client, "/desk/essays/new", {"title": "T\x00", "text": "A text."}, "/desk/essays/new"
    )
    assert answer.status_code == 422 and "control characters" in answer.text
