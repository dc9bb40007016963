"""The claim workflow: extraction from an essay, and one function per status change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck import audit
from factcheck.claims.extraction import ExtractedClaim, split
from factcheck.claims.models import Claim
from factcheck.db import utcnow
from factcheck.errors import Conflict, NotFound
from factcheck.essays.models import Essay


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
    if essay is None or essay.status != "submitted":
        return []
    extracted_claims = split(essay.text, essay.published_at)
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
        )
        for extracted in extracted_claims
    ]
    session.add_all(made)
    session.flush()  # one INSERT for all of them
    to_gather = []
    for claim in made:
        if not claim.checkable:
            mark_not_checkable(session, claim)
        elif not essay.hold_for_review:
            start_gathering(session, claim)
            to_gather.append(claim.id)
    essay.status = "split"
    essay.status_changed_at = utcnow()
    audit.record(session, "essay.split", essay, after={"claims": len(extracted_claims)})
    return to_gather


def details_of(extracted: ExtractedClaim) -> dict[str, Any]:
    """What the extractor found inside the claim, as JSON for evidence search."""
    return {
        "entities": list(extracted.entities),
        "quantities": [asdict(quantity) for quantity in extracted.quantities],
        "dates": [day.isoformat() for day in extracted.dates],
    }


def counts_by_status(session: Session, essay_id: int) -> dict[str, int]:
    return counts_by_essay(session, [essay_id])[essay_id]


# One function per transition. Each checks where the claim comes from, moves it,
# stamps the time and writes the audit event; nothing else sets Claim.status.


def start_gathering(session: Session, claim: Claim, actor_id: int | None = None) -> None:
    """Extracted, or sent back by an editor's change before anyone reviewed it."""
    _move(session, claim, ("extracted", "not_checkable", "awaiting_review"), "gathering", actor_id)


def mark_not_checkable(session: Session, claim: Claim, actor_id: int | None = None) -> None:
    _move(session, claim, ("extracted", "gathering", "awaiting_review"), "not_checkable", actor_id)


def discard(session: Session, claim: Claim, actor_id: int) -> None:
    sources = ("extracted", "gathering", "awaiting_review", "not_checkable")
    _move(session, claim, sources, "discarded", actor_id)


def finish_gathering(session: Session, claim: Claim) -> None:
    _move(session, claim, ("gathering",), "awaiting_review", None)


def begin_review(session: Session, claim: Claim, actor_id: int) -> None:
    _move(session, claim, ("awaiting_review",), "in_review", actor_id)


def stop_review(session: Session, claim: Claim, actor_id: int | None) -> None:
    """The reviewer released the task, or its lease ran out."""
    _move(session, claim, ("in_review",), "awaiting_review", actor_id)


def submit_for_approval(session: Session, claim: Claim, actor_id: int) -> None:
    _move(session, claim, ("in_review",), "awaiting_approval", actor_id)


def approve(session: Session, claim: Claim, actor_id: int) -> None:
    _move(session, claim, ("awaiting_approval",), "approved", actor_id)


def return_for_review(session: Session, claim: Claim, actor_id: int) -> None:
    _move(session, claim, ("awaiting_approval",), "awaiting_review", actor_id)


def reopen_for_correction(session: Session, claim: Claim, actor_id: int) -> None:
    """An approved verdict is to be changed: the claim goes back to review."""
    _move(session, claim, ("approved",), "awaiting_review", actor_id)


def _move(
    session: Session, claim: Claim, sources: Iterable[str], target: str, actor_id: int | None
) -> None:
    if claim.status not in sources:
        raise Conflict(
            f"claim {claim.id} is {claim.status}; it cannot become {target}",
            claim_status=claim.status,
        )
    before = claim.status
    claim.status = target
    claim.status_changed_at = utcnow()
    audit.record(
        session,
        f"claim.{target}",
        claim,
        actor_id=actor_id,
        before={"status": before},
        after={"status": target},
    )


def essay_claims(session: Session, essay_id: int) -> list[Claim]:
    return list(
        session.scalars(select(Claim).where(Claim.essay_id == essay_id).order_by(Claim.start))
    )


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
