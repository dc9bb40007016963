"""Every API operation and every desk page against every kind of caller.

Allowed callers get past authentication (whatever the answer after that: 200,
404, 409, 422); the others get 401 (no valid identity) or 403 (wrong role), and
the same answer whether or not the resource exists.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from factcheck.accounts import services as accounts
from factcheck.db import utcnow
from tests.unit.conftest import auth
from tests.unit.pages import PASSWORD, sign_in, token_from
from web.api import api

CALLERS = ["anonymous", "editor", "reviewer", "admin", "disabled", "expired", "revoked"]
DENIED_IDENTITY = {"anonymous", "disabled", "expired", "revoked"}


@pytest.fixture
def callers(database, client, queue) -> dict[str, dict[str, str]]:
    """A bearer token for each kind of caller, and some rows to point at."""
    tokens = {"anonymous": None}
    with database.scope() as session:
        for name in ("editor", "reviewer", "admin"):
            tokens[name] = accounts.issue_token(session, accounts.create_user(session, name, name))
        disabled = accounts.create_user(session, "disabled", "editor")
        tokens["disabled"] = accounts.issue_token(session, disabled)
        accounts.set_disabled(session, disabled, True)
        ghost = accounts.create_user(session, "ghost", "admin")
        tokens["expired"] = accounts.issue_token(session, ghost, utcnow() - timedelta(minutes=1))
        tokens["revoked"] = accounts.issue_token(session, ghost)
        accounts.revoke_tokens(session, ghost)
    essay = {"title": "Short", "text": "Car bombs killed more than 200 people on Thursday."}
    client.post("/api/v1/essays", json=essay, headers=auth(tokens["editor"]))
    queue.run_all()
    return {name: auth(token) if token else {} for name, token in tokens.items()}


def expected(roles: tuple[str, ...] | None, caller: str) -> str:
    if roles is None:
        return "allowed"
    if caller in DENIED_IDENTITY:
        return "401"
    if caller == "admin" or not roles or caller in roles:
        return "allowed"
    return "403"


def fill(path: str, value: int) -> str:
    return re.sub(r"{\w+}", str(value), path)


OPERATIONS = [(op.method, op.path, op.roles, op.body is not None) for op in api.operations]


@pytest.mark.parametrize(
    ("method", "path", "roles", "has_body"),
    OPERATIONS,
    ids=[f"{m} {p}" for m, p, _, _ in OPERATIONS],
)
def test_every_api_operation_for_every_caller(client, callers, method, path, roles, has_body):
    for caller in CALLERS:
        for target in (1, 987654):  # a row that exists and one that does not
            response = client.open(
                "/api/v1" + fill(path, target),
                method=method,
                headers=callers[caller],
                json={} if has_body else None,
            )
            want = expected(roles, caller)
            if want == "allowed":
                assert response.status_code not in (401, 403), (caller, target, response.json)
            else:
                assert response.status_code == int(want), (caller, target, response.json)
                assert response.mimetype == "application/problem+json"


def desk_pages(app) -> list[tuple[str, str, tuple[str, ...]]]:
    pages = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        if roles is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            pages.append((method, re.sub(r"<[^>]+>", "{id}", rule.rule), roles))
    return pages


def test_the_page_table_covers_every_desk_page(client):
    covered = {path for _, path, _ in desk_pages(client.application)}
    served = {
        re.sub(r"<[^>]+>", "{id}", r.rule)
        for r in client.application.url_map.iter_rules()
        if r.rule.startswith("/desk")
    }
    assert covered == served


def signed_in_client(app, name: str):
    client = app.test_client()
    sign_in(client, name)
    return client


def test_every_desk_page_for_every_caller(client, callers, database):
    app = client.application
    with database.scope() as session:
        for name in ("editor", "reviewer", "admin", "disabled"):
            accounts.set_password(session, accounts.user_by_name(session, name), PASSWORD)
    sessions = {"anonymous": app.test_client()}
    for name in ("editor", "reviewer", "admin"):
        sessions[name] = signed_in_client(app, name)
    # A user disabled after signing in loses the session at the next request.
    with database.scope() as session:
        accounts.set_disabled(session, accounts.user_by_name(session, "disabled"), False)
    sessions["disabled"] = signed_in_client(app, "disabled")
    with database.scope() as session:
        accounts.set_disabled(session, accounts.user_by_name(session, "disabled"), True)

    for method, path, roles in desk_pages(app):
        for caller, browser in sessions.items():
            for target in (1, 987654):
                data = {}
                if method == "POST":
                    data["csrf_token"] = token_from(browser.get("/login").text)
                response = browser.open(fill(path, target), method=method, data=data)
                where = (method, path, caller, target, response.status_code)
                if caller in ("anonymous", "disabled"):
                    assert response.status_code == 302, where
                    assert "/login" in response.location, where
                elif caller == "admin" or not roles or caller in roles:
                    assert response.status_code not in (401, 403), where
                    assert "/login" not in (response.location or ""), where
                else:
                    assert response.status_code == 403, where
