"""Editor curation of an essay's claims: edit, merge, split, discard, add, confirm.

Claims under review (in_review, awaiting_approval, approved) are left alone:
their verdicts would no longer match. Every change writes an audit event; an
edit must name the claim's current version (a stale one is a 409) and bumps it.
Claims that must be gathered (again) get a GATHER_CLAIM job, sent once the
caller commits.

Claims may overlap: an editor marks a claim over text another claim already
covers (most of an essay is), and the new claim stands beside the old one; the
pages mark the first of overlapping spans. Messages quote the text they are about,
never character offsets.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck import audit, jobs
from factcheck.claims import services as claims
from factcheck.claims.decisions import Decision, initial_decision
from factcheck.claims.extraction import KINDS, NOT_CHECKABLE_KINDS, describe
from factcheck.claims.models import Claim
from factcheck.claims.states import EDITABLE, ClaimStatus
from factcheck.db import utcnow
from factcheck.errors import Conflict, InvalidInput
from factcheck.essays.models import Essay
from factcheck.essays.services import get_essay
from factcheck.essays.states import EssayStatus
from factcheck.review.services import cancel_open_tasks


@dataclass(frozen=True)
class ClaimEdit:
    version: int
    text: str | None = None
    start: int | None = None
    end: int | None = None
    kind: str | None = None
    checkable: bool | None = None


def edit_claim(session: Session, claim_id: int, edit: ClaimEdit, actor_id: int) -> list[int]:
    """Change a claim's wording, span, kind or checkable flag; return the ids queued
    for gathering."""
    claim = _editable(session, claim_id)
    if edit.version != claim.version:
        raise Conflict(
            f"claim {claim_id} changed since version {edit.version}; it is at {claim.version}",
            current_version=claim.version,
        )
    essay = get_essay(session, claim.essay_id)
    before = _snapshot(claim)
    if edit.start is not None or edit.end is not None:
        start, end = _trimmed_span(
            essay,
            claim.start if edit.start is None else edit.start,
            claim.end if edit.end is None else edit.end,
        )
        claim.start, claim.end, claim.text = start, end, essay.text[start:end]
    if edit.text is not None:
        claim.text = _wording(edit.text)
    if edit.kind is not None:
        claim.kind = _kind(edit.kind)
    checkable = claim.checkable if edit.checkable is None else edit.checkable
    if edit.checkable is None and edit.kind is not None:
        checkable = claim.kind not in NOT_CHECKABLE_KINDS
    claim.checkable = checkable
    claim.version += 1
    text_changed = (before["text"], before["start"], before["end"]) != (
        claim.text,
        claim.start,
        claim.end,
    )
    if text_changed:  # what evidence search reads from the words, read anew
        found = describe(essay.text, claim.start, claim.end, essay.published_at, claim.text)
        claim.details = claims.details_of(found)
        claim.checkworthiness = found.checkworthiness
    audit.record(
        session, "claim.edited", claim, actor_id=actor_id, before=before, after=_snapshot(claim)
    )
    return _settle(session, essay, claim, actor_id, regather=text_changed)


def discard_claim(session: Session, claim_id: int, actor_id: int) -> Claim:
    claim = _editable(session, claim_id)
    cancel_open_tasks(session, claim.id)
    claims.discard(session, [claim], actor_id)
    return claim


def split_claim(session: Session, claim_id: int, offset: int, actor_id: int) -> list[Claim]:
    """Cut one claim in two at ``offset`` (a position in the essay's text)."""
    claim = _editable(session, claim_id)
    if not claim.start < offset < claim.end:
        raise InvalidInput(
            f"cut the claim inside its own words (“{claims.quoted(claim.text)}”)", field="offset"
        )
    essay = get_essay(session, claim.essay_id)
    spans = [_trimmed_span(essay, claim.start, offset), _trimmed_span(essay, offset, claim.end)]
    cancel_open_tasks(session, claim.id)
    claims.discard(session, [claim], actor_id)
    return [
        _new_claim(session, essay, start, end, None, None, actor_id, triage=claim.triage)
        for start, end in spans
    ]


def merge_claims(session: Session, essay_id: int, claim_ids: list[int], actor_id: int) -> Claim:
    """Join claims that follow each other in the text into one."""
    essay = get_essay(session, essay_id)
    if len(set(claim_ids)) < 2:
        raise InvalidInput("name at least two different claims to merge")
    chosen = [_editable(session, claim_id) for claim_id in set(claim_ids)]
    if any(claim.essay_id != essay_id for claim in chosen):
        raise InvalidInput(f"every claim to merge must belong to essay {essay_id}")
    chosen.sort(key=lambda claim: claim.start)
    start, end = chosen[0].start, chosen[-1].end
    between = _live_claims(session, essay_id, start, end, ignore={c.id for c in chosen})
    if between:
        raise InvalidInput(
            f"only adjacent claims can be merged; “{claims.quoted(between[0].text)}” "
            "lies between them",
            between=[c.id for c in between],
        )
    for claim in chosen:
        cancel_open_tasks(session, claim.id)
        claims.discard(session, [claim], actor_id)
    # Chosen for checking if any part was; else the first part's decision.
    decided = [c.triage for c in chosen if c.triage]
    triage = Decision.CHECK if Decision.CHECK in decided else next(iter(decided), None)
    return _new_claim(session, essay, start, end, None, None, actor_id, triage=triage)


def add_claim(
    session: Session,
    essay_id: int,
    start: int,
    end: int,
    actor_id: int,
    kind: str | None = None,
    checkable: bool | None = None,
) -> Claim:
    """A claim the splitter missed, marked by its span in the essay's text."""
    essay = get_essay(session, essay_id)
    if essay.status == EssayStatus.SUBMITTED:
        raise Conflict(f"essay {essay_id} is not split yet; add claims once it is")
    start, end = _trimmed_span(essay, start, end)
    return _new_claim(session, essay, start, end, kind, checkable, actor_id)


def confirm_claims(session: Session, essay_id: int, actor_id: int) -> list[int]:
    """Release a held essay's claims to gathering; return the ids queued for it."""
    essay = session.scalar(select(Essay).where(Essay.id == essay_id).with_for_update())
    if essay is None:
        get_essay(session, essay_id)  # raises NotFound
    assert essay is not None
    if not essay.hold_for_review or essay.status != EssayStatus.SPLIT or essay.confirmed_at:
        raise Conflict(f"essay {essay_id} is not waiting for its claims to be confirmed")
    essay.confirmed_at = utcnow()
    to_gather = []
    for claim in claims.essay_claims(session, essay_id):
        if claim.status == ClaimStatus.EXTRACTED and claim.checkable:
            claims.start_gathering(session, [claim], actor_id)
            to_gather.append(claim.id)
    audit.record(
        session,
        "essay.confirmed",
        essay,
        actor_id=actor_id,
        after={"claims_to_gather": len(to_gather)},
    )
    return _gather(session, to_gather)


# --- helpers ---------------------------------------------------------------------


class InheritNothing:
    """A new claim that replaces none: decided as the essay's split decides."""


FROM_THE_ESSAY = InheritNothing()


def _editable(session: Session, claim_id: int) -> Claim:
    claim = session.scalar(select(Claim).where(Claim.id == claim_id).with_for_update())
    if claim is None:
        claims.get_claim(session, claim_id)  # raises NotFound
    assert claim is not None
    if claim.status not in EDITABLE:
        raise Conflict(
            f"claim {claim_id} (“{claims.quoted(claim.text)}”) is {claim.status.label}; "
            "only claims not yet under review can be changed",
            claim_status=claim.status,
        )
    return claim


def _new_claim(
    session: Session,
    essay: Essay,
    start: int,
    end: int,
    kind: str | None,
    checkable: bool | None,
    actor_id: int,
    triage: str | InheritNothing | None = FROM_THE_ESSAY,
) -> Claim:
    """A claim over start-end. Its decision is ``triage`` (what the claims it replaces
    had), or, for a claim added by hand, the one the split would give it."""
    found = describe(essay.text, start, end, essay.published_at)
    kind = _kind(kind) if kind else found.kind
    checkable = kind not in NOT_CHECKABLE_KINDS if checkable is None else checkable
    if isinstance(triage, InheritNothing):
        triage = initial_decision(found.checkworthiness, checkable, essay.check_from_band)
    claim = Claim(
        essay_id=essay.id,
        start=start,
        end=end,
        text=found.text,
        kind=kind,
        checkworthiness=found.checkworthiness,
        checkable=checkable,
        details=claims.details_of(found),
        triage=triage,
    )
    session.add(claim)
    session.flush()
    audit.record(session, "claim.added", claim, actor_id=actor_id, after=_snapshot(claim))
    _settle(session, essay, claim, actor_id, regather=True)
    return claim


def _settle(
    session: Session, essay: Essay, claim: Claim, actor_id: int, regather: bool
) -> list[int]:
    """Move a changed claim to where its flags say it belongs; return the ids queued
    for gathering."""
    held = essay.hold_for_review and essay.confirmed_at is None
    if not claim.checkable:
        if claim.status != ClaimStatus.NOT_CHECKABLE:
            cancel_open_tasks(session, claim.id)
            claims.mark_not_checkable(session, [claim], actor_id)
        return []
    if held:
        return []
    if claim.status == ClaimStatus.GATHERING:
        return _gather(session, [claim.id]) if regather else []
    if claim.status in (ClaimStatus.EXTRACTED, ClaimStatus.NOT_CHECKABLE) or regather:
        cancel_open_tasks(session, claim.id)
        claims.start_gathering(session, [claim], actor_id)
        return _gather(session, [claim.id])
    return []


def _gather(session: Session, claim_ids: list[int]) -> list[int]:
    """Gather the claims' evidence (again) once the session commits."""
    for claim_id in claim_ids:
        jobs.queue(session, jobs.GATHER_CLAIM, claim_id)
    return claim_ids


def _trimmed_span(essay: Essay, start: int, end: int) -> tuple[int, int]:
    if not 0 <= start < end <= len(essay.text):
        raise InvalidInput(
            "the selection must be some of the essay's words, in order", field="start"
        )
    while start < end and essay.text[start].isspace():
        start += 1
    while end > start and essay.text[end - 1].isspace():
        end -= 1
    if start == end:
        raise InvalidInput("the selection holds only white space; select words", field="start")
    return start, end


def _live_claims(
    session: Session, essay_id: int, start: int, end: int, ignore: set[int] | tuple[int, ...]
) -> list[Claim]:
    """Claims of the essay, not discarded, whose spans overlap start-end."""
    return [
        claim
        for claim in session.scalars(
            select(Claim).where(
                Claim.essay_id == essay_id,
                Claim.status != ClaimStatus.DISCARDED,
                Claim.start < end,
                Claim.end > start,
            )
        )
        if claim.id not in ignore
    ]


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    return kind


def _wording(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("a claim's text cannot be empty", field="text")
    return text


def _snapshot(claim: Claim) -> dict[str, object]:
    return {
        "text": claim.text,
        "start": claim.start,
        "end": claim.end,
        "kind": claim.kind,
        "checkable": claim.checkable,
        "status": claim.status,
    }
