"""Every page of the product passes axe-core and never scrolls sideways, on a laptop
(1366x900) and a phone (390x844), with content that strains a layout: long titles,
long unbroken URLs, hostile text and a refused form showing its errors.

A second test holds the list of pages against the app's routes: a new GET route that
draws a page and has no place in the sweep fails it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
import requests

from factcheck.accounts import services as accounts
from factcheck.publishing import services as publishing
from factcheck.review import services as review
from tests import factories
from tests.browser.checks import assert_no_axe_violations, assert_no_sideways_scroll
from tests.browser.conftest import BOTH_STACKS, screenshot
from tests.browser.desk import sign_in
from tests.conftest import send_nothing
from tests.service import signed_in
from tests.unit.helpers import claims_of, first_source, gathered_essay
from tests.unit.pages import PASSWORD
from web import create_app

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1366, 900), "phone": (390, 844)}

LONG_TITLE = (
    "Why the Surge Will Fail: An Unusually Long Headline About Iraq, Baghdad, Sadr City "
    "and the Forty-Seven Reasons Nobody In Washington Wants To Hear Before The Election"
)
LONG_URL = "https://example.org/" + "opinion/" * 4 + "a-very-long-slug-" * 12 + "?ref=" + "x" * 80
HOSTILE = "<script>alert('x')</script> & \"quotes\" Supercalifragilistic" + "x" * 90
TEXT = (
    "On Thursday, car bombs killed more than 200 people in Sadr City.\n\n"
    "In the most recent poll of Iraqis, 91 percent of Sunnis wanted American forces to leave."
)

# GET routes that draw no page of their own: each answers with data or a redirect.
NOT_PAGES = {
    "desk.home": "redirects to the essay list or the queue",
    "desk.essay_progress": "JSON for the essay page's live updates",
    "dashboard.verdicts_csv": "a CSV download",
    "public.export": "the exports and feeds (Markdown, JSON-LD, CSV, Atom)",
    "public.favicon": "redirects to the icon",
    "ops.healthz": "JSON for probes",
    "ops.readyz": "JSON for probes",
    "ops.metrics_page": "Prometheus text",
    "static": "files",
}


@dataclass
class Visit:
    """One page: who looks at it (None: no one signed in), what status it answers."""

    name: str
    endpoint: str | None  # the route drawing it; None for the error pages
    path: str
    user: str | None
    status: int = 200
    refuse: str | None = None  # a form to submit wrongly first, to show its errors


@dataclass
class Product:
    base: str
    visits: list[Visit] = field(default_factory=list)
    withdrawn: list[Visit] = field(default_factory=list)
    essay_id: int = 0


def publish_reader_essay(session, database) -> tuple[int, int]:
    """An essay published twice (so there is an earlier version) with two verdicts,
    a long title, a long URL and hostile attribution; its id and a rated claim's."""
    editor = accounts.user_by_name(session, "ed")
    author, approver = accounts.user_by_name(session, "rev"), accounts.user_by_name(session, "rev2")
    essay = gathered_essay(session, database, editor, TEXT)
    essay.title, essay.url, essay.author = LONG_TITLE, LONG_URL, HOSTILE
    for _ in range(2):
        task = review.claim_next(session, author, 3600)
        source = first_source(session, task.claim_id)
        quote = review.CitationInput(source.id, source.snapshot_text[:50])
        review.submit_verdict(
            session, task.id, author, rating="false", rationale=HOSTILE, citations=[quote]
        )
    for _ in range(2):
        approval = review.claim_next(session, approver, 3600)
        review.approve(session, approval.id, approver, approval.verdict.version)
    masthead = publishing.Masthead("Desk", "https://desk.example")
    for note in (None, HOSTILE):
        publishing.publish(
            session, essay.id, editor, masthead, note, base_url="https://desk.example"
        )
    claim_id = claims_of(session, essay, "approved")[0].id
    session.commit()
    return essay.id, claim_id


