"""The desk in Chromium against `factcheck up --demo`: editor, reviewer, approver."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import SEED_ESSAY
from tests.flow import approve, review_one
from tests.service import Service, start_service

pytestmark = pytest.mark.browser
PASSWORD = "factcheck-demo"


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Service:
    # Every checkable claim chosen at once, as before triage: these tests review them all.
    service = start_service({"FACTCHECK_TRIAGE_DEFAULT": "all"}, tmp_path_factory.mktemp("desk"))
    yield service
    service.stop()


def sign_in(page, service: Service, name: str) -> None:
    page.goto(f"{service.base_url}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def expect_flash(page, message: str) -> None:
    """Wait for the flash message a form's redirect shows; clicking starts, not ends, the load."""
    page.locator("p.flash", has_text=message).wait_for()


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("^Sign out")).click()
    page.wait_for_url(re.compile("/login"))


def select_text(page, selector: str, length: int) -> str:
    """Select the first ``length`` characters of an element's first sentence, as a
    mouse would."""
    return page.eval_on_selector(
        selector,
        """(element, length) => {
            const text = element.querySelector(".sentence").firstChild;
            const range = document.createRange();
            range.setStart(text, 0);
            range.setEnd(text, Math.min(length, text.length));
            const selection = document.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return selection.toString();
        }""",
        length,
    )


def select_in_essay(page, words: str) -> None:
    """Select ``words`` in the essay's text, as a reader dragging the mouse would."""
    page.evaluate(
        """(words) => {
            const essay = document.getElementById("essay-text");
            const walker = document.createTreeWalker(essay, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.textContent.indexOf(words);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + words.length);
                document.getSelection().removeAllRanges();
                document.getSelection().addRange(range);
                return;
            }
            throw new Error("words not found in the essay");
        }""",
        words,
    )
    # A function, not an expression: Playwright evals an expression while it polls,
    # which the page's Content-Security-Policy (no unsafe-eval) refuses.
    page.wait_for_function("() => document.getElementById('add-preview').textContent !== ''")


def test_editor_reviewer_and_approver_work_the_seed_essay(page, service):
    # The editor submits the seed essay and watches the pipeline reach review.
    sign_in(page, service, "editor")
    page.get_by_role("link", name="New essay").click()
    page.get_by_label("Title").fill("The Next Step? Think Vietnam.")
    page.get_by_label("Author").fill("Fareed Zakaria")
    page.get_by_label("Text (paste it here)").fill(SEED_ESSAY)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/desk/essays/\d+$"))
    essay_url = page.url
    essay_id = int(essay_url.rsplit("/", 1)[1])
    assert page.locator(".progress").is_visible()
    # desk.js polls the progress and draws the new claims' rows in place.
    page.wait_for_selector("mark.claim.status-awaiting_review")
    page.wait_for_function(
        "() => document.querySelector('[data-count=gathering]').textContent === '0'"
    )
    screenshot(page, "desk-essay")

    # The editor discards a claim, then adds it back by selecting its words in the text.
    wording = "U.S. forces have been repeatedly blocked from going after Mahdi leaders."
    row = page.locator("li.claim-row", has_text=wording).first
    row.get_by_text(re.compile("^Edit claim")).click()
    row.get_by_text(re.compile(r"^Discard claim \d+…$")).click()
    row.get_by_role("button", name=re.compile(r"^Yes, discard claim \d+$")).click()
    expect_flash(page, "Claim discarded.")
    select_in_essay(page, wording)
    assert page.locator("#add-preview").inner_text() == f"“{wording}”"
    page.get_by_role("button", name="Add as a claim").click()
    expect_flash(page, "Claim added.")
    page.wait_for_selector(f"mark.claim.status-awaiting_review >> text={wording}")
    sign_out(page)

    # A reviewer takes the most urgent task, cites a selected passage and submits.
    sign_in(page, service, "reviewer1")
    page.get_by_role("button", name="Take the next task").click()
    page.wait_for_url(re.compile(r"/desk/tasks/\d+$"))
    claim_text = page.locator(".paragraph mark.claim").inner_text()
    snapshot = page.locator("[data-source]").first
    source_id = snapshot.get_attribute("data-source")
    quoted = select_text(page, f'[data-source="{source_id}"]', 40)
    expect(page.locator(f"#quote-{source_id}")).to_have_value(quoted.strip())
    expect(page.locator(f"#cite-{source_id}")).to_be_checked()
    page.get_by_label("Mostly false").check()
    page.get_by_label("Rationale").fill("The toll in the sources differs from the essay's.")
    screenshot(page, "desk-workspace")
    page.get_by_role("button", name="Submit verdict").click()
    page.wait_for_url(re.compile("/desk/queue$"))
    assert "submitted for a second review" in page.content()
    sign_out(page)

    # Every other claim goes through the API, so the essay can be published.
    desk = service.tokens
    claims = service.call("GET", f"/api/v1/essays/{essay_id}/claims", desk["editor"]).body
    for _ in [claim for claim in claims if claim["status"] == "awaiting_review"]:
        review_one(service.call, desk["reviewer1"])
    approve_all_but(service, desk["reviewer2"], claim_text)

    # The second reviewer approves the browser's verdict in the browser.
    sign_in(page, service, "reviewer2")
    page.get_by_role("button", name="Take the next task").click()
    page.wait_for_url(re.compile(r"/desk/tasks/\d+$"))
    assert "The toll in the sources differs" in page.content()
    screenshot(page, "desk-approval")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile("/desk/queue$"))
    sign_out(page)

    # The editor publishes and reads the published page.
    sign_in(page, service, "editor")
    page.goto(essay_url)
    page.get_by_role("button", name="Publish").click()
    expect_flash(page, "Published version 1")
    page.get_by_role("link", name="published version 1").click()
    assert (
        page.locator(f'article.card:has-text("{claim_text[:40]}")')
        .inner_text()
        .count("Mostly false")
    )
    screenshot(page, "desk-published")
    page.goto(f"{service.base_url}/desk/dashboard")
    assert page.locator("figure.chart").count() == 5  # bar charts drawn as tables
    screenshot(page, "desk-dashboard")


