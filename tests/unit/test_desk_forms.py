"""Desk forms refuse what the API refuses, say why, and write nothing."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from factcheck.audit import AuditEvent
from factcheck.claims.models import Claim
from factcheck.essays.models import Essay
from tests.unit.pages import post, take_next_task_as

NUL = "\x00"


def writes(database) -> tuple[int, int]:
    """(audit events, essays): every change the desk makes records an audit event."""
    with database.scope() as session:
        return (
            session.scalar(select(func.count()).select_from(AuditEvent)),
            session.scalar(select(func.count()).select_from(Essay)),
        )


def refusal(client, path: str, data: dict, page: str) -> str:
    """Post a form; the message the desk shows for it."""
    answer = post(client, path, data, page)
    text = answer.text if answer.status_code == 422 else client.get(answer.location).text
    messages = re.findall(r'class="flash error"[^>]*>([^<]*)<', text)
    assert messages, f"no error message after {path}"
    return html.unescape(messages[0])


EDITOR_FORMS = [
    ("/desk/essays/new", {"title": f"A{NUL}", "text": "Some text."}, "title"),
    ("/desk/essays/new", {"title": "A", "text": f"Some{NUL} text."}, "text"),
    ("/desk/essays/new", {"title": "A", "text": "Text.", "author": f"B{NUL}"}, "author"),
    ("/desk/claims/{claim_id}/edit", {"version": "1", "text": f"x{NUL}y"}, "text"),
    ("/desk/essays/{essay_id}/publish", {"note": f"n{NUL}"}, "note"),
    ("/desk/essays/{essay_id}/withdraw", {"note": f"n{NUL}"}, "note"),
    ("/desk/claims/{claim_id}/reopen", {"note": f"n{NUL}"}, "note"),
    ("/desk/tasks/{task_id}/assign", {"reviewer": f"rev{NUL}"}, "reviewer"),
]


@pytest.mark.parametrize(("path", "data", "field"), EDITOR_FORMS)
def test_editor_forms_refuse_control_characters(client, desk_essay, database, path, data, field):
    before = writes(database)
    message = refusal(client, path.format(**desk_essay), data, desk_essay["essay"])
    assert message == f"the {field} must not contain control characters (tab and newlines are fine)"
    assert writes(database) == before


REVIEWER_FORMS = [
    ("/verdict", {"save": "draft", "rationale": f"r{NUL}"}, "rationale"),
    (
        "/verdict",
        {"save": "submit", "rating": "false", "rationale": "r", "cite": "1", "quote-1": NUL},
        "quote",
    ),
    ("/return", {"comment": f"c{NUL}"}, "comment"),
]


@pytest.mark.parametrize(("step", "data", "field"), REVIEWER_FORMS)
def test_reviewer_forms_refuse_control_characters(client, desk_essay, database, step, data, field):
    task_path = take_next_task_as(client, "rev")
    before = writes(database)
    message = refusal(client, task_path + step, data, task_path)
    assert message == f"the {field} must not contain control characters (tab and newlines are fine)"
    assert writes(database) == before


def test_desk_limits_are_the_apis(client, desk_essay, database):
    before = writes(database)
    long_note = refusal(
        client,
        f"/desk/essays/{desk_essay['essay_id']}/withdraw",
        {"note": "n" * 5_001},
        desk_essay["essay"],
    )
    assert long_note == "the note is too long: at most 5,000 characters"
    empty_note = refusal(
        client, f"/desk/claims/{desk_essay['claim_id']}/reopen", {"note": "  "}, desk_essay["essay"]
    )
    assert empty_note == "the note is required"
    url = refusal(
        client,
        "/desk/essays/new",
        {"title": "A", "text": "Text.", "url": "javascript:alert(1)"},
        "/desk/essays/new",
    )
    assert url == "the url must start with http:// or https://"
    assert writes(database) == before


def test_split_finds_its_words_in_the_essay_not_in_edited_wording(client, desk_essay, database):
    with database.scope() as session:
        claim = session.get_one(Claim, int(desk_essay["claim_id"]))
        span = claim.essay.text[claim.start : claim.end]
    cut = span.index(" ", len(span) // 2) + 1
    edited = post(
        client,
        f"/desk/claims/{desk_essay['claim_id']}/edit",
        {
            "version": "1",
            "text": "Reworded by the editor entirely.",
            "essay_id": desk_essay["essay_id"],
        },
        desk_essay["essay"],
    )
    assert "Claim updated" in client.get(edited.location).text
    split = post(
        client,
        f"/desk/claims/{desk_essay['claim_id']}/split",
        {"before": span[cut : cut + 12], "essay_id": desk_essay["essay_id"]},
        desk_essay["essay"],
    )
    assert "Claim split in two" in client.get(split.location).text
    with database.scope() as session:
        newest = session.scalars(
            select(Claim.text)
            .where(Claim.essay_id == int(desk_essay["essay_id"]))
            .order_by(Claim.id)
        ).all()[-2:]
    assert newest == [span[:cut].strip(), span[cut:].strip()]


def test_a_task_whose_lease_ran_out_shows_no_form(client, desk_essay, database):
    from datetime import timedelta

    from factcheck.db import utcnow
    from factcheck.review.models import ReviewTask

    task_path = take_next_task_as(client, "rev")
    assert 'id="verdict-form"' in client.get(task_path).text
    with database.scope() as session:
        task = session.get_one(ReviewTask, int(task_path.rsplit("/", 1)[1]))
        task.lease_expires_at = utcnow() - timedelta(seconds=1)  # before the beat notices
    page = client.get(task_path)
    assert page.status_code == 302 and page.location == "/desk/queue"
    assert "Your lease on that task has expired" in client.get("/desk/queue").text


def test_a_verdict_missing_its_parts_says_which(client, desk_essay, database):
    task_path = take_next_task_as(client, "rev")
    before = writes(database)
    submit = {"save": "submit", "rationale": "Because.", "cite": "1", "quote-1": "a quote"}
    assert refusal(client, task_path + "/verdict", submit, task_path) == "choose a rating"
    uncited = {"save": "submit", "rating": "false", "rationale": "Because."}
    message = refusal(client, task_path + "/verdict", uncited, task_path)
    assert message == "the citations: at least 1 needed"
    assert writes(database) == before


def test_numbers_out_of_range_in_links_and_forms_fall_back_instead_of_failing(client, desk_essay):
    huge = client.get("/desk/essays?before=99999999999999999999")
    assert huge.status_code == 200 and f'href="{desk_essay["essay"]}"' in huge.text  # page 1
    back = post(
        client,
        f"/desk/claims/{desk_essay['claim_id']}/discard",
        {"essay_id": "99999999999"},
        desk_essay["essay"],
    )
    assert back.status_code == 302 and back.location == "/desk/essays"
