"""The reviewer queue: leases on tasks, verdicts with citations, second review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from factcheck import audit
from factcheck.accounts.models import User
from factcheck.audit import AuditEvent
from factcheck.claims import services as claims
from factcheck.claims.models import Claim
from factcheck.db import utcnow, write_loaded
from factcheck.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from factcheck.publishing.models import Correction
from factcheck.review import queue, ratings
from factcheck.review.errors import LeaseLost, QuoteNotInSource
from factcheck.review.models import Citation, ReviewTask, TaskSkip, Verdict
from factcheck.review.states import (
    LIVE,
    TASK_TRANSITIONS,
    VERDICT_TRANSITIONS,
    TaskState,
    VerdictState,
)
from factcheck.settings import Settings
from factcheck.sources.models import SourceRecord
from factcheck.sources.text import collapse
from factcheck.states import check_move

DEFAULT_LEASE_SECONDS: int = Settings.model_fields["lease_seconds"].default


@dataclass(frozen=True)
class CitationInput:
    source_id: int
    quote: str


# Drafts belong to their author: their audit events say that a draft was saved, and a
# verdict.submitted that came from one has this ``before``, never the draft's content
# (migration c5f1d2e8a934 scrubbed the events written before).
DRAFT_BEFORE = {"state": VerdictState.DRAFT.value}


def open_review_task(
    session: Session,
    claim: Claim,
    *,
    comment: str | None = None,
    verdict_id: int | None = None,
    reserved_for_id: int | None = None,
    reserved_until: datetime | None = None,
) -> ReviewTask:
    """A review task for one claim; ``reserved_for_id``: only that reviewer may take it
    until ``reserved_until`` (a returned verdict's author)."""
    reservation = {"reserved_for_id": reserved_for_id, "reserved_until": reserved_until}
    return open_review_tasks(
        session, [claim], comment=comment, verdict_id=verdict_id, **reservation
    )[0]


def open_review_tasks(
    session: Session,
    claims: Sequence[Claim],
    *,
    comment: str | None = None,
    verdict_id: int | None = None,
    **reservation: int | datetime | None,
) -> list[ReviewTask]:
    """A review task per claim, inserted together."""
    tasks = [
        _new_task(claim, "review", comment=comment, verdict_id=verdict_id, **reservation)
        for claim in claims
    ]
    session.add_all(tasks)
    session.flush()
    for task in tasks:
        opened: dict[str, object] = {"kind": "review", "claim_id": task.claim_id}
        if task.reserved_for_id:
            opened |= {"reserved_for_id": task.reserved_for_id}
        audit.record(session, "task.opened", task, after=opened)
    return tasks


def _new_task(claim: Claim, kind: str, **fields: object) -> ReviewTask:
    essay = claim.essay
    return ReviewTask(
        claim_id=claim.id,
        kind=kind,
        priority=claim.checkworthiness,
        deadline=essay.deadline,
        submitter_id=essay.submitted_by_id,
        **fields,
    )


# The queue's two busiest statements are built once, with their values as
# parameters: composing them cost more than running them. Both read the row they
# lock afresh (populate_existing), whatever the session loaded before. The next
# open task's statement, and the rules of who may take what, are in review/queue.py.
_TASK_FOR_UPDATE = (
    select(ReviewTask)
    .where(ReviewTask.id == bindparam("task_id"))
    .options(joinedload(ReviewTask.claim))  # every caller moves the claim too
    .with_for_update(of=ReviewTask)
    .execution_options(populate_existing=True)
)


def claim_next(
    session: Session, user: User, lease_seconds: int, now: datetime | None = None
) -> ReviewTask | None:
    """Lease the most urgent open task this reviewer may take (see review/queue.py:
    a task returned to them first, tasks they gave back lately last).

    PostgreSQL: the SELECT locks the chosen row with SKIP LOCKED, so concurrent
    reviewers each get a different task without waiting, and it reads the claim in
    the same statement. SQLite: the transaction is an immediate one, which
    serialises writers.
    """
    now = now or utcnow()
    task = session.scalar(queue.NEXT_OPEN, queue.params(user, now))
    if task is None:
        return None
    _lease(session, task, user, now + timedelta(seconds=lease_seconds))
    return task


def take_task(
    session: Session, task_id: int, user: User, lease_seconds: int, now: datetime | None = None
) -> ReviewTask:
    """Lease the task the reviewer chose from the list. Taken by someone else meanwhile,
    or not theirs to take (own essay, own verdict, reserved for another): a Conflict.
    Taking a task one already holds again is harmless (a second click)."""
    now = now or utcnow()
    task = session.scalar(_TASK_FOR_UPDATE, {"task_id": task_id})  # waits for a taker
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    if task.state == TaskState.LEASED and task.assignee_id == user.id and not lease_ran_out(task):
        return task
    reason = queue.refusal(task, user, now)
    if reason:
        raise Conflict(reason, task_state=task.state)
    _lease(session, task, user, now + timedelta(seconds=lease_seconds))
    return task


def _lease(session: Session, task: ReviewTask, user: User, until: datetime) -> None:
    _set_lease(session, task, TaskState.LEASED, user.id, until)
    if task.kind == "review":
        claims.begin_review(session, [task.claim], user.id)
    audit.record(session, "task.leased", task, actor_id=user.id, after={"assignee_id": user.id})


def held_task(session: Session, task_id: int, user: User) -> ReviewTask:
    """The task ``user`` holds under a live lease, or an error saying why not."""
    task = session.scalar(_TASK_FOR_UPDATE, {"task_id": task_id})
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    if task.state == TaskState.CANCELLED:
        raise LeaseLost(
            f"task {task_id} was cancelled: its verdict was withdrawn by its author, "
            "or its claim changed",
            task_state=task.state,
        )
    if task.state != TaskState.LEASED or task.assignee_id != user.id:
        raise LeaseLost(f"task {task_id} is not held by you", task_state=task.state)
    if lease_ran_out(task):
        raise LeaseLost(f"your lease on task {task_id} has expired; claim a task again")
    return task


def lease_ran_out(task: ReviewTask) -> bool:
    """Past its lease's end (the reconciler may not have put it back yet)."""
    return task.lease_expires_at is None or task.lease_expires_at <= utcnow()


def submit_verdict(
    session: Session,
    task_id: int,
    user: User,
    *,
    rating: str,
    rationale: str,
    citations: list[CitationInput],
) -> Verdict:
    """Submit the verdict for a held review task (the author's draft, if any, becomes it)."""
    task = _held_review(session, task_id, user)
    _check_verdict(session, task.claim_id, rating, rationale, citations)
    verdict = draft_of(session, task, user)
    # From a draft: say so, never what the draft said (drafts belong to their author).
    before = dict(DRAFT_BEFORE) if verdict else None
    if verdict is None:
        verdict = Verdict(claim_id=task.claim_id, author_id=user.id)
        session.add(verdict)
    _fill(verdict, rating, rationale, citations)
    verdict.state = VerdictState.SUBMITTED
    session.flush()
    _finish(session, task)
    claims.submit_for_approval(session, [task.claim], user.id)
    session.add(_new_task(task.claim, "approval", verdict_id=verdict.id, author_id=user.id))
    audit.record(
        session,
        "verdict.submitted",
        verdict,
        actor_id=user.id,
        before=before,
        after=_verdict_snapshot(verdict),
    )
    session.flush()  # the caller shows the verdict as stored
    return verdict


def save_draft(
    session: Session,
    task_id: int,
    user: User,
    *,
    rating: str | None,
    rationale: str,
    citations: list[CitationInput],
    version: int | None,
) -> Verdict:
    """Keep a verdict in progress; ``version`` must match the draft's (None: a new draft)."""
    task = _held_review(session, task_id, user)
    if rating is not None and rating not in ratings.BY_SLUG:
        raise InvalidInput(f"unknown rating {rating!r}; see /api/v1/ratings", field="rating")
    _check_citations(session, task.claim_id, citations)
    verdict = draft_of(session, task, user)
    if verdict is None:
        if version is not None:
            raise Conflict(
                f"task {task_id} has no draft at version {version}", current_version=None
            )
        verdict = Verdict(claim_id=task.claim_id, author_id=user.id, state=VerdictState.DRAFT)
        session.add(verdict)
    else:
        _check_version(verdict, version)
    _fill(verdict, rating or "", rationale, citations)
    session.flush()
    # That a draft was saved, never its content: the history is read by every desk
    # user and token, a draft only by its author.
    audit.record(session, "verdict.draft_saved", verdict, actor_id=user.id)
    return verdict


def withdraw_from_approval(
    session: Session, verdict_id: int, user: User, lease_seconds: int
) -> ReviewTask:
    """The author takes a verdict back from its second review to change it.

    The approval task is cancelled (whoever held it can no longer approve), the
    verdict becomes the author's draft again, and a review task for it is leased to
    the author, who edits and resubmits it through that task.
    """
    verdict = _verdict_of_author(session, verdict_id, user)
    approval = session.scalar(
        _LIVE_APPROVAL.execution_options(populate_existing=True), {"verdict_id": verdict_id}
    )
    session.refresh(verdict)  # as it stands now that its approval task is locked
    if approval is None or verdict.state != VerdictState.SUBMITTED:
        raise Conflict(
            f"verdict {verdict_id} is {verdict.state}; only a verdict awaiting approval "
            "can be withdrawn",
            verdict_state=verdict.state,
        )
    _cancel(session, approval, actor_id=user.id, reason="withdrawn")
    _decide(verdict, VerdictState.DRAFT)
    claims.withdraw_from_approval(session, [approval.claim], user.id)
    task = _new_task(approval.claim, "review")
    session.add(task)
    session.flush()
    audit.record(session, "task.opened", task, actor_id=user.id, after={"kind": "review"})
    _set_lease(
        session, task, TaskState.LEASED, user.id, utcnow() + timedelta(seconds=lease_seconds)
    )
    audit.record(session, "verdict.withdrawn", verdict, actor_id=user.id)
    return task


_LIVE_APPROVAL = (
    select(ReviewTask)
    .where(
        ReviewTask.verdict_id == bindparam("verdict_id"),
        ReviewTask.kind == "approval",
        ReviewTask.state.in_(LIVE),
    )
    .options(joinedload(ReviewTask.claim))
    .with_for_update(of=ReviewTask)
)


def _verdict_of_author(session: Session, verdict_id: int, user: User) -> Verdict:
    verdict = session.get(Verdict, verdict_id)
    if verdict is None:
        raise NotFound(f"verdict {verdict_id} does not exist")
    if verdict.author_id != user.id:
        raise PermissionDenied("only the verdict's author can withdraw it")
    return verdict


def draft_of(session: Session, task: ReviewTask, user: User) -> Verdict | None:
    return session.scalar(
        select(Verdict).where(
            Verdict.claim_id == task.claim_id,
            Verdict.author_id == user.id,
            Verdict.state == VerdictState.DRAFT,
        )
    )


def _check_version(verdict: Verdict, version: int | None) -> None:
    if version != verdict.version:
        raise Conflict(
            f"verdict {verdict.id} changed since version {version}; it is at {verdict.version}",
            current_version=verdict.version,
        )


def _fill(verdict: Verdict, rating: str, rationale: str, citations: list[CitationInput]) -> None:
    verdict.version = (verdict.version or 0) + 1
    verdict.rating = rating
    verdict.rationale = rationale
    verdict.citations = [Citation(source_id=c.source_id, quote=c.quote) for c in citations]


def _verdict_snapshot(verdict: Verdict) -> dict[str, object]:
    return {
        "rating": verdict.rating,
        "rationale": verdict.rationale,
        "state": verdict.state,
        "citations": [{"source_id": c.source_id, "quote": c.quote} for c in verdict.citations],
    }


def _held_review(session: Session, task_id: int, user: User) -> ReviewTask:
    task = held_task(session, task_id, user)
    if task.kind != "review":
        raise InvalidInput(f"task {task_id} is an approval; approve or return it")
    return task


def _check_verdict(
    session: Session, claim_id: int, rating: str, rationale: str, citations: list[CitationInput]
) -> None:
    if rating not in ratings.BY_SLUG:
        raise InvalidInput(f"unknown rating {rating!r}; see /api/v1/ratings", field="rating")
    if not rationale.strip():
        raise InvalidInput("a verdict needs a rationale", field="rationale")
    if not citations:
        raise InvalidInput("a verdict needs at least one citation", field="citations")
    _check_citations(session, claim_id, citations)


def _check_citations(session: Session, claim_id: int, citations: list[CitationInput]) -> None:
    """Each cited source belongs to the claim, and the quote is in its snapshot."""
    sources = {
        record.id: record
        for record in session.scalars(
            select(SourceRecord).where(
                SourceRecord.id.in_([c.source_id for c in citations]),
                SourceRecord.claim_id == claim_id,
            )
        )
    }
    for index, citation in enumerate(citations):
        source = sources.get(citation.source_id)
        if source is None:
            raise InvalidInput(
                f"source {citation.source_id} is not a source of this claim",
                field=f"citations.{index}.source_id",
            )
        if not quote_in_text(citation.quote, source.snapshot_text):
            raise QuoteNotInSource(
                f"the quoted passage is not in source {citation.source_id}'s snapshot",
                field=f"citations.{index}.quote",
                source_id=citation.source_id,
            )


def quote_in_text(quote: str, text: str) -> bool:
    """Is ``quote`` a passage of ``text``, white space aside?"""
    quote = collapse(quote)
    return bool(quote) and quote in collapse(text)


def approve(session: Session, task_id: int, user: User, version: int) -> Verdict:
    """Approve the verdict at ``version``, the one the approver was shown: if it has
    changed since, nothing is approved (409)."""
    task, verdict = _held_approval(session, task_id, user)
    if version != verdict.version:
        raise Conflict(
            f"the verdict changed after you read it (version {version}); it is now at "
            f"version {verdict.version}: read it again before you approve it",
            current_version=verdict.version,
        )
    _supersede_approved(session, verdict, user.id)
    _decide(verdict, VerdictState.APPROVED)
    verdict.approver_id = user.id
    verdict.decided_at = utcnow()
    _finish(session, task)
    claims.approve(session, [task.claim], user.id)
    audit.record(session, "verdict.approved", verdict, actor_id=user.id)
    session.flush()  # the caller shows the verdict as stored
    return verdict


def _supersede_approved(session: Session, verdict: Verdict, actor_id: int) -> None:
    """A claim has one current verdict: the one a correction replaces stays in the
    history as ``superseded``, out of counts, exports and the desk connector."""
    for earlier in session.scalars(
        select(Verdict).where(
            Verdict.claim_id == verdict.claim_id,
            Verdict.state == VerdictState.APPROVED,
            Verdict.id != verdict.id,
        )
    ):
        _decide(earlier, VerdictState.SUPERSEDED)
        audit.record(
            session, "verdict.superseded", earlier, actor_id=actor_id, after={"by": verdict.id}
        )


def return_verdict(
    session: Session,
    task_id: int,
    user: User,
    comment: str,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
) -> ReviewTask:
    """Send a verdict back: it stays in the history, and a new review task opens,
    reserved for the verdict's author for ``lease_seconds`` (then anyone's)."""
    if not comment.strip():
        raise InvalidInput("say why the verdict goes back: a comment is required", field="comment")
    task, verdict = _held_approval(session, task_id, user)
    _decide(verdict, VerdictState.RETURNED)
    verdict.approver_id = user.id
    verdict.decided_at = utcnow()
    _finish(session, task)
    claims.return_for_review(session, [task.claim], user.id)
    audit.record(session, "verdict.returned", verdict, actor_id=user.id, after={"comment": comment})
    return open_review_task(
        session,
        task.claim,
        comment=comment,
        verdict_id=verdict.id,
        reserved_for_id=verdict.author_id,
        reserved_until=utcnow() + timedelta(seconds=lease_seconds),
    )


def _decide(verdict: Verdict, state: VerdictState) -> None:
    """Move a submitted or approved verdict on, as VERDICT_TRANSITIONS allows."""
    check_move(VERDICT_TRANSITIONS, verdict.state, state, f"verdict {verdict.id}")
    verdict.state = state


def _held_approval(session: Session, task_id: int, user: User) -> tuple[ReviewTask, Verdict]:
    task = held_task(session, task_id, user)
    if task.kind != "approval" or task.verdict is None:
        raise InvalidInput(f"task {task_id} is a review; submit a verdict for it")
    if task.verdict.author_id == user.id:
        raise PermissionDenied("a second reviewer must approve; you wrote this verdict")
    return task, task.verdict


def release(session: Session, task_id: int, user: User, now: datetime | None = None) -> ReviewTask:
    """Give a held task back. The reviewer's "take next" leaves it last for
    queue.SKIP_MEMORY; a returned verdict's author giving it back lets anyone take it."""
    now = now or utcnow()
    task = held_task(session, task_id, user)
    _reopen(session, task, actor_id=user.id)
    if task.reserved_for_id == user.id:
        write_loaded(
            session, _END_RESERVATION, [task], {"reserved_for_id": None, "reserved_until": None}
        )
    _remember_give_back(session, task, user, now)
    return task


def _remember_give_back(session: Session, task: ReviewTask, user: User, now: datetime) -> None:
    """One row per reviewer and task, the latest time; the reviewer's rows past the
    memory go at the same time, so the table holds only recent give-backs."""
    session.execute(
        _FORGET_GIVE_BACKS,
        {"user_id": user.id, "task_id": task.id, "since": now - queue.SKIP_MEMORY},
    )
    session.execute(_GIVE_BACK, {"user_id": user.id, "task_id": task.id, "at": now})


_skips = TaskSkip.__table__
_FORGET_GIVE_BACKS = delete(_skips).where(
    _skips.c.user_id == bindparam("user_id"),
    or_(_skips.c.task_id == bindparam("task_id"), _skips.c.at <= bindparam("since")),
)
_GIVE_BACK = insert(_skips)
_END_RESERVATION = (
    update(ReviewTask.__table__)
    .where(ReviewTask.__table__.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        reserved_for_id=bindparam("reserved_for_id"), reserved_until=bindparam("reserved_until")
    )
)


def heartbeat(session: Session, task_id: int, user: User, lease_seconds: int) -> ReviewTask:
    """Extend the lease of a task its holder is still working on."""
    task = held_task(session, task_id, user)
    _set_lease(
        session, task, TaskState.LEASED, user.id, utcnow() + timedelta(seconds=lease_seconds)
    )
    return task


def assign(
    session: Session, task_id: int, reviewer: User, editor: User, lease_seconds: int
) -> ReviewTask:
    """An editor hands a waiting task to a named reviewer, who then holds its lease."""
    task = session.scalar(select(ReviewTask).where(ReviewTask.id == task_id).with_for_update())
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    if task.state != TaskState.OPEN:
        raise Conflict(f"task {task_id} is {task.state}; only waiting tasks can be assigned")
    if not reviewer.has_role("reviewer") or reviewer.disabled_at:
        raise InvalidInput(f"{reviewer.name} is not an active reviewer", field="reviewer")
    if reviewer.id in (task.submitter_id, task.author_id):
        raise InvalidInput(
            f"{reviewer.name} may not take this task (own essay or own verdict)", field="reviewer"
        )
    _set_lease(
        session, task, TaskState.LEASED, reviewer.id, utcnow() + timedelta(seconds=lease_seconds)
    )
    if task.kind == "review":
        claims.begin_review(session, [task.claim], reviewer.id)
    audit.record(
        session, "task.assigned", task, actor_id=editor.id, after={"assignee_id": reviewer.id}
    )
    return task


def expire_leases(session: Session, now: datetime | None = None) -> int:
    """Put every task whose lease ran out back in the queue; return how many."""
    now = now or utcnow()
    expired = session.scalars(
        select(ReviewTask)
        .where(ReviewTask.state == TaskState.LEASED, ReviewTask.lease_expires_at < now)
        .options(selectinload(ReviewTask.claim))  # each one's claim goes back too
        .with_for_update(skip_locked=True)
    ).all()
    for task in expired:
        _reopen(session, task, actor_id=None)
    return len(expired)


def _reopen(session: Session, task: ReviewTask, actor_id: int | None) -> None:
    previous = task.assignee_id
    _set_lease(session, task, TaskState.OPEN, None, None)
    if task.kind == "review":
        claims.stop_review(session, [task.claim], actor_id)
    audit.record(
        session,
        "task.released" if actor_id else "task.lease_expired",
        task,
        actor_id=actor_id,
        before={"assignee_id": previous},
    )


def live_task_of(session: Session, claim_id: int) -> ReviewTask | None:
    """The claim's open or leased task, if it has one."""
    return session.scalar(
        select(ReviewTask).where(ReviewTask.claim_id == claim_id, ReviewTask.state.in_(LIVE))
    )


def cancel_open_tasks(session: Session, claim_id: int) -> None:
    """Withdraw a claim's waiting tasks, e.g. when an editor changes or discards it."""
    for task in session.scalars(
        select(ReviewTask).where(
            ReviewTask.claim_id == claim_id, ReviewTask.state == TaskState.OPEN
        )
    ).all():
        _cancel(session, task, actor_id=None, reason="claim_changed")


def _cancel(session: Session, task: ReviewTask, actor_id: int | None, reason: str) -> None:
    _set_lease(session, task, TaskState.CANCELLED, None, None)
    audit.record(session, "task.cancelled", task, actor_id=actor_id, after={"reason": reason})


def _finish(session: Session, task: ReviewTask) -> None:
    """Done; the assignee stays, as who did it."""
    _set_lease(session, task, TaskState.DONE, task.assignee_id, None)


# Built once. Every change of a task's state or lease is this statement: the queue's
# requests write it without the unit of work (see write_loaded).
_SET_LEASE = (
    update(ReviewTask.__table__)
    .where(ReviewTask.__table__.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        state=bindparam("state"),
        assignee_id=bindparam("assignee_id"),
        lease_expires_at=bindparam("lease_expires_at"),
        updated_at=bindparam("updated_at"),
    )
)


def _set_lease(
    session: Session,
    task: ReviewTask,
    state: TaskState,
    assignee_id: int | None,
    lease_expires_at: datetime | None,
) -> None:
    check_move(TASK_TRANSITIONS, task.state, state, f"task {task.id}")
    values = {
        "state": state,
        "assignee_id": assignee_id,
        "lease_expires_at": lease_expires_at,
        "updated_at": utcnow(),
    }
    write_loaded(session, _SET_LEASE, [task], values)


def tasks_held_by(session: Session, user: User) -> list[ReviewTask]:
    return list(
        session.scalars(
            select(ReviewTask)
            .where(ReviewTask.state == TaskState.LEASED, ReviewTask.assignee_id == user.id)
            .options(  # every page and answer that lists them shows these
                selectinload(ReviewTask.claim),
                selectinload(ReviewTask.verdict).selectinload(Verdict.citations),
            )
            .order_by(ReviewTask.lease_expires_at)
        )
    )


def awaiting_approval_by(session: Session, author: User) -> list[Verdict]:
    """The author's verdicts waiting for their second review, oldest first."""
    return list(
        session.scalars(
            select(Verdict)
            .where(Verdict.author_id == author.id, Verdict.state == VerdictState.SUBMITTED)
            .options(joinedload(Verdict.claim))
            .order_by(Verdict.created_at, Verdict.id)
        )
    )


def claim_history(session: Session, claim_id: int) -> list[tuple[AuditEvent, str | None]]:
    """Every audited change to a claim, its tasks, verdicts, sources and corrections,
    oldest first, each with the name of who made it (None for the system). One query
    after the claim's: the subjects are subqueries."""
    claims.get_claim(session, claim_id)
    subjects = {
        "claims": select(Claim.id).where(Claim.id == claim_id),
        "review_tasks": select(ReviewTask.id).where(ReviewTask.claim_id == claim_id),
        "verdicts": select(Verdict.id).where(Verdict.claim_id == claim_id),
        "source_records": select(SourceRecord.id).where(SourceRecord.claim_id == claim_id),
        "corrections": select(Correction.id).where(Correction.claim_id == claim_id),
    }
    about_claim = or_(
        *(
            and_(AuditEvent.subject_type == kind, AuditEvent.subject_id.in_(ids))
            for kind, ids in subjects.items()
        )
    )
    rows = session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(about_claim)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [(event, name) for event, name in rows]


def open_tasks_by_claim(session: Session, claim_ids: list[int]) -> dict[int, int]:
    """The waiting review task of each claim that has one."""
    rows = session.execute(
        select(ReviewTask.claim_id, ReviewTask.id).where(
            ReviewTask.claim_id.in_(claim_ids),
            ReviewTask.state == TaskState.OPEN,
            ReviewTask.kind == "review",
        )
    )
    return {claim_id: task_id for claim_id, task_id in rows}
