"""Ending sessions: one check, run on SQLite (unit) and PostgreSQL (integration).

A desk session is a signed cookie; a copy of it saved before signing out, a password
change or disabling must be refused afterwards, while other users stay signed in.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from factcheck.accounts import services as accounts
from factcheck.db import Database
from tests.unit.pages import PASSWORD, post, sign_in

PAGE = "/desk/essays"  # an editor's page: 200 when signed in, else off to /login


def make_people(database: Database) -> None:
    with database.scope() as session:
        for name in ("ed", "ed2"):
            accounts.set_password(session, accounts.create_user(session, name, "editor"), PASSWORD)


def signed_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, name).status_code == 302
    assert client.get(PAGE).status_code == 200
    return client


def saved_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def is_signed_in(client: FlaskClient) -> bool:
    answer = client.get(PAGE)
    assert answer.status_code in (200, 302), answer.status_code
    return answer.status_code == 200


def check_an_old_cookie_is_refused(
    app: Flask, database: Database, end: Callable[[FlaskClient], None]
) -> None:
    """``end`` ends ed's sessions (given a client signed in as ed): a copy of ed's
    cookie saved before is refused after, in any browser, and ed2 stays signed in."""
    ed, other_ed, ed2 = signed_in(app, "ed"), signed_in(app, "ed"), signed_in(app, "ed2")
    copied = saved_cookie(ed)
    end(ed)
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert not is_signed_in(replay)
    assert not is_signed_in(other_ed)  # the same user's other browser
    assert is_signed_in(ed2)
    # Signing in again works, and makes a cookie that works.
    assert is_signed_in(signed_in(app, "ed"))


def sign_out(client: FlaskClient) -> None:
    assert post(client, "/logout", from_page=PAGE).status_code == 302


def new_password(database: Database) -> Callable[[FlaskClient], None]:
    def change(_: FlaskClient) -> None:
        with database.scope() as session:
            accounts.set_password(session, accounts.get_user(session, "ed"), PASSWORD + "!")
            accounts.set_password(session, accounts.get_user(session, "ed"), PASSWORD)

    return change


def disable_and_enable(database: Database) -> Callable[[FlaskClient], None]:
    def disable(_: FlaskClient) -> None:
        for disabled in (True, False):  # enabled again: the old cookies stay dead
            with database.scope() as session:
                accounts.set_disabled(session, accounts.get_user(session, "ed"), disabled)

    return disable
