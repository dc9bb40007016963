"""The approval page gives the approver what they need to judge a verdict."""

from __future__ import annotations

import html
import re
from datetime import date

from sqlalchemy import select

from factcheck.accounts import services as accounts
from factcheck.review import services as review
from factcheck.review.compare import in_context, word_diff
from factcheck.sources.models import SourceRecord
from tests import factories
from tests.unit.pages import sign_in


def _take(session, user, wanted):
    """Lease tasks as ``user`` until one matches ``wanted``; give the others back."""
    skipped, task = [], review.claim_next(session, user, 600)
    while task is not None and not wanted(task):
        skipped.append(task)
        task = review.claim_next(session, user, 600)
    for other in skipped:
        review.release(session, other.id, user)
    assert task is not None
    return task


def test_the_approver_sees_label_author_sources_in_context_returns_and_changes(
    client, people, database
):
    with database.scope() as session:
        factories.reviewable_essay(session, accounts.user_by_name(session, "ed"))
        author = accounts.user_by_name(session, "rev")
        author.display_name = "Rae Author"
        approver = accounts.user_by_name(session, "rev2")
        task = review.claim_next(session, author, 600)
        source = session.scalar(select(SourceRecord).where(SourceRecord.claim_id == task.claim_id))
        source.publisher, source.published_at = "BBC", date(2006, 11, 23)
        first = [review.CitationInput(source.id, "killed at least 215 people")]
        review.submit_verdict(
            session, task.id, author, rating="true", rationale="The toll fits.", citations=first
        )
        approval = _take(session, approver, lambda t: t.kind == "approval")
        review.return_verdict(session, approval.id, approver, "Say which toll: 200 or 215?")
        returned = _take(session, author, lambda t: t.verdict_id is not None)
        second = [review.CitationInput(source.id, "the deadliest attack since the invasion")]
        review.submit_verdict(
            session,
            returned.id,
            author,
            rating="mostly-true",
            rationale="The toll was 215, more than 200.",
            citations=second,
        )
        approval_id = _take(session, approver, lambda t: t.kind == "approval").id

    sign_in(client, "rev2")
    page = html.unescape(client.get(f"/desk/tasks/{approval_id}").text)
    verdict = page.split('id="verdict-heading"', 1)[1]
    assert "<strong>Mostly true</strong>" in verdict and "mostly-true</strong>" not in verdict
    assert "Written by Rae Author" in verdict
    assert 'Sadr City bombings</a>, BBC, <time datetime="2006-11-23">23 Nov 2006</time>' in verdict
    assert "on 23 November 2006, <mark>the deadliest attack since the invasion</mark>." in verdict
    returns = verdict.split('id="returns-heading"', 1)[1]
    assert "returned “True”" in returns and "Say which toll: 200 or 215?" in returns
    assert "<del>True</del> → <ins>Mostly true</ins>" in returns
    assert re.search(r"<del>fits\.</del> <ins>was 215, more than 200\.</ins>", returns)
    assert "<ins>added</ins> Sadr City bombings: <q>the deadliest" in returns
    assert "<del>removed</del> Sadr City bombings: <q>killed at least 215 people" in returns


def test_a_quote_is_found_in_its_source_whatever_its_white_space():
    text = "First line.\nA series of car bombs\n  killed at least 215 people in Sadr City."
    found = in_context(text, "car bombs killed   at least", context=12)
    assert found.passage == "car bombs\n  killed at least"
    assert found.before == "…series of " and found.after == " 215 people…"
    assert in_context(text, "not in the text", context=12) is None
    assert in_context(text, "   ", context=12) is None


def test_a_word_diff_marks_what_was_removed_and_added():
    assert word_diff("the toll was 200 people", "the toll was 215 people") == [
        (" ", "the toll was"),
        ("-", "200"),
        ("+", "215"),
        (" ", "people"),
    ]
