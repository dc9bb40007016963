from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck import audit
from factcheck.claims import services as claims
from factcheck.claims.models import Claim
from factcheck.errors import Conflict
from factcheck.review import services as review
from factcheck.sources.connectors import Connector, Found
from factcheck.sources.models import SourceRecord


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def gather(session: Session, claim_id: int, connectors: Sequence[Connector]) -> bool:
    """Gather evidence for a claim that is gathering and open its review task.

    Returns False, doing nothing, when the claim is not gathering (done already,
    or discarded), so a repeated task is harmless.
    """
    claim = session.scalar(select(Claim).where(Claim.id == claim_id).with_for_update())
    if claim is None or claim.status != "gathering":
        return False
    for connector in connectors:
        for found in connector.find(session, claim):
            _store(session, claim, connector.name, found)
    claims.finish_gathering(session, claim)
    review.open_review_task(session, claim)
    return True


def _store(session: Session, claim: Claim, connector: str, found: Found) -> SourceRecord | None:
    exists = session.scalar(
        select(SourceRecord.id).where(
            SourceRecord.claim_id == claim.id,
            SourceRecord.connector == connector,
            SourceRecord.url == found.url,
        )
    )
    if exists is not None:
        return None
    record = SourceRecord(
        claim_id=claim.id,
        connector=connector,
        url=found.url,
        title=found.title,
        publisher=found.publisher,
        published_at=found.published_at,
        snippet=found.snippet,
        score=found.score,
        snapshot_text=found.snapshot_text,
        snapshot_sha256=sha256(found.snapshot_text),
        details=found.details,
    )
    session.add(record)
    return record


def add_manual_source(
    session: Session,
    claim_id: int,
    actor_id: int,
    *,
    url: str,
    title: str,
    text: str,
    publisher: str | None = None,
    published_at: date | None = None,
) -> SourceRecord:
    """A source a reviewer or editor found by hand; ``text`` is the passage they read."""
    claim = claims.get_claim(session, claim_id)
    found = Found(
        url=url,
        title=title,
        publisher=publisher,
        published_at=published_at,
        snippet=text[:500],
        snapshot_text=text,
        score=1.0,
    )
    record = _store(session, claim, "manual", found)
    if record is None:
        raise Conflict(f"claim {claim_id} already has a manual source for {url}")
    record.added_by_id = actor_id
    session.flush()
    audit.record(session, "source.added", record, actor_id=actor_id, after={"url": url})
    return record


def list_sources(session: Session, claim_id: int) -> list[SourceRecord]:
    claims.get_claim(session, claim_id)
    return list(
        session.scalars(
            select(SourceRecord)
            .where(SourceRecord.claim_id == claim_id)
            .order_by(SourceRecord.score.desc(), SourceRecord.id)
        )
    )
