"""The published reader page in a real browser."""

from __future__ import annotations

import json

import pytest

from factcheck.accounts import services as accounts
from factcheck.essays.models import Essay
from factcheck.publishing import services as publishing
from factcheck.review import services as review
from tests.browser.checks import assert_no_axe_violations, assert_no_sideways_scroll
from tests.browser.conftest import screenshot
from tests.browser.desk import sign_in
from tests.conftest import send_nothing
from tests.unit.helpers import claims_of, first_source, gathered_essay
from tests.unit.pages import PASSWORD
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
    assert marks.nth(0).locator(".label").inner_text() == "False"  # a badge, not "[False]"

    marks.nth(0).click()
    target = page.evaluate("location.hash")
    assert target.startswith("#claim-")
    card = page.locator(target)
    assert card.is_visible() and "Rated false." in card.inner_text()
    assert card.locator("ol.citations li").count() == 1

    blocks = page.locator('script[type="application/ld+json"]')
    reviews = [json.loads(blocks.nth(i).text_content()) for i in range(blocks.count())]
    assert sorted(r["reviewRating"]["alternateName"] for r in reviews) == ["False", "True"]
    # Each review's address is its claim's own page, which the claim's card links to.
    assert {"claim-" + r["url"].rsplit("/", 1)[1] for r in reviews} == {
        card_id
        for card_id in page.eval_on_selector_all("article.card", "els => els.map(e => e.id)")
    }
    permalinks = page.eval_on_selector_all("a.permalink", "els => els.map(e => e.href)")
    assert {r["url"] for r in reviews} == {
        link.replace(base, settings.base_url) for link in permalinks
    }
    screenshot(page, "reader-page")


SIZES = [(1366, 900), (390, 844)]


@pytest.mark.usefixtures("demo_library")
def test_the_lead_box_then_the_cards_in_the_essays_order(
    session, database, make_user, settings, serve, page
):
    base = serve(create_app(settings, dispatch=send_nothing))
    essay_id = publish_two_claims(session, database, make_user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/fact-checks/{essay_id}")

    lead = page.locator("header.lead")
    assert lead.get_by_role("heading", level=1).inner_text() == "The Next Step? Think Vietnam."
    attribution = lead.locator(".attribution").inner_text()
    assert attribution.startswith("An essay by Fareed Zakaria in newsweek.com")
    original = lead.get_by_role("link", name="Read the original")
    assert original.get_attribute("href") == "https://www.newsweek.com/next-step-think-vietnam"
    assert lead.get_by_role("heading", level=2).inner_text() == "2 claims checked"
    scale = [" ".join(item.split()) for item in lead.locator(".scale li").all_inner_texts()]
    assert scale == ["True 1", "False 1"]  # the scale's order: true first
    assert lead.locator(".tally-bar span").count() == 2  # one band per rating found

    # The cards come next, in the essay's order, each with its meter said in words.
    cards = page.locator("section.cards article.card")
    assert cards.count() == 2
    first = cards.nth(0)
    assert "car bombs" in first.get_by_role("heading", level=3).inner_text()
    verdict = first.locator(".verdict")
    assert verdict.locator(".meter").get_attribute("aria-hidden") == "true"
    assert verdict.locator(".meter .step.on").count() == 1
    assert "Our rating: False (1 on a scale from 1, false, to 5, true)" in verdict.inner_text()
    assert "91 percent" in cards.nth(1).inner_text()
    assert cards.nth(1).locator(".meter .step.on").count() == 5
    citation = first.locator("ol.citations li")
    assert citation.count() == 1 and citation.locator("blockquote.quote").inner_text()
    permalink = first.get_by_role("link", name="Link to this check")
    assert permalink.get_attribute("href").startswith(f"/fact-checks/{essay_id}/claims/")

    # Then the essay, where only the checked claims are marked.
    order = page.eval_on_selector_all(
        "header.lead, section.cards, section.essay", "els => els.map(e => e.className)"
    )
    assert order == ["lead", "cards", "essay"]
    assert page.locator("section.essay a.claim").count() == 2
    assert_no_sideways_scroll(page)
    screenshot(page, "reader-page-390")

    permalink.click()
    page.wait_for_url(f"**/fact-checks/{essay_id}/claims/*")
    assert page.locator("h1").count() == 1 and "car bombs" in page.locator("h1").inner_text()


@pytest.mark.usefixtures("demo_library")
def test_reader_pages_error_pages_and_dashboard_pass_axe_and_fit_a_phone(
    session, database, make_user, settings, serve, browser
):
    base = serve(create_app(settings, dispatch=send_nothing))
    essay_id = publish_two_claims(session, database, make_user)
    editor = accounts.user_by_name(session, "ed")
    accounts.set_password(session, editor, PASSWORD)
    claim_id = claims_of(session, session.get(Essay, essay_id), "approved")[0].id
    session.commit()
    # axe-core goes in as an inline script, which the site's policy would refuse.
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        pages = {
            "reader": (f"/fact-checks/{essay_id}", 200),
            "claim": (f"/fact-checks/{essay_id}/claims/{claim_id}", 200),
            "404": ("/fact-checks/99999", 404),
        }
        for name, (path, status) in pages.items():
            check_everywhere(page, base + path, status, name)
        sign_in(page, base, "ed")
        check_everywhere(page, f"{base}/desk/dashboard", 200, "dashboard")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download every published verdict (CSV)").click()
        assert download.value.suggested_filename == "verdicts.csv"
        assert download.value.failure() is None
        publishing.withdraw(
            session, essay_id, editor, "Retracted.", base_url="https://desk.example"
        )
        session.commit()
        check_everywhere(page, base + pages["claim"][0], 410, "410")
    finally:
        context.close()


def check_everywhere(page, url: str, status: int, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        answer = page.goto(url)
        assert answer.status == status, url
        assert page.locator("h1").count() == 1, url
        assert page.locator('link[rel="icon"]').count() == 1, url
        screenshot(page, f"reader-{name}-{width}")
        assert_no_sideways_scroll(page)
        assert_no_axe_violations(page)
