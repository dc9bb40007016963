"""Signing out, a new password and disabling end every desk session of the user."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.sessions import SecureCookieSessionInterface

from factcheck.accounts import services as accounts
from factcheck.cli import main
from tests import signout


@pytest.fixture
def app(client, database):
    signout.make_people(database)
    return client.application


def test_a_cookie_saved_before_signing_out_is_refused(app, database):
    signout.check_an_old_cookie_is_refused(app, database, signout.sign_out)


def test_a_cookie_saved_before_a_password_change_is_refused(app, database):
    signout.check_an_old_cookie_is_refused(app, database, signout.new_password(database))


def test_a_cookie_saved_before_disabling_is_refused(app, database):
    signout.check_an_old_cookie_is_refused(app, database, signout.disable_and_enable(database))


def test_disabling_from_the_command_line_ends_the_sessions(app, database):
    def disable(_):
        for command in ("disable", "enable"):
            result = CliRunner().invoke(main, ["users", command, "ed"])
            assert result.exit_code == 0, result.output

    signout.check_an_old_cookie_is_refused(app, database, disable)


def test_a_rehash_at_sign_in_ends_no_session(app, database):
    """Only a new password ends sessions; storing the same one at new costs does not."""
    ed = signout.signed_in(app, "ed")
    with database.scope() as session:
        before = accounts.get_user(session, "ed").session_generation
    signout.signed_in(app, "ed")
    with database.scope() as session:
        assert accounts.get_user(session, "ed").session_generation == before
    assert signout.is_signed_in(ed)


def test_a_cookie_without_a_generation_is_refused(app, database):
    """Cookies made before sessions had generations, signed with the right key."""
    with database.scope() as session:
        user_id = accounts.get_user(session, "ed").id
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    browser = app.test_client()
    browser.set_cookie("session", serializer.dumps({"user_id": user_id}))
    assert not signout.is_signed_in(browser)
    assert browser.get_cookie("session") is None  # cleared, not kept
