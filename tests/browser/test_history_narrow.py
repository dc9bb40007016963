"""The claim history on a phone: 390 px wide, nothing runs off the side."""

from __future__ import annotations

import pytest

from factcheck.accounts import services as accounts
from factcheck.review import services as review
from factcheck.review.services import CitationInput
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.desk import sign_in
from tests.conftest import send_nothing
from tests.unit.helpers import first_source
from tests.unit.pages import PASSWORD
from web import create_app

pytestmark = pytest.mark.browser

UNBROKEN = "x" * 300  # a rationale with no place to break a line


def test_the_history_fits_a_phone(page, serve, settings, database):
    with database.scope() as session:
        editor = accounts.create_user(session, "ed", "editor")
        accounts.set_password(session, editor, PASSWORD)
        reviewer = accounts.create_user(session, "a-reviewer-with-a-long-name", "reviewer")
        _, tasks = factories.reviewable_essay(session, editor)
        review.assign(session, tasks[0].id, reviewer, editor, 600)
        source = first_source(session, tasks[0].claim_id)
        long_quote = source.snapshot_text[:150]
        review.submit_verdict(
            session, tasks[0].id, reviewer, rating="mostly-true", rationale=UNBROKEN,
            citations=[CitationInput(source.id, long_quote)],
        )  # fmt: skip
        claim_id = tasks[0].claim_id
    base = serve(create_app(settings, dispatch=send_nothing))
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "ed")
    page.goto(f"{base}/desk/claims/{claim_id}/history")
    page.get_by_text("rated the claim Mostly true").wait_for()
    screenshot(page, "history-390")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide"
