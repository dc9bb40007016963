"""The editor's triage: which claims are checked, which are not and why, in bulk.

A claim's decision is ``Claim.triage``: ``None`` (not decided yet), ``check`` (chosen
for checking: it gets a review task once gathered) or a reason it is not checked
(``decisions.NOT_CHECKED``). Evidence is gathered for every checkable claim whatever
its decision, so triage can read it; only chosen claims reach the reviewers, and
only chosen claims need a verdict before publishing.

Each bulk action (``apply``) is one transaction over many claims: all of them
change, or none does (a refused claim is a ``Conflict`` that names it). Every
change writes a ``claim.triaged`` event (or the claim's status event for a discard
or its restoration), and the action itself an ``essay.triaged`` event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck import audit, jobs
from factcheck.audit import AuditEvent
from factcheck.claims import services as claims
from factcheck.claims.decisions import NOT_CHECKED, RANK, Band, Decision, band_of
from factcheck.claims.models import Claim
from factcheck.claims.states import EDITABLE, ClaimStatus
from factcheck.errors import Conflict, InvalidInput
from factcheck.essays.models import Essay
from factcheck.essays.services import get_essay
from factcheck.review import services as review


class Action(StrEnum):
    CHECK = "check"
    DO_NOT_CHECK = "do_not_check"
    DISCARD = "discard"
    RESTORE = "restore"


# Claims a reviewer holds or has rated: their decision cannot silently change.
UNDER_REVIEW = frozenset(
    {ClaimStatus.IN_REVIEW, ClaimStatus.AWAITING_APPROVAL, ClaimStatus.APPROVED}
)


@dataclass(frozen=True)
class Selection:
    """Which claims of an essay an action is for: exactly one of these."""

    claim_ids: list[int] | None = None
    top: int | None = None  # the N most check-worthy checkable claims
    band: Band | None = None  # every checkable claim in this band or above
    undecided: bool = False  # every checkable claim with no decision yet


@dataclass
class Outcome:
    action: Action
    changed: list[Claim] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


def apply(
    session: Session,
    essay_id: int,
    action: Action,
    selection: Selection,
    actor_id: int,
    reason: Decision | None = None,
) -> Outcome:
    """Apply one bulk ``action`` to the selected claims of an essay, all or nothing."""
    essay = get_essay(session, essay_id)
    if (action == Action.DO_NOT_CHECK) != (reason is not None):
        raise InvalidInput("give a reason for do_not_check, and only for it", field="reason")
    if reason == Decision.CHECK:
        raise InvalidInput(f"reason must be one of {', '.join(NOT_CHECKED)}", field="reason")
    chosen = _select(session, essay, selection)
    outcome = Outcome(action)
    for claim in chosen:
        if _ACTIONS[action](session, essay, claim, actor_id, reason):
            outcome.changed.append(claim)
        else:
            outcome.unchanged.append(claim.id)
    audit.record(
        session,
        "essay.triaged",
        essay,
        actor_id=actor_id,
        after={
            "action": action,
            "reason": reason,
            "changed": [c.id for c in outcome.changed],
            "unchanged": outcome.unchanged,
        },
    )
    return outcome


def _select(session: Session, essay: Essay, selection: Selection) -> list[Claim]:
    given = [
        selection.claim_ids is not None,
        selection.top is not None,
        selection.band is not None,
        selection.undecided,
    ]
    if sum(given) != 1:
        raise InvalidInput("name the claims one way: claim_ids, top, band or undecided")
    rows = _locked_claims(session, essay.id)
    if selection.claim_ids is not None:
        return _by_ids(rows, essay.id, selection.claim_ids)
    candidates = [c for c in rows if c.checkable and c.status != ClaimStatus.DISCARDED]
    if selection.top is not None:
        ranked = sorted(candidates, key=lambda c: (-c.checkworthiness, c.start))
        return sorted(ranked[: selection.top], key=lambda c: c.start)
    if selection.band is not None:
        floor = RANK[selection.band]
        return [c for c in candidates if RANK[band_of(c.checkworthiness)] >= floor]
    return [c for c in candidates if c.triage is None]


def _locked_claims(session: Session, essay_id: int) -> list[Claim]:
    """The essay's claims in text order, locked (in id order, as gathering locks them)."""
    locked = session.scalars(
        select(Claim).where(Claim.essay_id == essay_id).order_by(Claim.id).with_for_update()
    ).all()
    return sorted(locked, key=lambda c: (c.start, c.id))


