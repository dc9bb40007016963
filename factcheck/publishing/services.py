"""Publishing: freeze an essay's approved verdicts into an immutable version."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from factcheck import audit
from factcheck.accounts.models import User
from factcheck.claims import services as claims_service
from factcheck.claims.decisions import NOT_CHECKABLE_REASON, NOT_CHECKED, REASON_LABELS, Decision
from factcheck.claims.models import Claim
from factcheck.claims.services import essay_claims, quoted
from factcheck.claims.states import ClaimStatus
from factcheck.db import utcnow
from factcheck.errors import Conflict, InvalidInput, NotFound
from factcheck.essays.models import Essay
from factcheck.essays.states import TRANSITIONS as ESSAY_TRANSITIONS
from factcheck.essays.states import EssayStatus
from factcheck.factchecks import services as archive
from factcheck.publishing.models import Correction, Publication
from factcheck.publishing.snapshot import (
    SCHEMA_VERSION,
    CitationSnapshot,
    ClaimSnapshot,
    EssaySnapshot,
    Organisation,
    Snapshot,
    VerdictSnapshot,
)
from factcheck.review import ratings
from factcheck.review import services as review
from factcheck.review.models import Citation, Verdict
from factcheck.review.states import VerdictState
from factcheck.states import check_move
from factcheck.webhooks import services as webhooks


@dataclass(frozen=True)
class Masthead:
    """Who publishes, and how: frozen into each version's content."""

    name: str
    url: str
    methodology: str = ""
    reviewer_names: bool = True  # False: credit "the desk" rather than people


def publish(
    session: Session,
    essay_id: int,
    editor: User,
    masthead: Masthead,
    note: str | None = None,
    *,
    base_url: str,
) -> Publication:
    """Publish a new version. Every version after the first says what changed: the
    correction notes written since the last version, and ``note``. Webhooks announce
    it, at its page under ``base_url``, once committed."""
    essay = _lock_essay(session, essay_id)
    claims = essay_claims(session, essay_id)
    if essay.status == EssayStatus.SUBMITTED:
        raise Conflict(f"essay {essay_id} is not split into claims yet", unfinished=[])
    _refuse_unfinished(claims, essay_id, base_url)
    previous = _latest(session, essay_id)
    pending = _pending_corrections(session, essay_id)
    notes = [correction.note for correction in pending] + (
        [note.strip()] if note and note.strip() else []
    )
    if previous is not None and not notes:
        raise InvalidInput(
            "say what changed since the last version: a correction note is required",
            field="note",
        )
    now = utcnow()
    kind = "publication" if previous is None or previous.kind == "withdrawal" else "correction"
    publication = _new_version(
        session,
        essay,
        previous,
        editor,
        kind,
        _changelog(kind, now, notes),
        _snapshot(session, essay, claims, masthead, now).model_dump(mode="json"),
        now,
    )
    for correction in pending:
        correction.publication_id = publication.id
    # The archive of earlier fact-checks holds the verdicts of the current version.
    archive.sync_publication(session, essay.id, publication.content, page_url(base_url, essay.id))
    check_move(ESSAY_TRANSITIONS, essay.status, EssayStatus.PUBLISHED, f"essay {essay_id}")
    essay.status = EssayStatus.PUBLISHED
    essay.status_changed_at = now
    _announce(session, publication, base_url)
    return publication


def in_the_way(claim: Claim) -> str | None:
    """Why ``claim`` keeps its essay from being published; None if it does not.

    A claim chosen for checking needs an approved verdict; a checkable claim needs a
    decision (checked, or not checked and why); the rest need nothing."""
    if claim.status == ClaimStatus.DISCARDED or _not_checked_reason(claim):
        return None
    if claim.triage == Decision.CHECK:
        return None if claim.status == ClaimStatus.APPROVED else "chosen for checking, not approved"
    return "not decided: choose to check it or say why not"


