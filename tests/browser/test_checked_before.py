"""The reviewer's "Checked before" box in Chromium: first on the page, and the earlier
fact-check it names can be quoted and cited (both stacks)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from factcheck.accounts import services as accounts
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from tests.browser.desk import sign_in
from tests.conftest import send_nothing
from tests.factchecks import seed_checked_before
from tests.unit.pages import PASSWORD
from web import create_app

pytestmark = pytest.mark.browser


def test_a_strong_earlier_check_stands_first_and_can_be_cited(page, settings, database, serve):
    app = create_app(settings, dispatch=send_nothing)
    base = serve(app)
    with database.scope() as session:
        accounts.create_user(session, "ed", "editor")
        reviewer = accounts.create_user(session, "rev", "reviewer")
        accounts.set_password(session, reviewer, PASSWORD)
    claim_id, source_id = seed_checked_before(database)
    with database.scope() as session:
        task_id = session.scalar(select(ReviewTask.id).where(ReviewTask.claim_id == claim_id))
        review.take_task(session, task_id, accounts.user_by_name(session, "rev"), 600)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, base, "rev")
    page.goto(f"{base}/desk/tasks/{task_id}")
    box = page.locator("aside.checked-before")
    assert box.count() == 1 and "Rated “True” by Checkers" in box.inner_text()
    sources = page.locator("#sources-heading")
    assert box.bounding_box()["y"] < sources.bounding_box()["y"]
    assert page.evaluate("() => !document.querySelector('img[src=x]')")  # markup stayed text
    box.get_by_role("link", name="Read it and cite it").click()
    page.wait_for_url(f"**/desk/tasks/{task_id}#source-{source_id}")
    page.locator(f"#source-{source_id} button.quote").first.click()
    # The button fills the field from script: wait for it.
    expect(page.locator(f"#quote-{source_id}")).to_have_value(re.compile("Earlier claim"))
