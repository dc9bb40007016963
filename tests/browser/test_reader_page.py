"""The published reader page in a real browser."""

from __future__ import annotations

import json

import pytest

from factcheck.publishing import services as publishing
from factcheck.review import services as review
from tests.browser.conftest import screenshot
from tests.conftest import send_nothing
from tests.unit.helpers import claims_of, first_source, gathered_essay
from web import create_app

pytestmark = pytest.mark.browser

TEXT = (
    "On Thursday, car bombs killed more than 200 people in Sadr City.\n\n"
    "In the most recent poll of Iraqis, 91 percent of Sunnis wanted American forces to leave."
)


def publish_two_claims(session, database, make_user) -> int:
    editor = make_user("ed", "editor")
    author, approver = make_user("author"), make_user("approver")
    essay = gathered_essay(session, database, editor, TEXT)
    for _ in range(2):
        task = review.claim_next(session, author, 600)
        rating = "false" if "car bombs" in task.claim.text else "true"
        source = first_source(session, task.claim_id)
        quote = review.CitationInput(source.id, source.snapshot_text[:50])
        review.submit_verdict(
            session, task.id, author, rating=rating, rationale=f"Rated {rating}.", citations=[quote]
        )
    for _ in range(2):
        approval = review.claim_next(session, approver, 600)
        review.approve(session, approval.id, approver, approval.verdict.version)
    masthead = publishing.Masthead("Desk", "https://desk.example")
    publishing.publish(session, essay.id, editor, masthead, base_url="https://desk.example")
    assert len(claims_of(session, essay, "approved")) == 2
    session.commit()
    return essay.id


@pytest.mark.usefixtures("demo_library")
def test_reader_page_marks_claims_links_cards_and_carries_claimreview(
    session, database, make_user, settings, serve, page
):
    # First the app: its dispatcher takes the jobs the set-up queues, and drops them.
    base = serve(create_app(settings, dispatch=send_nothing))
    essay_id = publish_two_claims(session, database, make_user)
    page.goto(f"{base}/fact-checks/{essay_id}")
    assert page.title().startswith("Fact-check:")

    marks = page.locator("a.claim")
    assert marks.count() == 2
    assert "[False]" in marks.nth(0).inner_text()

    marks.nth(0).click()
    target = page.evaluate("location.hash")
    assert target.startswith("#claim-")
    card = page.locator(target)
    assert card.is_visible() and "Rated false." in card.inner_text()
    assert card.locator("ol.citations li").count() == 1

    blocks = page.locator('script[type="application/ld+json"]')
    reviews = [json.loads(blocks.nth(i).text_content()) for i in range(blocks.count())]
    assert sorted(r["reviewRating"]["alternateName"] for r in reviews) == ["False", "True"]
    assert {r["url"].split("#")[1] for r in reviews} == {
        card_id
        for card_id in page.eval_on_selector_all("article.card", "els => els.map(e => e.id)")
    }
    assert screenshot(page, "reader-page").stat().st_size > 0
