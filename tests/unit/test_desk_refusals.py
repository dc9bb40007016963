"""A refused desk form comes back with what was typed and the error by its field;
the verdict form's draft saves itself (desk.autosave) without overwriting."""

from __future__ import annotations

import html
import re

from factcheck.accounts import services as accounts
from factcheck.review import services as review
from factcheck.review.models import Verdict
from tests.unit.helpers import first_source
from tests.unit.pages import PASSWORD, post, sign_in, take_next_task_as, token_from


def field_error(page: str, field_id: str) -> str:
    """The message by the field ``field_id``, which must point to it."""
    tag = re.search(rf'<(?:input|textarea|select)[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert tag, f"no field {field_id}"
    assert f'aria-invalid="true" aria-describedby="{field_id}-error"' in tag.group(0)
    message = re.search(rf'class="field-error" id="{re.escape(field_id)}-error">([^<]*)<', page)
    assert message, f"no message by {field_id}"
    return html.unescape(message.group(1))


def test_curation_forms_keep_the_typed_values_and_say_which_field(client, desk_essay):
    essay, claim = desk_essay["essay"], desk_essay["claim_id"]
    back = {"essay_id": desk_essay["essay_id"]}
    long_text = "Reworded " + "x" * 5_000
    edit = post(client, f"/desk/claims/{claim}/edit", {**back, "version": "1", "text": long_text})
    assert edit.status_code == 422
    assert field_error(edit.text, f"text-{claim}").startswith("the text is too long")
    assert f">{long_text}</textarea>" in edit.text and "<details open>" in edit.text

    split = post(client, f"/desk/claims/{claim}/split", {**back, "before": "no such words"})
    assert split.status_code == 422
    assert field_error(split.text, f"before-{claim}").startswith("type the words of the essay")
    assert 'value="no such words"' in split.text

    added = post(client, f"{essay}/claims", {"start": "3", "end": "99999"}, essay)
    assert added.status_code == 422
    assert "the selection must be some of the essay's words" in field_error(added.text, "add-start")
    assert 'value="3"' in added.text and 'value="99999"' in added.text

    merged = post(client, f"{essay}/merge", {"claim_id": claim}, essay)
    assert merged.status_code == 422 and "at least two different claims" in merged.text
    assert f'value="{claim}" form="triage-form" checked' in merged.text

    task = desk_essay["task_id"]
    assigned = post(client, f"/desk/tasks/{task}/assign", {**back, "reviewer": "nobody"}, essay)
    assert assigned.status_code == 422
    assert field_error(assigned.text, f"assign-{claim}") == "there is no user named 'nobody'"


def test_the_new_essay_form_keeps_everything_and_the_uploads_text(client, people):
    import io

    sign_in(client, "ed")
    token = token_from(client.get("/desk/essays/new").text)
    typed = {"title": "Kept", "author": "A. Writer", "url": "javascript:alert(1)"}
    upload = (io.BytesIO(b"Officials said 200 people died."), "essay.md")
    answer = client.post(
        "/desk/essays/new",
        data={**typed, "hold_for_review": "on", "csrf_token": token, "file": upload},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert field_error(answer.text, "url") == "the url must start with http:// or https://"
    for value in ("Kept", "A. Writer", "javascript:alert(1)"):
        assert f'value="{value}"' in answer.text
    assert ">Officials said 200 people died.</textarea>" in answer.text
    assert "The text of “essay.md” is in the box above" in answer.text
    assert 'name="hold_for_review" checked' in answer.text

    wrong = client.post(
        "/desk/essays/new",
        data={"title": "Kept", "csrf_token": token, "file": (io.BytesIO(b"x"), "essay.pdf")},
        content_type="multipart/form-data",
    )
    assert field_error(wrong.text, "file") == "upload a .txt or .md file"
    assert "You chose “essay.pdf”" in wrong.text


def test_sign_in_keeps_the_user_name_never_the_password(client, people):
    token = token_from(client.get("/login").text)
    secret = "not-the-password-" + PASSWORD
    answer = client.post("/login", data={"name": "rev", "password": secret, "csrf_token": token})
    assert answer.status_code == 200
    assert 'id="name" name="name" autocomplete="username" required value="rev"' in answer.text
    assert field_error(answer.text, "password") == "Wrong user name or password."
    assert secret not in answer.text


def test_a_refused_draft_keeps_the_work(client, desk_essay, database):
    task_path = take_next_task_as(client, "rev")
    source_id = re.search(r'data-source="(\d+)"', client.get(task_path).text).group(1)
    typed = {
        "save": "draft",
        "rating": "mostly-false",
        "rationale": "My long rationale.",
        "cite": source_id,
        f"quote-{source_id}": "words the source never had",
    }
    answer = post(client, task_path + "/verdict", typed, task_path)
    assert answer.status_code == 422
    message = field_error(answer.text, f"quote-{source_id}")
    assert message == f"the quoted passage is not in source {source_id}'s snapshot"
    assert ">My long rationale.</textarea>" in answer.text
    assert ">words the source never had</textarea>" in answer.text
    assert f'value="{source_id}" id="cite-{source_id}" checked' in answer.text
    assert "data-unsaved" in answer.text  # desk.js: what the page shows is not stored
    with database.scope() as session:
        assert session.query(Verdict).count() == 0


def test_the_verdicts_checks_say_which_input(client, desk_essay):
    task_path = take_next_task_as(client, "rev")
    source_id = re.search(r'data-source="(\d+)"', client.get(task_path).text).group(1)
    quoted = {"cite": source_id, f"quote-{source_id}": "a\x00b"}
    verdict = {"save": "submit", "rating": "false", "rationale": "Because."}
    bad_quote = post(client, task_path + "/verdict", {**verdict, **quoted}, task_path)
    assert field_error(bad_quote.text, f"quote-{source_id}").startswith("the quote must not")
    no_rating = {**verdict, **quoted, "rating": "", f"quote-{source_id}": "car bombs"}
    unrated = post(client, task_path + "/verdict", no_rating, task_path)
    assert unrated.text.count('aria-invalid="true" aria-describedby="rating-error"') == 6
    assert '<p class="field-error" id="rating-error">choose a rating</p>' in unrated.text
    uncited = post(client, task_path + "/verdict", verdict, task_path)
    assert '<p class="field-error" id="cite-error">the citations: at least 1' in uncited.text
    assert re.search(rf'id="cite-{source_id}"\s+aria-invalid="true"', uncited.text)


def test_a_refused_return_keeps_the_comment(client, desk_essay, database):
    with database.scope() as session:
        author = accounts.user_by_name(session, "rev")
        task = review.claim_next(session, author, 600)
        quote = first_source(session, task.claim_id).snapshot_text[:40]
        citation = review.CitationInput(first_source(session, task.claim_id).id, quote)
        review.submit_verdict(
            session, task.id, author, rating="false", rationale="r", citations=[citation]
        )
    approval = take_next_task_as(client, "rev2")
    while "The verdict to approve" not in client.get(approval).text:
        approval = post(client, "/desk/queue/next", {}, "/desk/queue").location
    comment = "Please look again. " + "y" * 5_000
    answer = post(client, approval + "/return", {"comment": comment}, approval)
    assert answer.status_code == 422
    assert field_error(answer.text, "comment").startswith("the comment is too long")
    assert f">{comment}</textarea>" in answer.text


def autosave(client, task_path: str, data: dict):
    """Post the form as desk.js does, with the token of the page the user is on."""
    token = token_from(client.get(task_path, follow_redirects=True).text)
    return client.post(task_path + "/draft", data=data, headers={"X-CSRFToken": token})


def test_autosave_keeps_the_draft_by_version_and_never_overwrites(client, desk_essay, database):
    task_path = take_next_task_as(client, "rev")
    first = autosave(client, task_path, {"rationale": "First words", "version": ""})
    assert first.status_code == 200 and first.json["version"] == 1
    assert first.json["saved_at"]
    second = autosave(client, task_path, {"rationale": "More words", "version": "1"})
    assert second.status_code == 200 and second.json["version"] == 2

    stale = autosave(client, task_path, {"rationale": "From an old tab", "version": "1"})
    assert stale.status_code == 409 and "changed since version 1" in stale.json["detail"]
    with database.scope() as session:
        draft = session.query(Verdict).one()
        assert (draft.rationale, draft.version) == ("More words", 2)
    assert 'name="version" value="2"' in client.get(task_path).text


def test_autosave_says_which_field_it_could_not_save(client, desk_essay):
    task_path = take_next_task_as(client, "rev")
    source_id = re.search(r'data-source="(\d+)"', client.get(task_path).text).group(1)
    data = {"cite": source_id, f"quote-{source_id}": "not in the source", "version": ""}
    refused = autosave(client, task_path, data)
    assert refused.status_code == 422 and refused.json["field"] == f"quote-{source_id}"
    unticked_quote = autosave(client, task_path, {**data, "cite": "x"})
    assert unticked_quote.status_code == 422  # a forged tick is refused, not a 500


def test_autosave_needs_the_csrf_token_and_the_lease(client, desk_essay):
    task_path = take_next_task_as(client, "rev")
    assert client.post(task_path + "/draft", data={"rationale": "x"}).status_code == 400
    post(client, "/logout")
    sign_in(client, "rev2")
    lost = autosave(client, task_path, {"rationale": "x", "version": ""})
    assert lost.status_code == 409 and "not held by you" in lost.json["detail"]
