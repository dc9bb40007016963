"""Publishing: freeze an essay's approved verdicts into an immutable version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from factcheck import audit
from factcheck.accounts.models import User
from factcheck.claims.models import Claim
from factcheck.claims.services import essay_claims
from factcheck.db import utcnow
from factcheck.errors import Conflict, NotFound
from factcheck.essays.models import Essay
from factcheck.publishing.models import Publication
from factcheck.review import ratings
from factcheck.review.models import Citation, Verdict

# Claims that need no verdict before publishing.
SETTLED_WITHOUT_VERDICT = ("not_checkable", "discarded")


def publish(
    session: Session, essay_id: int, editor: User, organisation: dict[str, str]
) -> Publication:
    essay = session.scalar(select(Essay).where(Essay.id == essay_id).with_for_update())
    if essay is None:
        raise NotFound(f"essay {essay_id} does not exist")
    claims = essay_claims(session, essay_id)
    unfinished = [
        {"id": claim.id, "status": claim.status, "text": claim.text}
        for claim in claims
        if claim.status not in (*SETTLED_WITHOUT_VERDICT, "approved")
    ]
    if essay.status == "submitted" or unfinished:
        raise Conflict(
            f"{len(unfinished) or 'the'} claims of essay {essay_id} are not approved yet",
            unfinished=unfinished,
        )
    version = (
        session.scalar(
            select(func.max(Publication.version)).where(Publication.essay_id == essay_id)
        )
        or 0
    ) + 1
    now = utcnow()
    publication = Publication(
        essay_id=essay_id,
        version=version,
        published_at=now,
        published_by_id=editor.id,
        content=_content(session, essay, claims, organisation, now.isoformat()),
    )
    session.add(publication)
    essay.status = "published"
    essay.status_changed_at = now
    session.flush()
    audit.record(
        session,
        "publication.published",
        publication,
        actor_id=editor.id,
        after={"essay_id": essay_id, "version": version},
    )
    return publication


def latest_publication(session: Session, essay_id: int) -> Publication:
    publication = session.scalar(
        select(Publication)
        .where(Publication.essay_id == essay_id)
        .order_by(Publication.version.desc())
        .limit(1)
    )
    if publication is None:
        raise NotFound(f"essay {essay_id} has no published fact-check")
    return publication


def _content(
    session: Session,
    essay: Essay,
    claims: list[Claim],
    organisation: dict[str, str],
    published_at: str,
) -> dict[str, Any]:
    verdicts = {
        verdict.claim_id: verdict
        for verdict in session.scalars(
            select(Verdict)
            .where(Verdict.claim_id.in_([c.id for c in claims]), Verdict.state == "approved")
            .options(selectinload(Verdict.citations).selectinload(Citation.source))
            .order_by(Verdict.id)
        )
    }
    names = _user_names(session, verdicts.values())
    return {
        "essay": {
            "id": essay.id,
            "title": essay.title,
            "author": essay.author,
            "url": essay.url,
            "published_at": essay.published_at.isoformat() if essay.published_at else None,
            "text": essay.text,
        },
        "organisation": organisation,
        "published_at": published_at,
        "claims": [
            _claim_content(claim, verdicts.get(claim.id), names)
            for claim in claims
            if claim.status != "discarded"
        ],
    }


def _claim_content(claim: Claim, verdict: Verdict | None, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": claim.id,
        "text": claim.text,
        "start": claim.start,
        "end": claim.end,
        "kind": claim.kind,
        "checkable": claim.checkable,
        "verdict": _verdict_content(verdict, names) if verdict else None,
    }


def _verdict_content(verdict: Verdict, names: dict[int, str]) -> dict[str, Any]:
    rating = ratings.BY_SLUG[verdict.rating]
    return {
        "rating": rating.slug,
        "label": rating.label,
        "value": rating.value,
        "rationale": verdict.rationale,
        "reviewed_by": names.get(verdict.author_id),
        "approved_by": names.get(verdict.approver_id or 0),
        "approved_at": verdict.decided_at.isoformat() if verdict.decided_at else None,
        "citations": [
            {
                "title": citation.source.title,
                "publisher": citation.source.publisher,
                "url": citation.source.url,
                "published_at": (
                    citation.source.published_at.isoformat()
                    if citation.source.published_at
                    else None
                ),
                "quote": citation.quote,
            }
            for citation in verdict.citations
        ],
    }


def _user_names(session: Session, verdicts: Any) -> dict[int, str]:
    ids = {v.author_id for v in verdicts} | {v.approver_id for v in verdicts if v.approver_id}
    if not ids:
        return {}
    return {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(ids)))}


Segment = tuple[str, dict[str, Any] | None]


def marked_segments(text: str, claims: list[dict[str, Any]]) -> list[Segment]:
    """Cut ``text`` into plain runs and claim runs, in order, for marking up a page."""
    segments: list[Segment] = []
    position = 0
    for claim in sorted(claims, key=lambda c: c["start"]):
        if claim["start"] < position:
            continue  # overlapping spans cannot both be marked; keep the first
        if claim["start"] > position:
            segments.append((text[position : claim["start"]], None))
        segments.append((text[claim["start"] : claim["end"]], claim))
        position = claim["end"]
    if position < len(text):
        segments.append((text[position:], None))
    return segments
