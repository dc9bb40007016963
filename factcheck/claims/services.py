"""The claim workflow: extraction from an essay, and one function per status change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from factcheck import audit
from factcheck.claims.decisions import Decision, initial_decision
from factcheck.claims.extraction import ExtractedClaim
from factcheck.claims.extraction import split as split_essay
from factcheck.claims.models import Claim
from factcheck.claims.states import TRANSITIONS, ClaimStatus
from factcheck.db import utcnow, write_loaded
from factcheck.errors import Conflict, NotFound
from factcheck.essays.models import Essay
from factcheck.essays.states import TRANSITIONS as ESSAY_TRANSITIONS
from factcheck.essays.states import EssayStatus
from factcheck.states import check_move, sources_of


def get_claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"claim {claim_id} does not exist")
    return claim


def extract_claims(session: Session, essay_id: int) -> list[int]:
    """Split a submitted essay into claims; return the ids of claims to gather.

    Returns [] when the essay was split already, so running it twice is harmless.
    A held essay's checkable claims stay extracted until an editor confirms them.
    """
    essay = session.scalar(select(Essay).where(Essay.id == essay_id).with_for_update())
    if essay is None or essay.status != EssayStatus.SUBMITTED:
        return []
    extracted_claims = split_essay(essay.text, essay.published_at)
    made = [
        Claim(
            essay_id=essay.id,
            start=extracted.start,
            end=extracted.end,
            text=extracted.text,
            kind=extracted.kind,
            checkworthiness=extracted.checkworthiness,
            checkable=extracted.checkable,
            details=details_of(extracted),
            triage=initial_decision(
                extracted.checkworthiness, extracted.checkable, essay.check_from_band
            ),
        )
        for extracted in extracted_claims
    ]
    session.add_all(made)
    session.flush()  # one INSERT for all of them
    mark_not_checkable(session, [claim for claim in made if not claim.checkable])
    to_gather = [] if essay.hold_for_review else [claim for claim in made if claim.checkable]
    start_gathering(session, to_gather)
    check_move(ESSAY_TRANSITIONS, essay.status, EssayStatus.SPLIT, f"essay {essay.id}")
    essay.status = EssayStatus.SPLIT
    essay.status_changed_at = utcnow()
    audit.record(session, "essay.split", essay, after={"claims": len(extracted_claims)})
    return [claim.id for claim in to_gather]


def quoted(text: str, limit: int = 80) -> str:
    """A claim's words for a message (messages quote text, never offsets)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def details_of(extracted: ExtractedClaim) -> dict[str, Any]:
    """What the extractor found inside the claim, as JSON for evidence search."""
    return {
        "entities": list(extracted.entities),
        "quantities": [asdict(quantity) for quantity in extracted.quantities],
        "dates": [day.isoformat() for day in extracted.dates],
    }


def counts_by_status(session: Session, essay_id: int) -> dict[str, int]:
    return counts_by_essay(session, [essay_id])[essay_id]


# One function per transition. Each moves the claims along an edge of
# claims.states.TRANSITIONS, stamps the time and writes the audit event; nothing
# else sets Claim.status. A function whose target has several ways in names the one
# it takes (``coming_from``): a claim found elsewhere is a Conflict.


def start_gathering(session: Session, claims: Sequence[Claim], actor_id: int | None = None) -> None:
    """Extracted, or sent back by an editor's change before anyone reviewed it."""
    _move(session, claims, ClaimStatus.GATHERING, actor_id)


def mark_not_checkable(
    session: Session, claims: Sequence[Claim], actor_id: int | None = None
) -> None:
    _move(session, claims, ClaimStatus.NOT_CHECKABLE, actor_id)


def discard(session: Session, claims: Sequence[Claim], actor_id: int) -> None:
    _move(session, claims, ClaimStatus.DISCARDED, actor_id)


def restore(session: Session, claims: Sequence[Claim], target: ClaimStatus, actor_id: int) -> None:
    """Undo a discard: back to extracted, gathering or not checkable."""
    _move(session, claims, target, actor_id, ClaimStatus.DISCARDED)


def finish_gathering(session: Session, claims: Sequence[Claim]) -> None:
    _move(session, claims, ClaimStatus.AWAITING_REVIEW, None, ClaimStatus.GATHERING)


def begin_review(session: Session, claims: Sequence[Claim], actor_id: int) -> None:
    _move(session, claims, ClaimStatus.IN_REVIEW, actor_id, ClaimStatus.AWAITING_REVIEW)