def _by_ids(rows: Sequence[Claim], essay_id: int, claim_ids: list[int]) -> list[Claim]:
    if not claim_ids:
        raise InvalidInput("claim_ids is empty", field="claim_ids")
    by_id = {claim.id: claim for claim in rows}
    missing = sorted(set(claim_ids) - set(by_id))
    if missing:
        raise InvalidInput(
            f"claims {', '.join(map(str, missing))} are not claims of essay {essay_id}",
            field="claim_ids",
        )
    wanted = set(claim_ids)
    return [claim for claim in rows if claim.id in wanted]


# --- one claim at a time, inside the action's transaction ----------------------------


def _check(session: Session, essay: Essay, claim: Claim, actor_id: int, _: object) -> bool:
    if claim.triage == Decision.CHECK:
        return False
    if not claim.checkable or claim.status == ClaimStatus.DISCARDED:
        raise _refused(claim, "it is not checkable; make it checkable by editing it first")
    _decide(session, claim, Decision.CHECK, actor_id)
    return True


def _do_not_check(
    session: Session, essay: Essay, claim: Claim, actor_id: int, reason: Decision | None
) -> bool:
    assert reason is not None
    if claim.triage == reason:
        return False
    if claim.status == ClaimStatus.DISCARDED:
        raise _refused(claim, "it is discarded; restore it first")
    _decide(session, claim, reason, actor_id)
    return True


def _discard(session: Session, essay: Essay, claim: Claim, actor_id: int, _: object) -> bool:
    if claim.status == ClaimStatus.DISCARDED:
        return False
    if claim.status not in EDITABLE:
        raise _refused(claim, "a reviewer has it; only claims not yet under review")
    review.cancel_open_tasks(session, claim.id)
    claims.discard(session, [claim], actor_id)
    return True


def _restore(session: Session, essay: Essay, claim: Claim, actor_id: int, _: object) -> bool:
    """Undo the claim's last discard, or its last triage decision."""
    if claim.status == ClaimStatus.DISCARDED:
        _undiscard(session, essay, claim, actor_id)
        return True
    found, previous = _last_decision(session, claim.id)
    if not found:
        return False
    _decide(session, claim, previous, actor_id, restored=True)
    return True


_ACTIONS = {
    Action.CHECK: _check,
    Action.DO_NOT_CHECK: _do_not_check,
    Action.DISCARD: _discard,
    Action.RESTORE: _restore,
}


def _decide(
    session: Session,
    claim: Claim,
    after: Decision | None,
    actor_id: int,
    restored: bool = False,
) -> None:
    """Set the claim's decision; open or cancel its review task to match."""
    before = claim.triage
    if claim.status in UNDER_REVIEW and before == Decision.CHECK and after != Decision.CHECK:
        raise _refused(
            claim,
            f"it is {claim.status.label}: a reviewer has rated or holds it; "
            "a checked claim can only be corrected, not un-chosen",
        )
    claim.triage = after
    if after == Decision.CHECK:
        _open_task_if_gathered(session, claim)
    else:
        review.cancel_open_tasks(session, claim.id)
    audit.record(
        session,
        "claim.triaged",
        claim,
        actor_id=actor_id,
        before={"triage": before},
        after={"triage": after, **({"restored": True} if restored else {})},
    )


def _open_task_if_gathered(session: Session, claim: Claim) -> None:
    """A claim already gathered gets its review task now; one still gathering gets it
    when gathering ends (sources.services)."""
    if claim.status == ClaimStatus.AWAITING_REVIEW and not review.live_task_of(session, claim.id):
        review.open_review_tasks(session, [claim])


def _last_decision(session: Session, claim_id: int) -> tuple[bool, Decision | None]:
    """Whether the claim's decision ever changed, and what it was before the last
    change (None: not decided yet)."""
    event = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == Claim.__tablename__,
            AuditEvent.subject_id == claim_id,
            AuditEvent.action == "claim.triaged",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return False, None
    value = (event.before or {}).get("triage")
    return True, Decision(value) if value else None


def _undiscard(session: Session, essay: Essay, claim: Claim, actor_id: int) -> None:
    """Back to where its flags say it belongs; a checkable claim gathers anew."""
    held = essay.hold_for_review and essay.confirmed_at is None
    if not claim.checkable:
        claims.restore(session, [claim], ClaimStatus.NOT_CHECKABLE, actor_id)
    elif held:
        claims.restore(session, [claim], ClaimStatus.EXTRACTED, actor_id)
    else:
        claims.restore(session, [claim], ClaimStatus.GATHERING, actor_id)
        jobs.queue(session, jobs.GATHER_CLAIM, claim.id)


def _refused(claim: Claim, why: str) -> Conflict:
    return Conflict(
        f"claim {claim.id} (“{claims.quoted(claim.text)}”) cannot change: {why}",
        claim_id=claim.id,
        claim_status=claim.status,
    )