def desk_essay(session) -> tuple[int, int, int, int]:
    """The tiny essay with a long title and URL, its two tasks held: one as a review by
    rev, one as an approval by rev2. The essay's id, a claim's and the two tasks'."""
    editor, rev, rev2 = (accounts.user_by_name(session, n) for n in ("ed", "rev", "rev2"))
    essay, tasks = factories.reviewable_essay(session, editor)
    essay.title, essay.url, essay.author = LONG_TITLE + " " + HOSTILE, LONG_URL, HOSTILE
    factories.make_source(session, tasks[0].claim, url=LONG_URL)
    session.flush()
    reviewed = review.claim_next(session, rev, 3600)
    source = first_source(session, reviewed.claim_id)
    quote = review.CitationInput(source.id, source.snapshot_text[:40])
    review.submit_verdict(
        session, reviewed.id, rev, rating="mostly-false", rationale=HOSTILE, citations=[quote]
    )
    held = review.claim_next(session, rev, 3600)
    assert held.kind == "review", held.kind
    approval = review.claim_next(session, rev2, 3600)
    assert approval.kind == "approval", approval.kind
    session.commit()
    return essay.id, approval.claim_id, held.id, approval.id


@pytest.fixture
def product(session, database, settings, serve, demo_library) -> Product:
    """The app on a real port, its users, and the pages to visit with their data."""
    base = serve(create_app(settings, dispatch=send_nothing))
    for name, role in [("ed", "editor"), ("rev", "reviewer"), ("rev2", "reviewer")]:
        accounts.set_password(session, accounts.create_user(session, name, role), PASSWORD)
    session.commit()
    reader, rated = publish_reader_essay(session, database)
    essay, claim, review_task, approval_task = desk_essay(session)
    visits = [
        Visit("sign-in", "signin.login", "/login", None),
        Visit("sign-in-refused", "signin.login", "/login", None, refuse="login"),
        Visit("reader", "public.fact_check", f"/fact-checks/{reader}", None),
        Visit("fact-checks", "public.fact_check_index", "/fact-checks/", None),
        Visit(
            "reader-earlier",
            "public.fact_check_version",
            f"/fact-checks/{reader}/versions/1",
            None,
        ),
        Visit("claim", "public.claim_page", f"/fact-checks/{reader}/claims/{rated}", None),
        Visit("404", None, "/fact-checks/99999", None, 404),
        Visit("essays", "desk.essay_list", "/desk/essays", "ed"),
        Visit("new-essay", "desk.new_essay", "/desk/essays/new", "ed"),
        Visit("new-essay-refused", "desk.new_essay", "/desk/essays/new", "ed", refuse="essay"),
        Visit("essay", "desk.essay_page", f"/desk/essays/{essay}", "ed"),
        Visit("essay-published", "desk.essay_page", f"/desk/essays/{reader}", "ed"),
        Visit("history", "desk.claim_history", f"/desk/claims/{claim}/history", "ed"),
        Visit("dashboard", "dashboard.dashboard", "/desk/dashboard", "ed"),
        Visit("queue", "desk.queue", "/desk/queue", "rev"),
        Visit("review", "desk.task_page", f"/desk/tasks/{review_task}", "rev"),
        Visit(
            "review-refused",
            "desk.task_page",
            f"/desk/tasks/{review_task}",
            "rev",
            refuse="verdict",
        ),
        Visit("forbidden", None, "/desk/essays", "rev", 403),
        Visit("approval", "desk.task_page", f"/desk/tasks/{approval_task}", "rev2"),
    ]
    withdrawn = [
        Visit("reader-withdrawn", "public.fact_check", f"/fact-checks/{reader}", None),
        Visit("410", None, f"/fact-checks/{reader}/claims/{rated}", None, 410),
    ]
    return Product(base, visits, withdrawn, reader)


