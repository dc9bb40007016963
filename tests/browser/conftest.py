"""Chromium driven by Playwright, and the app served on a real port."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from factcheck.settings import Settings, get_settings
from tests.conftest import ROOT, need_service
from tests.postgres import migrated_postgres_url, postgres_template

__all__ = ["migrated_postgres_url", "postgres_template"]  # fixtures

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
# Waits end when what they wait for happens; the limit only bounds a failure, and
# a busy machine must not hit it (for `expect` as for the page's own waits below).
expect.set_options(timeout=60_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        need_service("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    # Waits end when what they wait for happens; the limit only bounds a failure, and
    # a busy machine must not hit it.
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def serve():
    """Serve a Flask app on a free local port; returns its base URL."""
    servers = []

    def start(app) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()


# A full-page screenshot costs Chromium about half what the page's axe-core run does:
# the pages people look at are saved when FACTCHECK_SCREENSHOTS=1, and a failed
# browser test saves its page always.
SCREENSHOTS = os.environ.get("FACTCHECK_SCREENSHOTS") == "1"


def screenshot(page, name: str) -> None:
    """Save the whole page as tests/artifacts/``name``.png, when screenshots are asked for."""
    if SCREENSHOTS:
        save_screenshot(page, name)


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None and not page.is_closed():
        name = re.sub(r"[^\w.-]+", "-", item.name)
        report.sections.append(("screenshot", str(save_screenshot(page, f"failed-{name}"))))
    return report


# Browser tests check what the page does in Chromium, which does not depend on the
# database: they serve the app on SQLite. Those whose subject is what the database
# keeps when two people act at once (a stale page, a newer draft, a verdict approved
# meanwhile) also run on PostgreSQL, with this mark; the rest of the desk's data layer
# on PostgreSQL is the integration suite's.
BOTH_STACKS = pytest.mark.parametrize("settings", ["sqlite", "postgres"], indirect=True)


@pytest.fixture(params=["sqlite"])
def settings(request, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The embedded SQLite, or (``BOTH_STACKS``) PostgreSQL: a database at the
    migrations' head of its own."""
    if request.param == "sqlite":
        return settings
    monkeypatch.setenv("FACTCHECK_DATABASE_URL", request.getfixturevalue("migrated_postgres_url"))
    get_settings.cache_clear()
    return get_settings()
