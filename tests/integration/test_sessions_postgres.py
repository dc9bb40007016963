"""Ending every session of a user on PostgreSQL (the unit tests run the same on SQLite)."""

from __future__ import annotations

import pytest

from tests import signout

pytestmark = pytest.mark.integration


@pytest.fixture
def app(web_on_postgres):
    client, database = web_on_postgres
    signout.make_people(database)
    return client.application


def test_a_cookie_saved_before_signing_out_is_refused(app, web_on_postgres):
    signout.check_an_old_cookie_is_refused(app, web_on_postgres[1], signout.sign_out)


def test_a_cookie_saved_before_a_password_change_is_refused(app, web_on_postgres):
    database = web_on_postgres[1]
    signout.check_an_old_cookie_is_refused(app, database, signout.new_password(database))


def test_a_cookie_saved_before_disabling_is_refused(app, web_on_postgres):
    database = web_on_postgres[1]
    signout.check_an_old_cookie_is_refused(app, database, signout.disable_and_enable(database))