def refuse(page, form: str) -> None:
    """Submit ``form`` wrongly; wait for the page drawn again with its error."""
    if form == "login":
        page.get_by_label("User name").fill(HOSTILE)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        page.locator("#password-error").wait_for()
    elif form == "verdict":
        source = page.locator("[data-source]").first.get_attribute("data-source")
        page.get_by_label("Mostly false").check()
        page.get_by_label("Rationale").fill(HOSTILE)
        page.locator(f"#cite-{source}").check()
        page.locator(f"#quote-{source}").fill(HOSTILE)
        page.get_by_role("button", name="Submit verdict").click()
        page.locator(f"#quote-{source}-error").wait_for()
    else:
        page.get_by_label("Title", exact=True).fill(LONG_TITLE)
        page.locator("#url").fill("ftp://" + LONG_URL.removeprefix("https://"))
        page.locator("#text").fill(HOSTILE)
        page.get_by_role("button", name=re.compile("Submit")).click()
        page.locator("#url-error").wait_for()


def check(
    page, base: str, visit: Visit, size: str, signed_in: list[str | None], failures: list[str]
) -> None:
    if visit.user != signed_in[0]:
        page.context.clear_cookies()
        if visit.user is not None:
            sign_in(page, base, visit.user)
        signed_in[0] = visit.user
    answer = page.goto(base + visit.path)
    assert answer.status == visit.status, f"{visit.name}: {visit.path} answered {answer.status}"
    assert page.url == base + visit.path, f"{visit.name}: {visit.path} went to {page.url}"
    if visit.refuse:
        refuse(page, visit.refuse)
    screenshot(page, f"every-{visit.name}-{size}")
    for assertion in (assert_no_sideways_scroll, assert_no_axe_violations):
        try:
            assertion(page)
        except AssertionError as failure:  # every page's failures, not the first's only
            failures.append(f"[{visit.name}, {size}] {failure}")


def test_every_page_passes_axe_and_never_scrolls_sideways(browser, product, session):
    # axe-core goes in as an inline script, which the pages' policy would refuse.
    contexts, failures = {}, []
    try:
        for size, (width, height) in SIZES.items():
            contexts[size] = browser.new_context(
                viewport={"width": width, "height": height}, bypass_csp=True
            )
            contexts[size].set_default_timeout(60_000)
        pages = {size: (context.new_page(), [None]) for size, context in contexts.items()}
        for size, (page, signed_in) in pages.items():
            for visit in product.visits:
                check(page, product.base, visit, size, signed_in, failures)
        editor = accounts.user_by_name(session, "ed")
        publishing.withdraw(
            session, product.essay_id, editor, HOSTILE, base_url="https://desk.example"
        )
        session.commit()
        for size, (page, signed_in) in pages.items():
            for visit in product.withdrawn:
                check(page, product.base, visit, size, signed_in, failures)
    finally:
        for context in contexts.values():
            context.close()
    assert not failures, "\n\n".join(failures)


@BOTH_STACKS
def test_every_page_answers_on_both_stacks(product, session):
    """The sweep's pages and data without Chromium: each page drawn on SQLite and on
    PostgreSQL answers as it should, for whoever looks at it."""
    browsers: dict[str | None, requests.Session] = {None: requests.Session()}

    def answer(visit: Visit) -> tuple[int, str]:
        if visit.user not in browsers:
            browsers[visit.user] = signed_in(product.base, visit.user, PASSWORD)
        reply = browsers[visit.user].get(product.base + visit.path, timeout=30)
        return reply.status_code, reply.url

    for visit in product.visits:
        assert answer(visit) == (visit.status, product.base + visit.path), visit.name
    editor = accounts.user_by_name(session, "ed")  # not before: SQLite's reader would hold writers
    publishing.withdraw(session, product.essay_id, editor, HOSTILE, base_url="https://desk.example")
    session.commit()
    for visit in product.withdrawn:
        assert answer(visit) == (visit.status, product.base + visit.path), visit.name


def test_the_sweep_covers_every_page_the_app_draws(product, settings):
    app = create_app(settings, dispatch=send_nothing)
    pages = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.rule.startswith("/api/")
    }
    swept = {v.endpoint for v in product.visits + product.withdrawn if v.endpoint}
    missing = pages - swept - set(NOT_PAGES)
    assert not missing, f"pages the sweep never visits: {sorted(missing)}"
    assert not set(NOT_PAGES) - pages, "NOT_PAGES names a route that is gone"
    statuses = {v.status for v in product.visits + product.withdrawn}
    assert statuses == {200, 403, 404, 410}, "every error page a person may meet is swept"
