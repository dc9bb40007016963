"""No lost work, in Chromium: every refused desk form comes back with what was typed
and the error by its field (which takes the focus); the verdict's draft saves itself;
leaving a page with unsaved changes asks first."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from factcheck import jobs
from factcheck.accounts import services as accounts
from factcheck.publishing import services as publishing
from factcheck.review import services as review
from factcheck.review.models import Verdict
from tests import factories
from tests.browser.conftest import BOTH_STACKS, screenshot
from tests.browser.desk import sign_in
from tests.conftest import send_nothing
from tests.unit.helpers import first_source
from tests.unit.pages import PASSWORD
from web import create_app

pytestmark = pytest.mark.browser

LONG = 5_001  # one past the limit of notes and comments
FOCUSED = "() => document.activeElement.id"


@dataclass
class Desk:
    base: str
    essay_id: int
    claim_ids: list[int]
    task_ids: list[int]


@pytest.fixture
def desk(settings, database, serve) -> Desk:
    """The app on a real port; an editor, two reviewers and an essay with two tasks."""
    base = serve(create_app(settings, dispatch=send_nothing))
    with database.scope() as session:
        for name, role in [("ed", "editor"), ("rev", "reviewer"), ("rev2", "reviewer")]:
            accounts.set_password(session, accounts.create_user(session, name, role), PASSWORD)
        essay, tasks = factories.reviewable_essay(session, accounts.user_by_name(session, "ed"))
        ids = Desk(base, essay.id, [t.claim_id for t in tasks], [t.id for t in tasks])
    yield ids
    jobs.set_dispatcher(None)


def refused(page, field_id: str) -> str:
    """Wait for the page drawn again with an error by ``field_id``; the message. The
    field points to it and has the focus."""
    message = page.locator(f"#{field_id}-error")
    message.wait_for()
    field = page.locator(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == f"{field_id}-error"
    assert page.evaluate(FOCUSED) == field_id
    return message.inner_text()


def take_task(page, desk: Desk) -> None:
    page.goto(f"{desk.base}/desk/queue")
    page.get_by_role("button", name="Take the next task").click()
    page.wait_for_url(re.compile(r"/desk/tasks/\d+$"))


def snapshot_start(page, length: int = 40) -> tuple[str, str]:
    """The first source's id and the first words of its text, a passage to quote."""
    source = page.locator("[data-source]").first
    return source.get_attribute("data-source"), source.inner_text()[:length].strip()


def test_sign_in_keeps_the_name_and_never_the_password(page, desk):
    page.goto(f"{desk.base}/login")
    page.get_by_label("User name").fill("rev")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert refused(page, "password") == "Wrong user name or password."
    assert page.get_by_label("User name").input_value() == "rev"
    assert page.get_by_label("Password").input_value() == ""
    assert "not the password" not in page.content()


def test_a_refused_verdict_and_draft_keep_the_reviewers_work(page, desk):
    sign_in(page, desk.base, "rev")
    take_task(page, desk)
    source_id, _ = snapshot_start(page)
    page.get_by_label("Mostly false").check()
    page.get_by_label("Rationale").fill("The toll in the sources differs.")
    page.locator(f"#cite-{source_id}").check()
    page.locator(f"#quote-{source_id}").fill("a passage no source has")
    for button in ("Submit verdict", "Save draft"):
        page.get_by_role("button", name=button).click()
        message = refused(page, f"quote-{source_id}")
        assert message == f"the quoted passage is not in source {source_id}'s snapshot"
        assert page.get_by_label("Mostly false").is_checked()
        assert page.get_by_label("Rationale").input_value() == "The toll in the sources differs."
        assert page.locator(f"#cite-{source_id}").is_checked()
        assert page.locator(f"#quote-{source_id}").input_value() == "a passage no source has"
        page.locator(f"#quote-{source_id}-error").wait_for()
    screenshot(page, "desk-refused-verdict")


def submit_both_verdicts(database) -> None:
    """rev writes a verdict for each claim: rev2's queue then holds approvals only."""
    with database.scope() as session:
        author = accounts.user_by_name(session, "rev")
        while task := review.claim_next(session, author, 600):
            source = first_source(session, task.claim_id)
            quote = review.CitationInput(source.id, source.snapshot_text[:40])
            review.submit_verdict(
                session, task.id, author, rating="false", rationale="r", citations=[quote]
            )


