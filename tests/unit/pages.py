"""Signing in and posting desk forms through Flask's test client, as a browser would."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

PASSWORD = "correct horse battery"


def token_from(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, name: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token_from(page.text)},
    )


def post(client, path: str, data: dict | None = None, from_page: str = "/desk/"):
    """Post a form with the CSRF token of ``from_page``, the page the form is on."""
    token = token_from(client.get(from_page, follow_redirects=True).text)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def take_next_task_as(client: FlaskClient, name: str) -> str:
    """Sign out, sign in as ``name`` and take the next task from the queue; its path."""
    post(client, "/logout")
    sign_in(client, name)
    return post(client, "/desk/queue/next", {}, "/desk/queue").location
