"""The essay page's triage view in Chromium: ranked and filtered claims, a bulk
action and its undo, checking the top N, and publishing with claims not checked
(the refusal names and links each claim in the way). It passes axe-core with no
sideways scroll on a laptop and a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factcheck import jobs
from factcheck.accounts import services as accounts
from factcheck.claims.models import Claim
from tests import factories
from tests.browser.checks import assert_no_axe_violations, assert_no_sideways_scroll
from tests.browser.conftest import screenshot
from tests.browser.desk import sign_in
from tests.browser.test_essay_page import PASSWORD, SIZES, Desk, approve, essay_url
from tests.conftest import send_nothing
from web import create_app

pytestmark = pytest.mark.browser

# Five sentences, one claim each: (sentence, kind, check-worthiness).
SENTENCES = [
    ("The mayor said 40 people came to the square.", "quote", 0.01),
    ("Crime fell by 12 percent last year.", "statistic", 0.30),
    ("The bridge opened in 1932.", "event", 0.03),
    ("Unemployment doubled in two years.", "statistic", 0.12),
    ("The river floods every spring.", "event", 0.002),
]
ESSAY = " ".join(sentence for sentence, _, _ in SENTENCES)


@pytest.fixture
def desk(settings, database, serve):
    base = serve(create_app(settings, dispatch=send_nothing))
    with database.scope() as session:
        editor = accounts.create_user(session, "ed", "editor")
        accounts.set_password(session, editor, PASSWORD)
        made = factories.make_essay(session, editor, ESSAY, title="Five claims")
        made_claims = [
            factories.make_claim(session, made, text, kind=kind, checkworthiness=score)
            for text, kind, score in SENTENCES
        ]
        for claim in made_claims:
            claim.triage = None  # gathered, waiting for the editor's triage
        ids = [claim.id for claim in made_claims]
    yield Desk(base, made.id, ids)
    jobs.set_dispatcher(None)


def row_texts(page) -> list[str]:
    return page.locator("#claim-rows > li .claim-text").all_inner_texts()


def decision_of(page, claim_id: int):
    return page.locator(f"#claim-{claim_id} [data-decision]")


def test_triage_ranks_by_check_worthiness_and_filters(page, desk):
    sign_in(page, desk.base, "ed")
    page.goto(essay_url(desk))
    assert row_texts(page)[:2] == [SENTENCES[1][0], SENTENCES[3][0]]  # the highest first
    expect(page.locator(f"#claim-{desk.claim_ids[1]} .band")).to_have_text("high check-worthiness")
    expect(page.locator("#decided")).to_contain_text("0 chosen for checking · 5 undecided")

    page.get_by_label("Check-worthiness", exact=True).select_option("high")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#claim-rows > li")).to_have_count(2)
    page.locator("#filter-kind").select_option("event")
    page.get_by_label("Check-worthiness", exact=True).select_option("")
    page.get_by_label("Order").select_option("order")
    page.get_by_role("button", name="Show").click()
    assert row_texts(page) == [SENTENCES[2][0], SENTENCES[4][0]]  # essay order
    page.get_by_role("link", name="Show every claim").click()
    expect(page.locator("#claim-rows > li")).to_have_count(5)


def test_a_bulk_action_and_its_undo(page, desk):
    sign_in(page, desk.base, "ed")
    page.goto(essay_url(desk))
    first, second = desk.claim_ids[0], desk.claim_ids[4]
    for claim_id in (first, second):
        page.locator(f"#claim-{claim_id}").get_by_label(re.compile(r"Tick claim \d+")).check()
    page.get_by_label("With the ticked claims").select_option("do_not_check")
    page.get_by_label("Why not").select_option("out_of_scope")
    page.get_by_role("button", name="Apply to the ticked claims").click()
    expect(page.get_by_text("2 claims marked not to check.")).to_be_visible()
    for claim_id in (first, second):
        expect(decision_of(page, claim_id)).to_have_text("not checked: out of scope")
    expect(page.locator("#decided")).to_contain_text("3 undecided")

    page.get_by_role("button", name="Undo: restore the 2 claims just changed").click()
    expect(page.get_by_text("2 claims restored.")).to_be_visible()
    for claim_id in (first, second):
        expect(decision_of(page, claim_id)).to_have_text("undecided")
    expect(page.get_by_role("button", name=re.compile("^Undo"))).to_have_count(0)


def test_a_single_discard_and_its_undo(page, desk, database):
    sign_in(page, desk.base, "ed")
    page.goto(essay_url(desk))
    claim_id = desk.claim_ids[2]
    row = page.locator(f"#claim-{claim_id}")
    row.get_by_text(re.compile(r"^Edit claim \d+$")).click()
    row.get_by_text(re.compile(r"^Discard claim \d+…$")).click()
    row.get_by_role("button", name=re.compile(r"^Yes, discard claim \d+$")).click()
    row.locator("p.flash", has_text="Claim discarded.").wait_for()
    expect(row.locator("[data-claim-status]")).to_have_text("discarded")

    page.get_by_role("button", name="Undo: restore the 1 claim just changed").click()
    expect(page.get_by_text("1 claim restored.")).to_be_visible()
    expect(row.locator("[data-claim-status]")).not_to_have_text("discarded")
    expect(page.get_by_role("button", name=re.compile("^Undo"))).to_have_count(0)
    with database.scope() as session:
        assert session.get(Claim, claim_id).status != "discarded"


def test_check_the_top_n(page, desk):
    sign_in(page, desk.base, "ed")
    page.goto(essay_url(desk))
    page.get_by_label("Check the top").fill("2")
    page.get_by_role("button", name="Check the top claims").click()
    expect(page.locator("#decided")).to_contain_text("2 chosen for checking · 3 undecided")
    for index, words in [(1, "chosen for checking"), (3, "chosen for checking"), (2, "undecided")]:
        expect(decision_of(page, desk.claim_ids[index])).to_have_text(words)


def test_the_publish_refusal_names_and_links_each_claim_in_the_way(page, desk):
    sign_in(page, desk.base, "ed")
    page.goto(essay_url(desk))
    page.get_by_label("Check the top").fill("1")
    page.get_by_role("button", name="Check the top claims").click()
    page.get_by_role("button", name="Publish").click()
    blockers = page.locator("#in-the-way")
    expect(blockers).to_have_attribute("open", "")
    expect(blockers.locator("summary")).to_have_text("5 claims in the way of publishing")
    expect(blockers.locator("li")).to_have_count(5)
    expect(blockers).to_contain_text("chosen for checking, not approved")
    link = blockers.get_by_role("link", name=re.compile(re.escape(SENTENCES[4][0][:20])))
    link.click()
    page.wait_for_url(re.compile(rf"#claim-{desk.claim_ids[4]}$"))


def test_publishing_with_claims_not_checked(page, desk, database):
    sign_in(page, desk.base, "ed")
    page.goto(essay_url(desk))
    page.get_by_label("Check the top").fill("2")
    page.get_by_role("button", name="Check the top claims").click()
    expect(page.locator("#decided")).to_contain_text("2 chosen for checking")
    approve(database, desk.claim_ids[1], "true")
    approve(database, desk.claim_ids[3], "false")
    page.goto(essay_url(desk) + "?decision=undecided")
    for row in page.locator("#claim-rows > li").all():
        row.get_by_label(re.compile(r"Tick claim \d+")).check()
    page.get_by_label("With the ticked claims").select_option("do_not_check")
    page.get_by_label("Why not").select_option("not_worth_checking")
    page.get_by_role("button", name="Apply to the ticked claims").click()
    expect(page.locator("#decided")).to_contain_text("0 undecided")
    expect(page.locator("#in-the-way")).to_have_count(0)  # nothing in the way any more
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published version 1.")).to_be_visible()

    page.goto(f"{desk.base}/fact-checks/{desk.essay_id}")
    not_checked = page.locator("#not-checked").locator("xpath=..")
    for index in (0, 2, 4):
        expect(not_checked).to_contain_text(f"“{SENTENCES[index][0]}”: not worth checking")
    with database.read_scope() as session:
        assert session.get(Claim, desk.claim_ids[1]).triage == "check"


@pytest.mark.parametrize("size", SIZES, ids=["laptop", "phone"])
def test_the_triage_view_passes_axe_without_sideways_scroll(browser, desk, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        sign_in(page, desk.base, "ed")
        page.goto(essay_url(desk))
        page.locator(f"#claim-{desk.claim_ids[0]}").get_by_label(
            re.compile(r"Tick claim \d+")
        ).check()
        page.get_by_label("With the ticked claims").select_option("discard")
        page.get_by_role("button", name="Apply to the ticked claims").click()
        expect(page.get_by_role("button", name=re.compile("^Undo"))).to_be_visible()
        page.get_by_role("button", name="Publish").click()  # refused: the list is open
        expect(page.locator("#in-the-way")).to_have_attribute("open", "")
        screenshot(page, f"desk-triage-{size[0]}")
        assert_no_sideways_scroll(page)
        assert_no_axe_violations(page)
    finally:
        context.close()