def approve_all_but(service: Service, token: str, kept: str) -> None:
    """Approve every verdict waiting except the one on ``kept``, which stays open."""
    held_back = None
    while (task := service.call("POST", "/api/v1/queue/next", token)).status == 200:
        if task.body["claim"]["text"] == kept:
            held_back = task.body["id"]
            continue
        assert approve(service.call, task.body, token).status == 200
    assert held_back is not None
    assert service.call("POST", f"/api/v1/tasks/{held_back}/release", token).status == 200


# --- accessibility basics ----------------------------------------------------------


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(e => e.type !== 'hidden' && !e.closest('[hidden]'))
    .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
    .map(e => e.outerHTML)"""


def test_every_form_field_has_a_label(page, service):
    sign_in(page, service, "editor")
    for path in ["/login", "/desk/essays/new", "/desk/essays", "/desk/dashboard"]:
        page.goto(service.base_url + path)
        assert page.evaluate(UNLABELLED) == [], path
    essay = {"title": "Labels", "text": "Officials said 200 people died on Thursday."}
    created = service.call("POST", "/api/v1/essays", service.tokens["editor"], essay)
    assert created.status == 201
    page.goto(f"{service.base_url}/desk/essays/{created.body['id']}")
    assert page.evaluate(UNLABELLED) == [], page.url


def test_keyboard_focus_follows_the_page_order(page, service):
    sign_in(page, service, "editor")
    page.goto(f"{service.base_url}/desk/essays/new")
    order: list[str] = []
    while "Submit" not in order and len(order) < 60:
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not order or order[-1] != focused:  # date fields take several presses
            order.append(focused)
    assert order[0] == "Skip to content", order
    fields = ["title", "author", "url", "published_at", "deadline", "text", "file", "Submit"]
    assert [field for field in order if field in fields] == fields


FOCUSED = "document.activeElement.id || document.activeElement.textContent.trim()"


CONTRAST = """() => {
  const luminance = rgb => {
    const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const opaque = rgb => rgb !== "transparent" && !rgb.endsWith(", 0)");
  const background = element => {
    for (let e = element; e; e = e.parentElement) {
      const colour = getComputedStyle(e).backgroundColor;
      if (opaque(colour)) return colour;
    }
    return "rgb(255, 255, 255)";
  };
  return [...document.querySelectorAll('.badge[class*="status-"]')].map(e => {
    const style = getComputedStyle(e);
    const [a, b] = [luminance(style.color), luminance(background(e))];
    return [e.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""


def test_status_colours_keep_text_readable(page, service):
    editor = service.tokens["editor"]
    essay = {"title": "Colours", "text": "Car bombs killed 200 people. Will troops stay?"}
    essay_id = service.call("POST", "/api/v1/essays", editor, essay).body["id"]
    service.wait_until_gathered(essay_id)
    sign_in(page, service, "editor")
    page.goto(f"{service.base_url}/desk/essays/{essay_id}", wait_until="load")
    ratios = page.evaluate(CONTRAST)
    assert ratios, "no status badges on the essay page"
    for name, ratio in ratios:
        assert ratio >= 4.5, f"{name}: contrast {ratio:.2f}"
