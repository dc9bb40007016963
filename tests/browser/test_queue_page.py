"""The reviewer's queue page in Chromium, on a laptop and on a phone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from factcheck.accounts import services as accounts
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from tests.browser.conftest import screenshot
from tests.browser.desk import sign_in
from tests.browser.test_desk import UNLABELLED
from tests.conftest import send_nothing
from tests.unit.pages import PASSWORD
from tests.unit.test_queue_steering import submitted_verdict, waiting_tasks
from web import create_app

pytestmark = pytest.mark.browser

LONG_TITLE = (
    "The Next Step? Think Vietnam. A long look at what the surge would and would not "
    "change, with numbers from every ministry that publishes them"
)
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def desk(session, make_user, settings, serve) -> dict:
    """A reviewer whose verdict came back, and thirty tasks over three essays."""
    base = serve(create_app(settings, dispatch=send_nothing))
    editor, reviewer, approver = make_user("ed", "editor"), make_user("rev"), make_user("appr")
    accounts.set_password(session, reviewer, PASSWORD)
    essays = {}
    for title, count in [(LONG_TITLE, 12), ("Budget", 10), ("Health", 8)]:
        tasks = waiting_tasks(session, editor, count, title=title)
        essays[title] = tasks
    returned_from = essays["Health"][-1]
    review.take_task(session, returned_from.id, reviewer, 600)
    verdict = submitted_verdict(session, returned_from, reviewer)
    approval = review.take_task(session, verdict_approval(session, verdict), approver, 600)
    returned = review.return_verdict(session, approval.id, approver, "Check the date.", 600)
    session.commit()
    return {"base": base, "essays": essays, "returned": returned.id}


def verdict_approval(session, verdict) -> int:
    return session.scalar(select(ReviewTask.id).where(ReviewTask.verdict_id == verdict.id))


def test_the_queue_page_on_a_laptop_and_a_phone(page, desk):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, desk["base"], "rev")
    page.goto(f"{desk['base']}/desk/queue")
    counts = page.locator("#queue-counts")
    assert counts.locator("[data-count=total]").inner_text() == "30"  # 29 + 1 returned
    assert counts.locator("[data-count=returned]").inner_text() == "1"
    items = page.locator("li.queue-item")
    assert items.count() == 25  # a page, not all of them
    mine = page.locator("li.queue-item", has_text="returned to me")
    assert mine.count() == 1 and "Check the date." in mine.inner_text()
    assert page.evaluate(UNLABELLED) == []
    screenshot(page, "desk-queue-1366")

    # Filter by essay and kind, then take a chosen task.
    page.get_by_label("Essay").select_option(label="Budget (10)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"essay=\d+"))
    assert items.count() == 10
    assert page.locator("[data-count=total]").inner_text() == "10"
    chosen = desk["essays"]["Budget"][4].id
    page.get_by_role("button", name=f"Take this task (task {chosen})").click()
    page.wait_for_url(re.compile(rf"/desk/tasks/{chosen}$"))
    page.goto(f"{desk['base']}/desk/queue?kind=returned")
    assert items.count() == 1

    # A phone: everything fits the width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{desk['base']}/desk/queue")
    assert items.count() == 25
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert page.get_by_role("button", name="Take the next task").is_visible()
    screenshot(page, "desk-queue-390")
    page.get_by_role("link", name="More tasks").click()
    page.wait_for_url(re.compile(r"after=\d+"))
    assert items.count() == 29 - 25  # 30 waiting, one now held
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
