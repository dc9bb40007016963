"""Desk forms on PostgreSQL, which cannot store NUL: refused before they reach it."""

from __future__ import annotations

import pytest

from tests.unit.pages import post, sign_in

pytestmark = pytest.mark.integration


@pytest.fixture
def client(editor_on_postgres):
    return editor_on_postgres


def test_a_nul_in_a_user_name_is_a_failed_sign_in(client):
    answer = sign_in(client, "ed\x00")
    assert answer.status_code == 200 and "Wrong user name or password" in answer.text


def test_a_nul_in_an_essay_is_refused_with_a_message(client):
    sign_in(client, "ed")
    answer = post(
        client, "/desk/essays/new", {"title": "T\x00", "text": "A text."}, "/desk/essays/new"
    )
    assert answer.status_code == 422 and "control characters" in answer.text