def test_a_refused_return_keeps_the_comment(page, desk, database):
    submit_both_verdicts(database)
    sign_in(page, desk.base, "rev2")
    take_task(page, desk)
    comment = "Look again at the toll. " + "y" * LONG
    page.get_by_label("Return with a comment for the author").fill(comment)
    page.get_by_role("button", name="Return").click()
    assert refused(page, "comment") == "the comment is too long: at most 5,000 characters"
    assert page.get_by_label("Return with a comment for the author").input_value() == comment


def test_curation_forms_keep_what_the_editor_typed(page, desk, database):
    sign_in(page, desk.base, "ed")
    essay = f"{desk.base}/desk/essays/{desk.essay_id}"
    page.goto(essay)
    claim, other = desk.claim_ids
    row = page.locator(f"#claim-{claim}")

    row.get_by_text(re.compile("^Edit claim")).click()
    wording = "Reworded " + "x" * LONG
    page.locator(f"#text-{claim}").fill(wording)
    page.locator(f"#kind-{claim}").select_option("statistic")
    row.get_by_role("button", name="Save").click()
    assert refused(page, f"text-{claim}").startswith("the text is too long")
    assert page.locator(f"#text-{claim}").input_value() == wording
    assert page.locator(f"#kind-{claim}").input_value() == "statistic"

    row.get_by_label("Split before the words").fill("words not in the claim")
    row.get_by_role("button", name="Split").click()
    assert refused(page, f"before-{claim}").startswith("type the words of the essay")
    assert page.locator(f"#before-{claim}").input_value() == "words not in the claim"

    page.get_by_label("From character").fill("3")
    page.get_by_label("to", exact=True).fill("99999")
    page.get_by_role("button", name="Add as a claim").click()
    assert "the selection must be some of the essay's words" in refused(page, "add-start")
    assert page.get_by_label("From character").input_value() == "3"
    assert page.get_by_label("to", exact=True).input_value() == "99999"

    tick = row.get_by_label(re.compile(r"Tick claim \d+"))
    tick.check()
    page.get_by_role("button", name="Merge the ticked claims").click()
    page.locator("p.flash.error", has_text="at least two different claims").wait_for()
    assert page.evaluate("() => document.activeElement.className") == "flash error"
    assert tick.is_checked()

    # rev2 stops being a reviewer while the editor has the page open.
    with database.scope() as session:
        accounts.set_disabled(session, accounts.user_by_name(session, "rev2"), True)
    page.locator(f"#assign-{other}").select_option("rev2")
    page.locator(f"#claim-{other}").get_by_role("button", name="Assign").click()
    assert refused(page, f"assign-{other}") == "rev2 is not an active reviewer"


def publish_the_essay(database, essay_id: int) -> None:
    submit_both_verdicts(database)
    with database.scope() as session:
        approver = accounts.user_by_name(session, "rev2")
        while task := review.claim_next(session, approver, 600):
            review.approve(session, task.id, approver, task.verdict.version)
        editor = accounts.user_by_name(session, "ed")
        masthead = publishing.Masthead("Desk", "https://desk.example")
        publishing.publish(session, essay_id, editor, masthead, base_url="https://desk.example")


def test_publishing_forms_keep_their_notes(page, desk, database):
    publish_the_essay(database, desk.essay_id)
    sign_in(page, desk.base, "ed")
    page.goto(f"{desk.base}/desk/essays/{desk.essay_id}")
    page.get_by_role("button", name="Publish a new version").click()
    assert refused(page, "publish-note").startswith("say what changed since the last version")

    why = "Withdrawn because " + "w" * LONG
    page.get_by_label("Why withdraw").fill(why)
    page.get_by_role("button", name="Withdraw").click()
    assert refused(page, "withdraw-note") == "the note is too long: at most 5,000 characters"
    assert page.get_by_label("Why withdraw").input_value() == why

    claim = desk.claim_ids[0]
    note = "The toll was revised. " + "n" * LONG
    page.locator(f"#reopen-{claim}").fill(note)
    page.locator(f"#claim-{claim}").get_by_role("button", name="Reopen the verdict").click()
    assert refused(page, f"reopen-{claim}") == "the note is too long: at most 5,000 characters"
    assert page.locator(f"#reopen-{claim}").input_value() == note


