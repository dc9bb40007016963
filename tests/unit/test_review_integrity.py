"""A second pair of eyes that cannot be bypassed: an approval is bound to the verdict
version the approver read, and a verdict awaiting approval changes only by being
withdrawn from it (tests/integration/test_review_integrity_postgres.py runs the
same API scenario on PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from factcheck import history
from factcheck.audit import AuditEvent
from factcheck.db import utcnow
from factcheck.errors import Conflict, PermissionDenied
from factcheck.review import services as review
from factcheck.review.errors import LeaseLost
from factcheck.review.models import ReviewTask
from factcheck.sources.models import SourceRecord
from tests import factories
from tests.flow import bypass_attempt, caller_for, one_claim_essay


def test_the_bypass_attempt_ends_in_a_409_and_the_page_shows_what_was_approved(
    client, token, database
):
    tokens = {
        "editor": token("ed", "editor"),
        "reviewer1": token("r1", "reviewer"),
        "reviewer2": token("r2", "reviewer"),
    }
    with database.scope() as session:
        essay_id = one_claim_essay(session, "ed")
    bypass_attempt(caller_for(client), tokens, essay_id)


@pytest.fixture
def submitted(session, make_user):
    """A verdict its author submitted, and the approval task a second reviewer holds."""
    factories.reviewable_essay(session, make_user("ed", "editor"))
    author, approver = make_user("author"), make_user("approver")
    task = review.claim_next(session, author, 600)
    source = session.scalar(select(SourceRecord).where(SourceRecord.claim_id == task.claim_id))
    verdict = review.submit_verdict(
        session,
        task.id,
        author,
        rating="mostly-true",
        rationale="Close enough.",
        citations=[review.CitationInput(source.id, source.snapshot_text[:40])],
    )
    approval = review.claim_next(session, approver, 600)
    while approval.verdict_id != verdict.id:
        approval = review.claim_next(session, approver, 600)
    return verdict, approval, author, approver, source


def test_an_approval_of_another_version_approves_nothing(session, submitted):
    verdict, approval, _, approver, _ = submitted
    with pytest.raises(Conflict) as changed:
        review.approve(session, approval.id, approver, verdict.version + 1)
    assert changed.value.extra["current_version"] == verdict.version
    assert verdict.state == "submitted" and approval.claim.status == "awaiting_approval"
    assert review.approve(session, approval.id, approver, verdict.version).state == "approved"


def test_withdrawing_cancels_the_approval_and_hands_the_author_a_review(session, submitted):
    verdict, approval, author, approver, source = submitted
    with pytest.raises(PermissionDenied):
        review.withdraw_from_approval(session, verdict.id, approver, 600)
    task = review.withdraw_from_approval(session, verdict.id, author, 600)
    assert (task.kind, task.state, task.assignee_id) == ("review", "leased", author.id)
    assert verdict.state == "draft" and task.claim.status == "in_review"
    assert session.get(ReviewTask, approval.id).state == "cancelled"
    actions = session.execute(
        select(AuditEvent.action, AuditEvent.after, AuditEvent.actor_id).where(
            AuditEvent.subject_type.in_(["review_tasks", "verdicts"]),
            AuditEvent.action.in_(["task.cancelled", "verdict.withdrawn"]),
        )
    ).all()
    assert sorted(actions, key=str) == sorted(
        [
            ("task.cancelled", {"reason": "withdrawn"}, author.id),
            ("verdict.withdrawn", None, author.id),
        ],
        key=str,
    )
    with pytest.raises(LeaseLost, match="withdrawn"):
        review.approve(session, approval.id, approver, verdict.version)

    resubmitted = review.submit_verdict(
        session,
        task.id,
        author,
        rating="false",
        rationale="The toll was 215.",
        citations=[review.CitationInput(source.id, source.snapshot_text[:40])],
    )
    assert resubmitted.id == verdict.id and resubmitted.state == "submitted"
    for _ in range(3):  # however often the author asks, never their own approval
        mine = review.claim_next(session, author, 600)
        assert mine is None or mine.verdict_id != verdict.id
    fresh = review.claim_next(session, approver, 600)
    assert fresh.verdict_id == verdict.id and fresh.id != approval.id
    approved = review.approve(session, fresh.id, approver, resubmitted.version)
    assert (approved.rating, approved.approver_id) == ("false", approver.id)
    with pytest.raises(Conflict, match="approved"):
        review.withdraw_from_approval(session, verdict.id, author, 600)


def test_an_expired_withdrawal_goes_back_to_the_queue_with_the_claim(session, submitted):
    verdict, _, author, _, _ = submitted
    task = review.withdraw_from_approval(session, verdict.id, author, 600)
    task.lease_expires_at = utcnow() - timedelta(seconds=1)
    assert review.expire_leases(session) == 1
    assert task.state == "open" and task.claim.status == "awaiting_review"


def test_the_history_tells_of_the_withdrawal(session, submitted):
    verdict, _, author, _, _ = submitted
    author.display_name = "Rae Author"
    review.withdraw_from_approval(session, verdict.id, author, 600)
    told = [
        line.sentence
        for line in history.lines(session, review.claim_history(session, verdict.claim_id))
    ]
    assert any("took the verdict back; its approval was cancelled" in line for line in told), told
    assert any("withdrew" in line and "from approval to change it" in line for line in told), told
