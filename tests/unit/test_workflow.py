"""The essay workflow through the services: split, gather, review, approve, publish."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from factcheck.audit import AuditEvent
from factcheck.claims import services as claims
from factcheck.claims.models import Claim
from factcheck.claims.services import extract_claims
from factcheck.db import captured_statements, utcnow
from factcheck.errors import Conflict, InvalidInput, PermissionDenied
from factcheck.publishing import services as publishing
from factcheck.review import services as review
from factcheck.review.errors import LeaseLost, QuoteNotInSource
from factcheck.review.models import ReviewTask
from factcheck.review.services import CitationInput
from factcheck.sources.models import SourceRecord
from factcheck.sources.services import plan_runs
from tests.conftest import SEED_ESSAY
from tests.factories import TINY_ESSAY
from tests.unit.helpers import (
    BATCH,
    CLOCK,
    claims_of,
    first_source,
    gather_now,
    gathered_essay,
    submitted_essay,
)
from tests.wording import keeps_the_span

pytestmark = pytest.mark.usefixtures("demo_library")
ORG = publishing.Masthead("Test desk", "https://desk.example")
SITE = "https://desk.example"


def cite(source: SourceRecord) -> list[CitationInput]:
    return [CitationInput(source.id, source.snapshot_text[:60])]


def test_split_stores_exact_spans_and_marks_unchecked_kinds(session, database, make_user):
    essay = submitted_essay(session, make_user("ed", "editor"))
    to_gather = extract_claims(session, essay.id)
    stored = claims_of(session, essay)
    assert stored and len(to_gather) == sum(c.checkable for c in stored)
    for claim in stored:
        span = SEED_ESSAY[claim.start : claim.end]  # the essay's words, trimmed
        assert span and span == span.strip() and claim.text
        # The text is the standalone wording: the span, or the span repaired.
        assert keeps_the_span(claim.text, span), (claim.text, span)
        assert 0.0 <= claim.checkworthiness <= 1.0
        expected = "gathering" if claim.checkable else "not_checkable"
        assert claim.status == expected
    questions = [c for c in stored if c.text.endswith("?")]
    assert questions and all(c.kind == "question" and not c.checkable for c in questions)


def test_split_twice_adds_nothing(session, database, make_user):
    essay = submitted_essay(session, make_user("ed", "editor"))
    first = extract_claims(session, essay.id)
    assert first
    assert extract_claims(session, essay.id) == []
    count = session.scalar(
        select(func.count()).select_from(Claim).where(Claim.essay_id == essay.id)
    )
    assert count == len(claims_of(session, essay))


def test_gathering_finds_library_evidence_and_opens_one_task(session, database, make_user):
    essay = gathered_essay(session, database, make_user("ed", "editor"))
    sadr = next(c for c in claims_of(session, essay) if "car bombs killed" in c.text)
    assert sadr.status == "awaiting_review"
    titles = [s.title for s in review_sources(session, sadr.id)]
    assert "23 November 2006 Sadr City bombings" in titles[:3]
    # Gathering again is harmless: no new records, no second task.
    assert plan_runs(session, [sadr.id], ["library"], CLOCK, BATCH) == []
    gather_now(session, database, sadr.id)
    tasks = session.scalars(select(ReviewTask).where(ReviewTask.claim_id == sadr.id)).all()
    assert [(t.kind, t.state) for t in tasks] == [("review", "open")]


def review_sources(session, claim_id):
    return session.scalars(
        select(SourceRecord)
        .where(SourceRecord.claim_id == claim_id)
        .order_by(SourceRecord.score.desc())
    ).all()


def test_claim_next_leases_highest_priority_and_moves_claim(session, database, make_user):
    essay = gathered_essay(session, database, make_user("ed", "editor"), TINY_ESSAY)
    reviewer = make_user("rev")
    task = review.claim_next(session, reviewer, lease_seconds=600)
    assert task is not None and task.kind == "review"
    assert task.assignee_id == reviewer.id and task.state == "leased"
    top = max(
        c.checkworthiness
        for c in claims_of(session, essay, "in_review")
        + claims_of(session, essay, "awaiting_review")
    )
    assert task.priority == top
    assert task.claim.status == "in_review"
    second = review.claim_next(session, make_user("rev2"), lease_seconds=600)
    assert second is not None and second.id != task.id


def test_verdict_needs_rating_rationale_and_citation_found_in_source(session, database, make_user):
    gathered_essay(session, database, make_user("ed", "editor"), TINY_ESSAY)
    reviewer = make_user("rev")
    task = review.claim_next(session, reviewer, 600)
    source = first_source(session, task.claim_id)
    good = cite(source)
    with pytest.raises(InvalidInput, match="unknown rating"):
        review.submit_verdict(
            session, task.id, reviewer, rating="pants-on-fire", rationale="x", citations=good
        )
    with pytest.raises(InvalidInput, match="rationale"):
        review.submit_verdict(
            session, task.id, reviewer, rating="false", rationale="  ", citations=good
        )
    with pytest.raises(InvalidInput, match="at least one citation"):
        review.submit_verdict(
            session, task.id, reviewer, rating="false", rationale="r", citations=[]
        )
    with pytest.raises(QuoteNotInSource):
        review.submit_verdict(
            session,
            task.id,
            reviewer,
            rating="false",
            rationale="r",
            citations=[CitationInput(source.id, "words that are nowhere in the source")],
        )
    other_claims_source = session.scalar(
        select(SourceRecord).where(SourceRecord.claim_id != task.claim_id).limit(1)
    )
    with pytest.raises(InvalidInput, match="not a source of this claim"):
        review.submit_verdict(
            session,
            task.id,
            reviewer,
            rating="false",
            rationale="r",
            citations=cite(other_claims_source),
        )
    # White space in the quote need not match the snapshot's.
    spaced = CitationInput(source.id, "  " + "\n".join(source.snapshot_text[:60].split(" ")))
    verdict = review.submit_verdict(
        session, task.id, reviewer, rating="false", rationale="r", citations=[spaced]
    )
    assert verdict.state == "submitted" and task.claim.status == "awaiting_approval"


def test_only_a_second_reviewer_approves(session, database, make_user):
    gathered_essay(session, database, make_user("ed", "editor"), TINY_ESSAY)
    author, approver = make_user("author"), make_user("approver")
    task = review.claim_next(session, author, 600)
    verdict = review.submit_verdict(
        session,
        task.id,
        author,
        rating="mostly-true",
        rationale="r",
        citations=cite(first_source(session, task.claim_id)),
    )
    # The author's next task is never the approval of their own verdict.
    next_for_author = review.claim_next(session, author, 600)
    assert next_for_author is None or next_for_author.verdict_id != verdict.id
    approval = review.claim_next(session, approver, 600)
    assert approval.kind == "approval" and approval.verdict_id == verdict.id
    approved = review.approve(session, approval.id, approver, approval.verdict.version)
    assert approved.state == "approved" and approved.approver_id == approver.id
    assert approval.claim.status == "approved"


def test_author_cannot_approve_even_when_holding_the_task(session, database, make_user):
    gathered_essay(session, database, make_user("ed", "editor"), TINY_ESSAY)
    author = make_user("author")
    task = review.claim_next(session, author, 600)
    verdict = review.submit_verdict(
        session,
        task.id,
        author,
        rating="true",
        rationale="r",
        citations=cite(first_source(session, task.claim_id)),
    )
    approval = session.scalar(select(ReviewTask).where(ReviewTask.verdict_id == verdict.id))
    approval.state, approval.assignee_id = "leased", author.id  # forced by hand
    approval.lease_expires_at = utcnow() + timedelta(minutes=5)
    with pytest.raises(PermissionDenied):
        review.approve(session, approval.id, author, approval.verdict.version)


def test_return_keeps_history_and_reopens_review_with_comment(session, database, make_user):
    gathered_essay(session, database, make_user("ed", "editor"), TINY_ESSAY)
    author, approver = make_user("author"), make_user("approver")
    task = review.claim_next(session, author, 600)
    verdict = review.submit_verdict(
        session,
        task.id,
        author,
        rating="true",
        rationale="r",
        citations=cite(first_source(session, task.claim_id)),
    )
    approval = review.claim_next(session, approver, 600)
    with pytest.raises(InvalidInput):
        review.return_verdict(session, approval.id, approver, " ")
    reopened = review.return_verdict(session, approval.id, approver, "Check the date.")
    assert verdict.state == "returned"
    assert reopened.kind == "review" and reopened.state == "open"
    assert reopened.comment == "Check the date." and reopened.verdict_id == verdict.id
    assert reopened.claim.status == "awaiting_review"


def test_release_and_expiry_return_the_task_to_the_queue(session, database, make_user):
    gathered_essay(session, database, make_user("ed", "editor"), TINY_ESSAY)
    reviewer = make_user("rev")
    task = review.claim_next(session, reviewer, 600)
    review.release(session, task.id, reviewer)
    assert task.state == "open" and task.claim.status == "awaiting_review"
    with pytest.raises(LeaseLost):
        review.release(session, task.id, reviewer)
    # Taken again by choice ("take next" would hand out the other task first).
    again = review.take_task(session, task.id, reviewer, lease_seconds=-1)  # already expired
    assert again.id == task.id
    with pytest.raises(LeaseLost, match="expired"):
        review.submit_verdict(
            session,
            again.id,
            reviewer,
            rating="true",
            rationale="r",
            citations=cite(first_source(session, again.claim_id)),
        )
    assert review.expire_leases(session) == 1
    assert again.state == "open" and again.assignee_id is None
    assert again.claim.status == "awaiting_review"


def test_illegal_transition_is_a_conflict_and_nothing_changes(session, database, make_user):
    essay = gathered_essay(session, database, make_user("ed", "editor"), TINY_ESSAY)
    claim = claims_of(session, essay, "awaiting_review")[0]
    with pytest.raises(Conflict):
        claims.approve(session, [claim], actor_id=None)
    assert claim.status == "awaiting_review"


def test_a_claim_moved_since_it_was_read_is_a_conflict(session, database, make_user):
    essay = gathered_essay(session, database, make_user("ed", "editor"), TINY_ESSAY)
    claim = claims_of(session, essay, "awaiting_review")[0]
    # Another transaction discards it; this session still holds it as it was read.
    table = Claim.__table__
    session.execute(update(table).where(table.c.id == claim.id).values(status="discarded"))
    with pytest.raises(Conflict):
        claims.begin_review(session, [claim], actor_id=None)
    assert claim.status == "awaiting_review"  # as read: nothing was written
    assert session.scalar(select(Claim.status).where(Claim.id == claim.id)) == "discarded"
    assert not session.scalar(
        select(func.count()).where(
            AuditEvent.subject_id == claim.id, AuditEvent.action == "claim.in_review"
        )
    )


def test_a_split_moves_its_claims_with_one_statement_per_status(session, database, make_user):
    essay = submitted_essay(session, make_user("ed", "editor"))
    with captured_statements(database.engine) as sent:
        extract_claims(session, essay.id)
    moves = [sql for sql, _ in sent if sql.startswith("UPDATE claims")]
    statuses = {claim.status for claim in claims_of(session, essay)}
    assert statuses == {"gathering", "not_checkable"} and len(moves) == 2


def test_every_transition_is_audited(session, database, make_user):
    essay = gathered_essay(session, database, make_user("ed", "editor"), TINY_ESSAY)
    claim = claims_of(session, essay, "awaiting_review")[0]
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "claims", AuditEvent.subject_id == claim.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.before, e.after) for e in events] == [
        ({"status": "extracted"}, {"status": "gathering"}),
        ({"status": "gathering"}, {"status": "awaiting_review"}),
    ]


def test_publish_refuses_unfinished_then_freezes_approved_verdicts(session, database, make_user):
    editor = make_user("ed", "editor")
    text = (
        "Car bombs killed more than 200 people in Sadr City on Thursday. "
        "Will more troops change that?"
    )
    essay = gathered_essay(session, database, editor, text)
    with pytest.raises(Conflict) as refused:
        publishing.publish(session, essay.id, editor, ORG, base_url=SITE)
    assert [c["status"] for c in refused.value.extra["unfinished"]] == ["awaiting_review"]
    author, approver = make_user("author"), make_user("approver")
    task = review.claim_next(session, author, 600)
    source = first_source(session, task.claim_id)
    review.submit_verdict(
        session, task.id, author, rating="true", rationale="Toll was 215.", citations=cite(source)
    )
    approval = review.claim_next(session, approver, 600)
    review.approve(session, approval.id, approver, approval.verdict.version)
    publication = publishing.publish(session, essay.id, editor, ORG, base_url=SITE)
    assert publication.version == 1 and essay.status == "published"
    checked = [c for c in publication.content["claims"] if c["verdict"]]
    assert len(checked) == 1
    assert checked[0]["verdict"]["citations"][0]["url"] == source.url
    assert checked[0]["verdict"]["approved_by"] == "approver"
    with pytest.raises(InvalidInput, match="correction note"):
        publishing.publish(session, essay.id, editor, ORG, base_url=SITE)
    again = publishing.publish(session, essay.id, editor, ORG, note="Typo fixed.", base_url=SITE)
    assert again.version == 2