def _refuse_unfinished(claims: list[Claim], essay_id: int, base_url: str) -> None:
    unfinished = [
        {
            "id": claim.id,
            "text": claim.text,
            "status": claim.status,
            "triage": claim.triage,
            "why": why,
            "url": desk_claim_url(base_url, essay_id, claim.id),
        }
        for claim in claims
        if (why := in_the_way(claim))
    ]
    if unfinished:
        named = "; ".join(f"“{quoted(c['text'], 60)}” ({c['why']})" for c in unfinished[:3])
        more = f" and {len(unfinished) - 3} more" if len(unfinished) > 3 else ""
        raise Conflict(
            f"{len(unfinished)} claims of essay {essay_id} are in the way: {named}{more}",
            unfinished=unfinished,
        )


def _not_checked_reason(claim: Claim) -> str | None:
    """Why a claim is published with no verdict; None if it must have one."""
    if claim.status == ClaimStatus.DISCARDED:
        return None
    if not claim.checkable or claim.status == ClaimStatus.NOT_CHECKABLE:
        if claim.triage in NOT_CHECKED:
            return claim.triage
        return NOT_CHECKABLE_REASON
    return claim.triage if claim.triage in NOT_CHECKED else None


def withdraw(
    session: Session, essay_id: int, editor: User, note: str, *, base_url: str
) -> Publication:
    """Take a fact-check down: its URL stays, with the note and no verdicts. Webhooks
    announce it once committed."""
    essay = _lock_essay(session, essay_id)
    previous = _latest(session, essay_id)
    if previous is None or previous.kind == "withdrawal":
        raise Conflict(f"essay {essay_id} has no published fact-check to withdraw")
    if not note.strip():
        raise InvalidInput("say why the fact-check is withdrawn", field="note")
    now = utcnow()
    changelog = f"Withdrawn on {now.date().isoformat()}: {note.strip()}"
    publication = _new_version(
        session, essay, previous, editor, "withdrawal", changelog, previous.content, now
    )
    check_move(ESSAY_TRANSITIONS, essay.status, EssayStatus.WITHDRAWN, f"essay {essay_id}")
    essay.status = EssayStatus.WITHDRAWN
    essay.status_changed_at = now
    archive.sync_publication(session, essay.id, None, page_url(base_url, essay.id))
    _announce(session, publication, base_url)
    return publication


def reopen_claim(session: Session, claim_id: int, editor: User, note: str) -> Correction:
    """Reopen a published, approved verdict for a correction: the note is kept for
    the next version's log, and the claim goes back to the reviewers' queue."""
    if not note.strip():
        raise InvalidInput(
            "a correction note is required to change a published verdict", field="note"
        )
    claim = claims_service.get_claim(session, claim_id)
    if _latest(session, claim.essay_id) is None:
        raise Conflict(f"claim {claim_id} is not published; change it through review")
    correction = Correction(
        essay_id=claim.essay_id, claim_id=claim.id, note=note.strip(), created_by_id=editor.id
    )
    session.add(correction)
    claims_service.reopen_for_correction(session, [claim], editor.id)
    review.open_review_task(session, claim, comment=f"Correction: {note.strip()}")
    session.flush()
    audit.record(
        session,
        "correction.opened",
        correction,
        actor_id=editor.id,
        after={"claim_id": claim_id, "note": note.strip()},
    )
    return correction


def latest_publication(session: Session, essay_id: int) -> Publication:
    publication = _latest(session, essay_id)
    if publication is None:
        raise NotFound(f"essay {essay_id} has no published fact-check")
    return publication


def versions(session: Session, essay_id: int) -> list[Publication]:
    """Every version of an essay's fact-check, oldest first."""
    return list(
        session.scalars(
            select(Publication)
            .where(Publication.essay_id == essay_id)
            .order_by(Publication.version)
        )
    )


