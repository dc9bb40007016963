"""The essay page keeps the editor's place and work, in Chromium: live progress
changes rows in place and never touches an open form; an action lands back at its
row with the focus; a held essay does not poll; approved claims show their rating.
And the essay page and the essay list pass axe-core with no sideways scroll."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from factcheck import jobs
from factcheck.accounts import services as accounts
from factcheck.claims import services as claims
from factcheck.claims.models import Claim
from factcheck.claims.states import ClaimStatus
from factcheck.db import utcnow
from factcheck.essays.models import Essay
from factcheck.review.models import Verdict
from factcheck.review.states import VerdictState
from tests import factories
from tests.browser.checks import assert_no_axe_violations, assert_no_sideways_scroll
from tests.browser.conftest import ARTIFACTS, BOTH_STACKS, SCREENSHOTS, screenshot
from tests.browser.desk import sign_in
from tests.conftest import send_nothing
from tests.unit.pages import PASSWORD
from web import create_app

pytestmark = pytest.mark.browser

SIZES = [(1366, 900), (390, 844)]
# Forty sentences: an essay page far taller than any screen.
LONG_ESSAY = " ".join(f"Report {n} says {n * 10} people came to the square." for n in range(40))


@dataclass
class Desk:
    base: str
    essay_id: int
    claim_ids: list[int]


def make_desk(settings, database, serve, status: ClaimStatus, **essay: object) -> Desk:
    """The app on a real port, an editor, and the long essay with a claim per sentence."""
    base = serve(create_app(settings, dispatch=send_nothing))
    with database.scope() as session:
        editor = accounts.create_user(session, "ed", "editor")
        accounts.set_password(session, editor, PASSWORD)
        made = factories.make_essay(session, editor, LONG_ESSAY, title="Long essay", **essay)
        sentences = [f"Report {n} says {n * 10} people came to the square." for n in range(40)]
        ids = [factories.make_claim(session, made, s, status).id for s in sentences]
        return Desk(base, made.id, ids)


@pytest.fixture
def gathering(settings, database, serve):
    yield make_desk(settings, database, serve, ClaimStatus.GATHERING)
    jobs.set_dispatcher(None)


@pytest.fixture
def reviewing(settings, database, serve):
    yield make_desk(settings, database, serve, ClaimStatus.AWAITING_REVIEW)
    jobs.set_dispatcher(None)


@pytest.fixture
def held(settings, database, serve):
    yield make_desk(settings, database, serve, ClaimStatus.EXTRACTED, hold_for_review=True)
    jobs.set_dispatcher(None)


def essay_url(desk: Desk) -> str:
    return f"{desk.base}/desk/essays/{desk.essay_id}"


def progress_requests(page) -> list[str]:
    """The page's polls of the progress endpoint, as they go out."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "progress.json" in r.url else None)
    return seen


def test_an_open_edit_form_survives_live_progress(page, gathering, database):
    sign_in(page, gathering.base, "ed")
    page.goto(essay_url(gathering))
    page.evaluate("() => { window.notReloaded = true; }")  # gone if the page reloads
    claim_id = gathering.claim_ids[30]
    row = page.locator(f"#claim-{claim_id}")
    row.get_by_text("Edit claim 31", exact=True).click()
    typed = "Report 30 says three hundred people came, by my count"
    page.locator(f"#text-{claim_id}").fill(typed)

    # The workers finish: every claim has a source and waits for review.
    with database.scope() as session:
        rows = session.query(Claim).filter(Claim.essay_id == gathering.essay_id).all()
        for claim in rows:
            factories.make_source(session, claim)
        claims.finish_gathering(session, rows)

    expect(row.locator("[data-claim-status]")).to_have_text("awaiting review")
    expect(row.locator("[data-sources]")).to_have_text("1 source found")
    expect(page.locator("[data-count=gathering]")).to_have_text("0")
    expect(page.locator("[data-working-note]")).to_be_hidden()  # done: polling stops
    assert "status-awaiting_review" in (row.get_attribute("class") or "")
    mark = page.locator(f"#text-claim-{claim_id}")
    assert "status-awaiting_review" in (mark.get_attribute("class") or "")
    assert page.evaluate("() => window.notReloaded") is True
    assert page.locator(f"#text-{claim_id}").input_value() == typed
    assert row.locator("details").first.get_attribute("open") is not None
    screenshot(page, "essay-live-progress-kept-form")


def in_view(page, element_id: str) -> bool:
    # A row scrolled to the top may sit a fraction of a pixel above it (subpixel layout).
    return page.evaluate(
        """(id) => { const r = document.getElementById(id).getBoundingClientRect();
                     return r.top > -1 && r.top < window.innerHeight; }""",
        element_id,
    )


def test_actions_land_back_at_their_row_with_the_focus(page, reviewing):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, reviewing.base, "ed")
    page.goto(essay_url(reviewing))
    assert page.evaluate("() => document.documentElement.scrollHeight") > 3 * 900
    claim_id = reviewing.claim_ids[34]
    row = page.locator(f"#claim-{claim_id}")
    row.get_by_text("Edit claim 35", exact=True).click()
    page.locator(f"#text-{claim_id}").fill("Report 34 says many people came to the square.")
    row.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/essays/{reviewing.essay_id}#claim-{claim_id}$"))
    row.locator("p.flash", has_text="Claim updated.").wait_for()  # the message by the row
    assert page.evaluate("() => document.activeElement.id") == f"claim-{claim_id}"
    assert page.evaluate("() => window.scrollY") > 900 and in_view(page, f"claim-{claim_id}")

    # Discarding asks first; done, the editor is back at the (discarded) row.
    other = reviewing.claim_ids[20]
    row = page.locator(f"#claim-{other}")
    row.get_by_text("Edit claim 21", exact=True).click()
    row.get_by_text("Discard claim 21…", exact=True).click()
    expect(row.get_by_text(re.compile("It is no longer checked"))).to_be_visible()
    row.get_by_role("button", name="Yes, discard claim 21").click()
    page.wait_for_url(re.compile(rf"#claim-{other}$"))
    row.locator("p.flash", has_text="Claim discarded.").wait_for()
    expect(row.locator("[data-claim-status]")).to_have_text("discarded")
    assert page.evaluate("() => document.activeElement.id") == f"claim-{other}"
    assert in_view(page, f"claim-{other}")