def test_the_new_essay_form_keeps_everything_even_the_files_text(page, desk):
    sign_in(page, desk.base, "ed")
    page.goto(f"{desk.base}/desk/essays/new")
    page.get_by_label("Title").fill("Kept")
    page.get_by_label("Author").fill("A. Writer")
    page.get_by_label("URL of the original").fill("javascript:alert(1)")
    page.get_by_label("Desk deadline (UTC)").fill("2030-01-02T03:04")
    text = "Officials said 200 people died on Thursday."
    page.get_by_label("…or upload a .txt or .md file").set_input_files(
        {"name": "essay.md", "mimeType": "text/markdown", "buffer": text.encode()}
    )
    page.get_by_label("Let me confirm the claims").check()
    page.get_by_role("button", name="Submit").click()
    assert refused(page, "url") == "the url must start with http:// or https://"
    assert page.get_by_label("Title").input_value() == "Kept"
    assert page.get_by_label("Author").input_value() == "A. Writer"
    assert page.get_by_label("URL of the original").input_value() == "javascript:alert(1)"
    assert page.get_by_label("Desk deadline (UTC)").input_value() == "2030-01-02T03:04"
    assert page.get_by_label("Text (paste it here)").input_value() == text
    assert page.get_by_label("Let me confirm the claims").is_checked()
    assert "The text of “essay.md” is in the box above" in page.locator("#file-chosen").inner_text()


def is_draft(response) -> bool:
    return response.url.endswith("/draft") and response.request.method == "POST"


def stored_draft(database) -> Verdict:
    with database.scope() as session:
        draft = session.query(Verdict).one()
        session.expunge(draft)
        return draft


@BOTH_STACKS
def test_the_draft_saves_itself_and_never_overwrites_a_newer_one(page, desk, database):
    sign_in(page, desk.base, "rev")
    take_task(page, desk)
    rationale = page.get_by_label("Rationale")
    rationale.click()  # a user's gesture: a page may ask before it is left only after one
    with page.expect_response(is_draft) as saved:
        rationale.fill("The sources say 215.")
    assert saved.value.status == 200
    status = page.locator("[data-save-status]")
    status.filter(has_text=re.compile(r"^Draft saved \d\d:\d\d UTC$")).wait_for()
    draft = stored_draft(database)
    assert (draft.rationale, draft.version) == ("The sources say 215.", 1)
    assert page.locator('input[name="version"]').input_value() == "1"

    # Saved: the page can be left without a question.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="My queue").click()
    page.wait_for_url(re.compile("/desk/queue$"))
    assert dialogs == []

    # Another tab saves the draft meanwhile: this page's save is refused, not applied.
    page.go_back()
    page.wait_for_url(re.compile(r"/desk/tasks/\d+$"))
    task_id = int(page.url.rsplit("/", 1)[1])
    with database.scope() as session:
        user = accounts.user_by_name(session, "rev")
        elsewhere = {"rating": None, "rationale": "From the other tab", "citations": []}
        review.save_draft(session, task_id, user, **elsewhere, version=1)
    with page.expect_response(is_draft) as conflict:
        rationale.fill("The sources say 215. Also 200.")
    assert conflict.value.status == 409
    status.filter(has_text="Nothing was overwritten").wait_for()
    assert stored_draft(database).rationale == "From the other tab"


def test_leaving_with_unsaved_changes_asks_first_but_submitting_does_not(page, desk):
    sign_in(page, desk.base, "rev")
    take_task(page, desk)
    held = []
    page.route("**/draft", lambda route: held.append(route))  # saves stay unanswered
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))

    page.get_by_label("Rationale").click()  # a user's gesture, which the question needs
    page.get_by_label("Rationale").fill("Unsaved words.")
    with page.expect_event("dialog"):  # answered by the handler above, registered first
        page.get_by_role("link", name="My queue").click()
    assert dialogs == ["beforeunload"]
    assert re.search(r"/desk/tasks/\d+$", page.url)  # dismissed: still on the task
    assert page.get_by_label("Rationale").input_value() == "Unsaved words."

    source_id, quote = snapshot_start(page)
    page.get_by_label("False", exact=True).check()
    page.locator(f"#cite-{source_id}").check()
    page.locator(f"#quote-{source_id}").fill(quote)
    page.get_by_role("button", name="Submit verdict").click()
    page.wait_for_url(re.compile("/desk/queue$"))
    assert dialogs == ["beforeunload"]  # no second question