def taken_down(session: Session, publications: Iterable[Publication]) -> dict[int, str]:
    """The versions a withdrawal took down, by id, each with that withdrawal's note.

    A withdrawal takes down itself and every version before it: from then on they
    show only the note and the fact of the withdrawal, never a rating or a rationale,
    wherever they are served (pages, API, exports, feed, JSON-LD). A version
    published again after the withdrawal is not taken down by it.
    """
    shown = list(publications)
    withdrawals: dict[int, list[tuple[int, str]]] = {}  # by essay, oldest first
    for essay_id, version, changelog in session.execute(
        select(Publication.essay_id, Publication.version, Publication.changelog)
        .where(
            Publication.kind == "withdrawal",
            Publication.essay_id.in_({publication.essay_id for publication in shown}),
        )
        .order_by(Publication.version)
    ):
        withdrawals.setdefault(essay_id, []).append((version, changelog))
    notes: dict[int, str] = {}
    for publication in shown:
        later = [
            note
            for version, note in withdrawals.get(publication.essay_id, [])
            if version >= publication.version
        ]
        if later:
            notes[publication.id] = later[0]
    return notes


def get_publication(session: Session, publication_id: int) -> Publication:
    publication = session.get(Publication, publication_id)
    if publication is None:
        raise NotFound(f"publication {publication_id} does not exist")
    return publication


def recent(session: Session, limit: int = 50) -> list[Publication]:
    """The newest publications, corrections and withdrawals, for the feed."""
    return list(
        session.scalars(
            select(Publication)
            .order_by(Publication.published_at.desc(), Publication.id.desc())
            .limit(limit)
        )
    )


def current_versions(session: Session) -> list[Publication]:
    """The current (latest) version of every fact-check, withdrawals included, by essay."""
    latest = (
        select(Publication.essay_id, func.max(Publication.version).label("version"))
        .group_by(Publication.essay_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(Publication)
            .join(
                latest,
                (Publication.essay_id == latest.c.essay_id)
                & (Publication.version == latest.c.version),
            )
            .order_by(Publication.essay_id)
        )
    )


def _lock_essay(session: Session, essay_id: int) -> Essay:
    essay = session.scalar(select(Essay).where(Essay.id == essay_id).with_for_update())
    if essay is None:
        raise NotFound(f"essay {essay_id} does not exist")
    return essay


def _latest(session: Session, essay_id: int) -> Publication | None:
    return session.scalar(
        select(Publication)
        .where(Publication.essay_id == essay_id)
        .order_by(Publication.version.desc())
        .limit(1)
    )


def _pending_corrections(session: Session, essay_id: int) -> list[Correction]:
    return list(
        session.scalars(
            select(Correction)
            .where(Correction.essay_id == essay_id, Correction.publication_id.is_(None))
            .order_by(Correction.id)
        )
    )


def _changelog(kind: str, now: datetime, notes: list[str]) -> str:
    if kind == "publication" and not notes:
        return ""
    verb = "Corrected" if kind == "correction" else "Republished"
    return f"{verb} on {now.date().isoformat()}: {' '.join(notes)}"


def _new_version(
    session: Session,
    essay: Essay,
    previous: Publication | None,  # the latest version, read under the essay's lock
    editor: User,
    kind: str,
    changelog: str,
    content: dict[str, Any],
    now: datetime,
) -> Publication:
    version = previous.version + 1 if previous else 1
    publication = Publication(
        essay_id=essay.id,
        version=version,
        kind=kind,
        published_at=now,
        published_by_id=editor.id,
        changelog=changelog,
        content=content,
    )
    session.add(publication)
    session.flush()
    audit.record(
        session,
        f"publication.{kind}",
        publication,
        actor_id=editor.id,
        after={"essay_id": essay.id, "version": version, "changelog": changelog},
    )
    return publication


def _snapshot(
    session: Session,
    essay: Essay,
    claims: list[Claim],
    masthead: Masthead,
    published_at: datetime,
) -> Snapshot:
    verdicts = {
        verdict.claim_id: verdict
        for verdict in session.scalars(
            select(Verdict)
            .where(
                Verdict.claim_id.in_([c.id for c in claims]), Verdict.state == VerdictState.APPROVED
            )
            .options(selectinload(Verdict.citations).selectinload(Citation.source))
            .order_by(Verdict.id)
        )
    }
    names = _user_names(session, verdicts.values()) if masthead.reviewer_names else {}
    return Snapshot(
        schema_version=SCHEMA_VERSION,
        essay=EssaySnapshot(
            id=essay.id,
            title=essay.title,
            author=essay.author,
            url=essay.url,
            publisher=essay.publisher,
            medium=essay.medium,
            published_at=essay.published_at,
            text=essay.text,
        ),
        organisation=Organisation(name=masthead.name, url=masthead.url),
        methodology=masthead.methodology,
        published_at=published_at,
        claims=[
            _claim_snapshot(claim, verdicts.get(claim.id), names)
            for claim in claims
            if claim.status != ClaimStatus.DISCARDED
        ],
    )


