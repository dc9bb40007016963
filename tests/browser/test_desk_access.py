"""The reviewer's desk for everyone: a whole review by keyboard alone, and the
reviewers' pages checked by axe-core and for sideways scrolling on a laptop and a
phone, against `factcheck up --demo`."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.checks import assert_no_axe_violations, assert_no_sideways_scroll
from tests.browser.conftest import screenshot
from tests.browser.test_desk import PASSWORD, sign_in
from tests.flow import ESSAY, review_one
from tests.service import Service, start_service

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Service:
    # Every checkable claim chosen at once, as before triage: these tests review them all.
    service = start_service(
        {"FACTCHECK_TRIAGE_DEFAULT": "all"}, tmp_path_factory.mktemp("desk-access")
    )
    editor = service.tokens["editor"]
    created = service.call("POST", "/api/v1/essays", editor, ESSAY)
    assert created.status == 201, created.body
    service.wait_until_gathered(created.body["id"])
    yield service
    service.stop()


def take_approval(service: Service, token: str, claim_id: int | None = None) -> dict:
    """Lease the approval task of ``claim_id`` (of any claim when None); the tasks
    leased on the way are given back."""
    passed, found = [], None
    while (task := service.call("POST", "/api/v1/queue/next", token)).status == 200:
        if task.body["kind"] == "approval" and claim_id in (None, task.body["claim"]["id"]):
            found = task.body
            break
        passed.append(task.body["id"])
    for task_id in passed:
        assert service.call("POST", f"/api/v1/tasks/{task_id}/release", token).status == 200
    assert found is not None, f"no approval task for claim {claim_id}"
    return found


# --- by keyboard alone -----------------------------------------------------------------


def tab_to(page, selector: str, limit: int = 400) -> None:
    """Press Tab until the focus is on ``selector``, as a keyboard user goes."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def test_a_whole_review_by_keyboard_alone(page, service):
    page.goto(f"{service.base_url}/login")
    tab_to(page, "#name")
    page.keyboard.type("reviewer1")
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/desk/queue$"))
    tab_to(page, "form[action$='/queue/next'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/desk/tasks/\d+$"))
    history = page.locator("a[href$='/history']").get_attribute("href")
    claim_id = int(re.search(r"/claims/(\d+)/history", history).group(1))
    snapshots = page.locator("[data-source]")
    assert snapshots.count() >= 2, "the test needs a claim with two sources"
    first, second = (snapshots.nth(n).get_attribute("data-source") for n in (0, 1))

    # A sentence's quote button, reached with Tab and pressed with Space.
    number = min(2, page.locator(f'[data-source="{first}"] .sentence').count())
    sentence = page.locator(f"#sentence-{first}-{number}").text_content()
    tab_to(page, f"#sentence-{first}-{number} + [data-quote]")
    page.keyboard.press("Space")
    expect(page.locator(f"#quote-{first}")).to_have_value(sentence.strip())
    expect(page.locator(f"#cite-{first}")).to_be_checked()
    expect(page.locator("#quote-status")).to_have_text(f"Quoted: {sentence.strip()}")

    # Shift and the arrows in the next source's text, focused with Tab: 30 characters
    # on from its first sentence, then 3 back.
    tab_to(page, f'[data-source="{second}"]')
    for _ in range(30):
        page.keyboard.press("Shift+ArrowRight")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")
    text = page.locator(f'[data-source="{second}"]').text_content()
    start = text.index(page.locator(f"#sentence-{second}-1").text_content())
    selected = text[start : start + 27].strip()
    expect(page.locator(f"#quote-{second}")).to_have_value(selected)
    expect(page.locator(f"#cite-{second}")).to_be_checked()

    # A rating, chosen with the arrows inside its group; the rationale, typed.
    tab_to(page, "input[name=rating]")
    for _ in range(6):
        if page.locator("input[value=mostly-false]").is_checked():
            break
        page.keyboard.press("ArrowDown")
    tab_to(page, "#rationale")
    page.keyboard.type("The toll in the sources differs from the essay's.")
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/desk/queue$"))
    expect(page.locator("p.flash")).to_contain_text("submitted for a second review")

    # The verdict as stored, with both quotes exactly as selected.
    verdict = take_approval(service, service.tokens["reviewer2"], claim_id)["verdict"]
    assert verdict["rating"] == "mostly-false"
    assert verdict["rationale"] == "The toll in the sources differs from the essay's."
    quotes = {str(c["source_id"]): c["quote"] for c in verdict["citations"]}
    assert quotes == {first: sentence.strip(), second: selected}


# --- axe-core and sideways scrolling ---------------------------------------------------


@pytest.fixture(scope="module")
def held(service) -> dict[str, str]:
    """Paths of the reviewers' pages, with a task held on each task page."""
    first, second = service.tokens["reviewer1"], service.tokens["reviewer2"]
    task = service.call("POST", "/api/v1/queue/next", first).body
    assert task["kind"] == "review", task
    review_one(service.call, first)  # a verdict for the second reviewer to approve
    approval = take_approval(service, second)
    return {
        "queue": "/desk/queue",
        "review": f"/desk/tasks/{task['id']}",
        # A claim whose verdict awaits approval has the most history: the verdict, cited.
        "history": f"/desk/claims/{approval['claim']['id']}/history",
        "approval": f"/desk/tasks/{approval['id']}",
    }


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["laptop", "phone"])
@pytest.mark.parametrize("name", ["queue", "review", "approval", "history"])
def test_reviewer_pages_pass_axe_and_never_scroll_sideways(browser, service, held, name, size):
    # axe-core goes in as an inline script, which the desk's policy would refuse.
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, bypass_csp=True)
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        sign_in(page, service, "reviewer2" if name == "approval" else "reviewer1")
        page.goto(service.base_url + held[name])
        assert page.url.endswith(held[name]), f"{held[name]} sent the reviewer to {page.url}"
        screenshot(page, f"desk-{name}-{size[0]}")
        assert_no_sideways_scroll(page)
        assert_no_axe_violations(page)
    finally:
        context.close()
