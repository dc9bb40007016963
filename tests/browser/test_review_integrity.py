"""The bypass of issue 14 in Chromium, on SQLite and on PostgreSQL: an author changes a
verdict while a second reviewer holds its approval. The author can only withdraw it;
the approver's stale Approve approves nothing; the reader page shows what the approver
approved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from factcheck.accounts import services as accounts
from factcheck.publishing import services as publishing
from factcheck.review.models import Verdict
from tests.browser.conftest import BOTH_STACKS
from tests.browser.desk import sign_in
from tests.conftest import send_nothing
from tests.flow import one_claim_essay
from tests.unit.pages import PASSWORD
from web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(serve, settings):
    """The desk served on a real port (over each stack: see conftest's ``settings``),
    with an editor, two reviewers and an essay with one claim to check."""
    app = create_app(settings, dispatch=send_nothing)
    database = app.extensions["factcheck.database"]
    with database.scope() as session:
        for name, role in [("ed", "editor"), ("r1", "reviewer"), ("r2", "reviewer")]:
            user = accounts.create_user(session, name, role, display_name=name.upper())
            accounts.set_password(session, user, PASSWORD)
        session.flush()
        essay_id = one_claim_essay(session, "ed")
    yield serve(app), database, essay_id
    database.dispose()


def signed_in(browser, base_url: str, name: str):
    page = browser.new_context().new_page()
    page.set_default_timeout(60_000)
    sign_in(page, base_url, name)
    return page


def rate(page, rating: str, rationale: str) -> None:
    page.get_by_label(rating, exact=True).check()
    page.get_by_label("Rationale").fill(rationale)
    page.get_by_role("button", name="Submit verdict").click()
    page.wait_for_url(re.compile("/desk/queue$"))


@BOTH_STACKS
def test_a_withdrawn_verdict_cannot_be_approved_from_a_stale_page(browser, desk):
    base_url, database, essay_id = desk
    author = signed_in(browser, base_url, "r1")
    author.get_by_role("button", name="Take the next task").click()
    author.wait_for_url(re.compile(r"/desk/tasks/\d+$"))
    source_id = author.locator("[data-source]").first.get_attribute("data-source")
    author.locator(f"#cite-{source_id}").check()
    author.locator(f"#quote-{source_id}").fill("killed at least 215 people")
    rate(author, "Mostly true", "Close enough.")

    approver = signed_in(browser, base_url, "r2")
    approver.goto(f"{base_url}/desk/queue")
    approver.get_by_role("button", name="Take the next task").click()
    approver.wait_for_url(re.compile(r"/desk/tasks/\d+$"))
    assert approver.locator(".rated strong").inner_text() == "Mostly true"

    author.goto(f"{base_url}/desk/queue")
    author.get_by_role("button", name="Withdraw to change it").click()
    author.wait_for_url(re.compile(r"/desk/tasks/\d+$"))
    assert author.get_by_label("Rationale").input_value() == "Close enough."
    rate(author, "False", "The toll was 215, not 200.")

    approver.get_by_role("button", name="Approve").click()
    approver.locator("p.flash", has_text="withdrawn").wait_for()
    with database.scope() as session:
        assert session.scalars(select(Verdict.state)).all() == ["submitted"]

    approver.goto(f"{base_url}/desk/queue")
    approver.get_by_role("button", name="Take the next task").click()
    approver.wait_for_url(re.compile(r"/desk/tasks/\d+$"))
    assert approver.locator(".rated strong").inner_text() == "False"
    approver.get_by_role("button", name="Approve").click()
    approver.wait_for_url(re.compile("/desk/queue$"))

    with database.scope() as session:
        editor = accounts.user_by_name(session, "ed")
        masthead = publishing.Masthead("Desk", base_url)
        publishing.publish(session, essay_id, editor, masthead, base_url=base_url)
    approver.goto(f"{base_url}/fact-checks/{essay_id}")
    card = approver.locator("article.card").inner_text()
    assert "False" in card and "Mostly true" not in approver.content()