def stop_review(session: Session, claims: Sequence[Claim], actor_id: int | None) -> None:
    """The reviewer released the task, or its lease ran out."""
    _move(session, claims, ClaimStatus.AWAITING_REVIEW, actor_id, ClaimStatus.IN_REVIEW)


def submit_for_approval(session: Session, claims: Sequence[Claim], actor_id: int) -> None:
    _move(session, claims, ClaimStatus.AWAITING_APPROVAL, actor_id)


def approve(session: Session, claims: Sequence[Claim], actor_id: int) -> None:
    _move(session, claims, ClaimStatus.APPROVED, actor_id)


def return_for_review(session: Session, claims: Sequence[Claim], actor_id: int) -> None:
    _move(session, claims, ClaimStatus.AWAITING_REVIEW, actor_id, ClaimStatus.AWAITING_APPROVAL)


def withdraw_from_approval(session: Session, claims: Sequence[Claim], actor_id: int) -> None:
    """The verdict's author took it back from its second review to change it."""
    _move(session, claims, ClaimStatus.IN_REVIEW, actor_id, ClaimStatus.AWAITING_APPROVAL)


def reopen_for_correction(session: Session, claims: Sequence[Claim], actor_id: int) -> None:
    """An approved verdict is to be changed: the claim goes back to review."""
    _move(session, claims, ClaimStatus.AWAITING_REVIEW, actor_id, ClaimStatus.APPROVED)


# Built once; it moves only claims still in one of the allowed statuses.
_MOVE = (
    update(Claim.__table__)
    .where(
        Claim.__table__.c.id.in_(bindparam("ids", expanding=True)),
        Claim.__table__.c.status.in_(bindparam("sources", expanding=True)),
    )
    .values(status=bindparam("status"), status_changed_at=bindparam("status_changed_at"))
)


def _move(
    session: Session,
    claims: Sequence[Claim],
    target: ClaimStatus,
    actor_id: int | None,
    coming_from: ClaimStatus | None = None,
) -> None:
    """Move ``claims`` to ``target`` with one statement, and audit each move."""
    if not claims:
        return
    sources = _sources(target, coming_from)
    for claim in claims:
        if claim.status not in sources:
            raise Conflict(
                f"claim {claim.id} is {claim.status}; it cannot become {target}",
                claim_status=claim.status,
            )
    befores = [claim.status for claim in claims]
    values = {"status": target, "status_changed_at": utcnow()}
    if write_loaded(session, _MOVE, claims, values, sources=sorted(sources)) != len(claims):
        # Another transaction moved one of them since it was read.
        raise Conflict("a claim changed meanwhile; reload it and try again")
    for claim, before in zip(claims, befores, strict=True):
        audit.record(
            session,
            f"claim.{target}",
            claim,
            actor_id=actor_id,
            before={"status": before},
            after={"status": target},
        )


def _sources(target: ClaimStatus, coming_from: ClaimStatus | None) -> frozenset[ClaimStatus]:
    """The statuses a claim may leave for ``target`` (only ``coming_from`` if given)."""
    if coming_from is None:
        return sources_of(TRANSITIONS, target)
    if target not in TRANSITIONS[coming_from]:
        raise ValueError(f"no transition {coming_from} -> {target}")  # a bug, not a request
    return frozenset({coming_from})


def essay_claims(session: Session, essay_id: int) -> list[Claim]:
    return list(
        session.scalars(select(Claim).where(Claim.essay_id == essay_id).order_by(Claim.start))
    )


def chosen_by_essay(session: Session, essay_ids: list[int]) -> dict[int, int]:
    """How many live claims of each essay the desk chose to check, in one query."""
    chosen = dict.fromkeys(essay_ids, 0)
    rows = session.execute(
        select(Claim.essay_id, func.count())
        .where(
            Claim.essay_id.in_(essay_ids),
            Claim.triage == Decision.CHECK,
            Claim.status != ClaimStatus.DISCARDED,
        )
        .group_by(Claim.essay_id)
    )
    for essay_id, count in rows:
        chosen[essay_id] = count
    return chosen


def counts_by_essay(session: Session, essay_ids: list[int]) -> dict[int, dict[str, int]]:
    """Claims counted by status for several essays in one query."""
    counts: dict[int, dict[str, int]] = {essay_id: {} for essay_id in essay_ids}
    rows = session.execute(
        select(Claim.essay_id, Claim.status, func.count())
        .where(Claim.essay_id.in_(essay_ids))
        .group_by(Claim.essay_id, Claim.status)
    )
    for essay_id, status, count in rows:
        counts[essay_id][status] = count
    return counts