def _claim_snapshot(claim: Claim, verdict: Verdict | None, names: dict[int, str]) -> ClaimSnapshot:
    reason = _not_checked_reason(claim)
    return ClaimSnapshot(
        id=claim.id,
        text=claim.text,
        start=claim.start,
        end=claim.end,
        kind=claim.kind,
        checkable=claim.checkable,
        verdict=_verdict_snapshot(verdict, names) if verdict and not reason else None,
        not_checked=reason,
        not_checked_label=REASON_LABELS[reason] if reason else None,
    )


def _verdict_snapshot(verdict: Verdict, names: dict[int, str]) -> VerdictSnapshot:
    rating = ratings.BY_SLUG[verdict.rating]
    return VerdictSnapshot(
        rating=rating.slug,
        label=rating.label,
        value=rating.value,
        rationale=verdict.rationale,
        reviewed_by=names.get(verdict.author_id, "the desk"),
        approved_by=names.get(verdict.approver_id or 0, "the desk"),
        approved_at=verdict.decided_at,
        citations=[
            CitationSnapshot(
                title=citation.source.title,
                publisher=citation.source.publisher,
                url=citation.source.url,
                published_at=citation.source.published_at,
                quote=citation.quote,
                archive_url=citation.source.archive_url,
            )
            for citation in verdict.citations
        ],
    )


def _user_names(session: Session, verdicts: Any) -> dict[int, str]:
    ids = {v.author_id for v in verdicts} | {v.approver_id for v in verdicts if v.approver_id}
    if not ids:
        return {}
    return {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))}


class Span(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


Marked = TypeVar("Marked", bound=Span)  # a published claim, or a claim row on the desk


def marked_segments(text: str, claims: list[Marked]) -> list[tuple[str, Marked | None]]:
    """Cut ``text`` into plain runs and claim runs, in order, for marking up a page."""
    segments: list[tuple[str, Marked | None]] = []
    position = 0
    for claim in sorted(claims, key=lambda c: c.start):
        if claim.start < position:
            continue  # overlapping spans cannot both be marked; keep the first
        if claim.start > position:
            segments.append((text[position : claim.start], None))
        segments.append((text[claim.start : claim.end], claim))
        position = claim.end
    if position < len(text):
        segments.append((text[position:], None))
    return segments


def paragraph_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The paragraph holding text[start:end], cut into (before, the span, after)."""
    first = text.rfind("\n\n", 0, start)
    first = 0 if first < 0 else first + 2
    last = text.find("\n\n", end)
    last = len(text) if last < 0 else last
    return text[first:start], text[start:end], text[end:last]


def desk_claim_url(base_url: str, essay_id: int, claim_id: int) -> str:
    """A claim's row on the desk's essay page (``web.desk.essay_page``, ``#claim-<id>``)."""
    return f"{base_url.rstrip('/')}/desk/essays/{essay_id}#claim-{claim_id}"


def page_url(base_url: str, essay_id: int) -> str:
    """The reader page of an essay's fact-check (``web.public.fact_check``)."""
    return f"{base_url.rstrip('/')}/fact-checks/{essay_id}"


def _announce(session: Session, publication: Publication, base_url: str) -> list[int]:
    """Webhook deliveries for a new version, sent after commit."""
    event = webhooks.EVENT_FOR_PUBLICATION_KIND[publication.kind]
    payload = webhooks.publication_payload(
        event,
        publication.essay_id,
        publication.version,
        page_url(base_url, publication.essay_id),
        publication.published_at,
        publication.changelog or None,
    )
    return webhooks.emit(session, event, payload)
