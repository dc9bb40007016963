"""Signing in to the desk in Chromium, as a user would."""

from __future__ import annotations

import re

from tests.unit.pages import PASSWORD


def sign_in(page, base_url: str, name: str, password: str = PASSWORD) -> None:
    """Sign in on the login page; wait for the desk page it leads to."""
    page.goto(f"{base_url}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/desk/"))
