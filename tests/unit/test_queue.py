"""Queue semantics: order, who may take what, leases, drafts, stale edits, history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from factcheck.claims.services import extract_claims
from factcheck.db import utcnow
from factcheck.errors import Conflict, InvalidInput
from factcheck.review import services as review
from factcheck.review.models import ReviewTask
from factcheck.review.services import CitationInput
from tests.unit.helpers import (
    claims_of,
    first_source,
    gather_now,
    gathered_essay,
    submitted_essay,
)

pytestmark = pytest.mark.usefixtures("demo_library")
TEXT = (
    "Car bombs killed more than 200 people in Sadr City on Thursday. "
    "In September, 91 percent of Sunnis said they wanted American forces to leave."
)


def cite(session, task) -> list[CitationInput]:
    source = first_source(session, task.claim_id)
    return [CitationInput(source.id, source.snapshot_text[:40])]


def test_deadline_first_then_checkworthiness_then_age(session, database, make_user):
    editor = make_user("ed", "editor")
    relaxed = gathered_essay(session, database, editor, TEXT)
    urgent = gathered_essay(session, database, editor, TEXT)
    session.execute(
        update(ReviewTask)
        .where(ReviewTask.claim_id.in_([c.id for c in claims_of(session, urgent)]))
        .values(deadline=utcnow() + timedelta(hours=1))
    )
    reviewer = make_user("rev")
    order = []
    while task := review.claim_next(session, reviewer, 600):
        order.append((task.claim.essay_id, task.deadline is not None, task.priority))
    assert [essay for essay, _, _ in order[:2]] == [urgent.id, urgent.id]
    assert [essay for essay, _, _ in order[2:]] == [relaxed.id, relaxed.id]
    # Within an essay (same deadline), the more check-worthy claim comes first.
    assert order[0][2] >= order[1][2] and order[2][2] >= order[3][2]


def test_the_deadline_comes_from_the_essay(session, database, make_user):
    editor = make_user("ed", "editor")
    gathered_essay(session, database, editor, TEXT)
    due = utcnow() + timedelta(days=1)
    essay = submitted_essay(session, editor, TEXT)
    essay.deadline = due
    for claim_id in extract_claims(session, essay.id):
        gather_now(session, database, claim_id)
    task = review.claim_next(session, make_user("rev"), 600)
    assert task.claim.essay_id == essay.id and task.deadline == due


def test_nobody_reviews_an_essay_they_submitted(session, database, make_user):
    both = make_user("both", "admin")  # an admin may submit and review
    gathered_essay(session, database, both, TEXT)
    assert review.claim_next(session, both, 600) is None
    assert review.claim_next(session, make_user("rev"), 600) is not None


def test_heartbeat_extends_the_lease(session, database, make_user):
    gathered_essay(session, database, make_user("ed", "editor"), TEXT)
    reviewer = make_user("rev")
    task = review.claim_next(session, reviewer, 60)
    first_expiry = task.lease_expires_at
    review.heartbeat(session, task.id, reviewer, 600)
    assert task.lease_expires_at > first_expiry + timedelta(seconds=500)
    with pytest.raises(Conflict):
        review.heartbeat(session, task.id, make_user("other"), 600)


def test_an_editor_assigns_a_waiting_task(session, database, make_user):
    editor = make_user("ed", "editor")
    gathered_essay(session, database, editor, TEXT)
    alice = make_user("alice")
    task = session.query(ReviewTask).filter_by(state="open").first()
    assigned = review.assign(session, task.id, alice, editor, 600)
    assert (assigned.state, assigned.assignee_id) == ("leased", alice.id)
    assert assigned.claim.status == "in_review"
    with pytest.raises(Conflict):
        review.assign(session, task.id, make_user("bob"), editor, 600)
    other = session.query(ReviewTask).filter_by(state="open").first()
    with pytest.raises(InvalidInput, match="not an active reviewer"):
        review.assign(session, other.id, make_user("ed2", "editor"), editor, 600)
    submitter_admin = make_user("boss", "admin")
    other.submitter_id = submitter_admin.id
    with pytest.raises(InvalidInput, match="own essay"):
        review.assign(session, other.id, submitter_admin, editor, 600)


def test_drafts_are_versioned_and_become_the_verdict(session, database, make_user):
    gathered_essay(session, database, make_user("ed", "editor"), TEXT)
    reviewer = make_user("rev")
    task = review.claim_next(session, reviewer, 600)
    draft = review.save_draft(
        session, task.id, reviewer, rating=None, rationale="So far", citations=[], version=None
    )
    assert (draft.state, draft.version) == ("draft", 1)
    updated = review.save_draft(
        session,
        task.id,
        reviewer,
        rating="false",
        rationale="More",
        citations=cite(session, task),
        version=1,
    )
    assert updated.id == draft.id and updated.version == 2
    with pytest.raises(Conflict) as stale:
        review.save_draft(
            session, task.id, reviewer, rating="true", rationale="Old tab", citations=[], version=1
        )
    assert stale.value.extra["current_version"] == 2
    verdict = review.submit_verdict(
        session, task.id, reviewer, rating="false", rationale="Final", citations=cite(session, task)
    )
    assert verdict.id == draft.id and verdict.state == "submitted"


def test_history_shows_who_did_what(session, database, make_user):
    gathered_essay(session, database, make_user("ed", "editor"), TEXT)
    author, approver = make_user("author"), make_user("approver")
    task = review.claim_next(session, author, 600)
    review.submit_verdict(
        session, task.id, author, rating="true", rationale="r", citations=cite(session, task)
    )
    approval = review.claim_next(session, approver, 600)
    while approval.claim_id != task.claim_id:
        approval = review.claim_next(session, approver, 600)
    review.approve(session, approval.id, approver, approval.verdict.version)
    timeline = [
        (event.action, name) for event, name in review.claim_history(session, task.claim_id)
    ]
    assert timeline[:3] == [
        ("claim.gathering", None),
        ("claim.awaiting_review", None),
        ("task.opened", None),
    ]
    assert ("claim.in_review", "author") in timeline
    assert ("verdict.submitted", "author") in timeline
    assert timeline[-1] in {("verdict.approved", "approver"), ("claim.approved", "approver")}
    assert timeline.index(("verdict.submitted", "author")) < timeline.index(
        ("verdict.approved", "approver")
    )


def test_the_dashboard_counts_each_claim_gathered_once(session, database, make_user):
    from factcheck.review.stats import desk_stats

    editor = make_user("ed", "editor")
    essay = gathered_essay(session, database, editor, TEXT)
    gathered = len(claims_of(session, essay, "awaiting_review"))
    reviewer = make_user("rev")
    for _ in range(3):  # taken and given back: the claims come back to the queue
        task = review.claim_next(session, reviewer, 600)
        review.release(session, task.id, reviewer)
    session.flush()
    today = desk_stats(session).per_day[-1]
    assert gathered == 2 and today[1] == gathered