def test_rows_are_labelled_by_the_number_they_show(page, reviewing):
    sign_in(page, reviewing.base, "ed")
    page.goto(essay_url(reviewing))
    for n, claim_id in enumerate(reviewing.claim_ids, start=1):
        row = page.locator(f"#claim-{claim_id}")
        assert row.locator("summary").first.inner_text() == f"Edit claim {n}"
    expect(page.get_by_label("Tick claim 4", exact=True)).to_have_count(1)


def test_a_held_essay_waits_for_confirmation_and_never_polls(page, held, database):
    """A fake clock runs a minute of the page's timers at once: a held essay sends no
    poll in it, while the same essay, once confirmed and gathering, does (so the
    count can fail)."""
    sign_in(page, held.base, "ed")
    polls = progress_requests(page)
    page.clock.install()
    page.goto(essay_url(held))
    expect(page.locator("#held-note")).to_contain_text("editor's confirmation")
    expect(page.get_by_role("button", name="Confirm the claims")).to_be_visible()
    page.clock.run_for(60_000)
    assert polls == []

    with database.scope() as session:
        essay = session.get(Essay, held.essay_id)
        essay.confirmed_at = utcnow()
        rows = session.query(Claim).filter(Claim.essay_id == held.essay_id).all()
        claims.start_gathering(session, rows)
    page.goto(essay_url(held))
    expect(page.locator("#held-note")).to_have_count(0)
    with page.expect_request(re.compile(r"progress\.json")):
        page.clock.run_for(60_000)
    assert polls


def test_approved_claims_show_their_rating(page, reviewing, database):
    approve(database, reviewing.claim_ids[2], "mostly-false")
    sign_in(page, reviewing.base, "ed")
    page.goto(essay_url(reviewing))
    rated = page.locator(f"#claim-{reviewing.claim_ids[2]} [data-rating]")
    expect(rated).to_be_visible()
    expect(rated).to_have_text("Mostly false")
    colour = rated.locator("strong").evaluate("(e) => getComputedStyle(e).color")
    assert colour == "rgb(179, 38, 30)"  # the reader page's colour for "mostly false"
    expect(page.locator(f"#claim-{reviewing.claim_ids[3]} [data-rating]")).to_be_hidden()
    if SCREENSHOTS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(f"#claim-{reviewing.claim_ids[2]}").screenshot(
            path=ARTIFACTS / "essay-row-rated.png"
        )


@BOTH_STACKS
def test_a_verdict_approved_meanwhile_shows_in_place(page, reviewing, database):
    """While reviewers have claims the page asks now and then (a fake clock runs its
    timers): an approval shows its rating in the row, and the open form stays."""
    sign_in(page, reviewing.base, "ed")
    page.clock.install()
    page.goto(essay_url(reviewing))
    editing = reviewing.claim_ids[5]
    page.locator(f"#claim-{editing}").get_by_text("Edit claim 6", exact=True).click()
    page.locator(f"#text-{editing}").fill("Typed while a verdict came in")
    approve(database, reviewing.claim_ids[2], "false")
    page.clock.run_for(60_000)
    rated = page.locator(f"#claim-{reviewing.claim_ids[2]} [data-rating]")
    expect(rated).to_have_text("False")
    expect(page.locator(f"#claim-{reviewing.claim_ids[2]} [data-claim-status]")).to_have_text(
        "approved"
    )
    assert page.locator(f"#text-{editing}").input_value() == "Typed while a verdict came in"


def approve(database, claim_id: int, rating: str) -> None:
    """An approved verdict on the claim, as two reviewers would leave it."""
    with database.scope() as session:
        claim = session.get(Claim, claim_id)
        claim.status = ClaimStatus.APPROVED
        author = accounts.user_by_name(session, "rev") or accounts.create_user(
            session, "rev", "reviewer"
        )
        session.add(
            Verdict(claim_id=claim.id, rating=rating, rationale="r",
                    state=VerdictState.APPROVED, author_id=author.id)
        )  # fmt: skip


@pytest.mark.parametrize("size", SIZES, ids=["laptop", "phone"])
@pytest.mark.parametrize("where", ["essay", "list"])
def test_the_essay_page_and_list_pass_axe_without_sideways_scroll(
    browser, reviewing, database, where, size
):
    approve(database, reviewing.claim_ids[0], "half-true")
    # axe-core goes in as an inline script, which the desk's policy would refuse.
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        sign_in(page, reviewing.base, "ed")
        url = essay_url(reviewing) if where == "essay" else f"{reviewing.base}/desk/essays"
        page.goto(url + ("" if where == "essay" else "?sort=changed"))
        if where == "essay":  # an open form and an open confirmation are checked too
            row = page.locator(f"#claim-{reviewing.claim_ids[1]}")
            row.get_by_text("Edit claim 2", exact=True).click()
            row.get_by_text("Discard claim 2…", exact=True).click()
        screenshot(page, f"desk-{where}-{size[0]}")
        assert_no_sideways_scroll(page)
        assert_no_axe_violations(page)
    finally:
        context.close()
