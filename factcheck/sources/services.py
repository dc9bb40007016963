"""Gathering evidence for claims, one run per connector, and sources added by hand.

A claim in ``gathering`` has one ``ConnectorRun`` per enabled connector. Each
run is carried out by its own task: read the claim (short transaction), search
(no transaction open while a site answers), store what was found (short
transaction). The run that leaves no other pending finishes the claim: it moves
to ``awaiting_review`` and its review task opens. A slow or failing connector
ends as ``timed_out`` or ``failed`` and never holds the claim.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck import audit
from factcheck.claims import services as claims
from factcheck.claims.models import Claim
from factcheck.db import utcnow
from factcheck.errors import Conflict
from factcheck.essays.models import Essay
from factcheck.http import FetchError, HttpClient
from factcheck.review import services as review
from factcheck.sources import archive
from factcheck.sources.archive import ArchiveSnapshot
from factcheck.sources.connectors import ClaimQuery, Found
from factcheck.sources.hints import hints
from factcheck.sources.models import ConnectorRun, SourceRecord
from factcheck.sources.ranking import deduplicate, rank

SNAPSHOT_LIMIT = 200_000  # characters of a page kept as the record's snapshot


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- planning and running ----------------------------------------------------------


@dataclass(frozen=True)
class RunClock:
    """How long a run's message and a run's attempt may take before they are
    presumed lost, and how many attempts a run gets."""

    resend_after: timedelta  # a message sent this long ago and not started was lost
    overdue_after: timedelta  # an attempt started this long ago died with its worker
    max_attempts: int = 3


def plan_runs(
    session: Session, claim_id: int, connectors: Sequence[str], clock: RunClock
) -> list[str]:
    """Make sure a gathering claim has a run per connector; return the runs to send now.

    A run is sent when it is new, when its message seems lost (sent long ago and
    never started) or when its attempt died (started long ago, never finished);
    runs in a worker's hands, or whose message was just sent, are left alone, so
    the reconciler asking again does not pile up duplicate work. Runs from an
    earlier wording of the claim start again. With nothing pending, the claim
    finishes here.
    """
    claim = _lock_claim(session, claim_id)
    if claim is None or claim.status != "gathering":
        return []
    runs = {run.connector: run for run in _runs(session, claim_id)}
    now = utcnow()
    to_send = []
    for name in connectors:
        run = runs.get(name)
        if run is None:
            run = runs[name] = ConnectorRun(claim_id=claim_id, connector=name)
            session.add(run)
        if run.claim_version != claim.version:
            _restart(run, claim.version, now)
        if run.state == "pending" and _needs_sending(run, clock, now):
            run.sent_at, run.started_at = now, None
            to_send.append(name)
    session.flush()
    if not any(run.state == "pending" for run in runs.values()):
        _finish_if_done(session, claim)
    return to_send


def _restart(run: ConnectorRun, version: int, now: datetime) -> None:
    run.state, run.claim_version, run.attempts, run.error = "pending", version, 0, None
    run.started_at = run.sent_at = None
    run.updated_at = now


def _needs_sending(run: ConnectorRun, clock: RunClock, now: datetime) -> bool:
    if run.started_at is not None:
        if run.started_at >= now - clock.overdue_after:
            return False  # a worker is on it
        if run.attempts >= clock.max_attempts:
            _end_run(run, "timed_out", "no answer within the connector's time limit")
            return False
        return True  # its worker died: try again
    return run.sent_at is None or run.sent_at < now - clock.resend_after


def begin_run(
    session: Session, claim_id: int, connector: str, overdue_after: timedelta
) -> ClaimQuery | None:
    """Mark a pending run started and return what to search for; None when the run
    is done, or another worker is on it (a duplicate message)."""
    run = session.scalar(
        select(ConnectorRun)
        .where(ConnectorRun.claim_id == claim_id, ConnectorRun.connector == connector)
        .with_for_update()
    )
    now = utcnow()
    if run is None or run.state != "pending":
        return None
    if run.started_at is not None and run.started_at >= now - overdue_after:
        return None
    run.attempts += 1
    run.started_at = run.updated_at = now
    claim = session.get_one(Claim, claim_id)
    essay = session.get_one(Essay, claim.essay_id)
    return ClaimQuery(
        claim_id=claim.id,
        text=claim.text,
        start=claim.start,
        end=claim.end,
        entities=list(claim.details.get("entities", [])),
        quantities=list(claim.details.get("quantities", [])),
        dates=list(claim.details.get("dates", [])),
        essay_text=essay.text,
        essay_url=essay.url,
        essay_published_at=essay.published_at,
    )


def finish_run(
    session: Session,
    claim_id: int,
    connector: str,
    found: Sequence[Found],
    state: str = "succeeded",
    error: str | None = None,
) -> int:
    """Store a run's records, end the run, and finish the claim if it was the last.

    Returns how many new records were stored.
    """
    claim = _lock_claim(session, claim_id)
    run = session.scalar(
        select(ConnectorRun).where(
            ConnectorRun.claim_id == claim_id, ConnectorRun.connector == connector
        )
    )
    if claim is None or run is None:
        return 0
    stored = store_all(session, claim, connector, found)
    _end_run(run, state, error)
    run.records += len(stored)
    if state != "succeeded":
        audit.record(
            session, f"gathering.{state}", claim, after={"connector": connector, "error": error}
        )
    _finish_if_done(session, claim)
    return len(stored)


def retry_failed_runs(
    session: Session, older_than: timedelta, max_attempts: int
) -> list[tuple[int, str]]:
    """Put failed and timed-out runs back to pending, for the reconciler to send."""
    runs = session.scalars(
        select(ConnectorRun)
        .where(
            ConnectorRun.state.in_(("failed", "timed_out")),
            ConnectorRun.attempts < max_attempts,
            ConnectorRun.updated_at < utcnow() - older_than,
        )
        .order_by(ConnectorRun.id)
        .limit(1000)
        .with_for_update(skip_locked=True)
    ).all()
    now = utcnow()
    for run in runs:
        run.state, run.updated_at, run.sent_at, run.started_at = "pending", now, now, None
    return [(run.claim_id, run.connector) for run in runs]


def _runs(session: Session, claim_id: int) -> list[ConnectorRun]:
    return list(session.scalars(select(ConnectorRun).where(ConnectorRun.claim_id == claim_id)))


def _end_run(run: ConnectorRun, state: str, error: str | None) -> None:
    run.state, run.error, run.updated_at = state, error, utcnow()


def _lock_claim(session: Session, claim_id: int) -> Claim | None:
    return session.scalar(select(Claim).where(Claim.id == claim_id).with_for_update())


def _finish_if_done(session: Session, claim: Claim) -> None:
    if claim.status != "gathering":
        return
    pending = session.scalar(
        select(func.count()).where(
            ConnectorRun.claim_id == claim.id, ConnectorRun.state == "pending"
        )
    )
    if pending == 0:
        claims.finish_gathering(session, claim)
        review.open_review_task(session, claim)


# --- preparing what a connector found (no transaction open) --------------------------


def enrich(
    query: ClaimQuery, found: Sequence[Found], archive_client: HttpClient | None
) -> list[Found]:
    """Rank and deduplicate a connector's records, add consistency hints, and (with an
    archive client) the closest archived snapshot of each page."""
    enriched = []
    for ranked in deduplicate(rank(query, found)):
        record = ranked.found
        details = {**record.details, "why": ranked.why, "hints": hints(query, record)}
        snapshot = _archived(archive_client, record) if archive_client else None
        enriched.append(
            replace(
                record,
                score=round(ranked.score, 4),
                details=details,
                archive_url=snapshot.url if snapshot else None,
                archived_at=snapshot.timestamp if snapshot else None,
            )
        )
    return enriched


def _archived(client: HttpClient, record: Found) -> ArchiveSnapshot | None:
    url = record.final_url or record.url
    if not url.startswith(("http://", "https://")):
        return None
    try:
        return archive.lookup(client, url, near=record.published_at)
    except FetchError:
        return None  # no archive link this time; the record stands without it


# --- storing -------------------------------------------------------------------------


def store_all(
    session: Session, claim: Claim, connector: str, found: Sequence[Found]
) -> list[SourceRecord]:
    """Add the records the claim has not got yet (same URL or the same text): one
    SELECT of what it has, one INSERT of what is new."""
    seen_urls: set[str] = set()
    seen_hashes: set[str] = set()
    for url, final_url, digest in session.execute(
        select(SourceRecord.url, SourceRecord.final_url, SourceRecord.snapshot_sha256).where(
            SourceRecord.claim_id == claim.id
        )
    ):
        seen_urls.update(u for u in (url, final_url) if u)
        seen_hashes.add(digest)
    records = []
    for f in found:
        snapshot = f.snapshot_text[:SNAPSHOT_LIMIT]
        text_hash = sha256(snapshot)
        urls = {f.url, f.final_url or f.url}
        if urls & seen_urls or text_hash in seen_hashes:
            continue
        seen_urls |= urls
        seen_hashes.add(text_hash)
        records.append(_record(claim, connector, f, snapshot, text_hash))
    session.add_all(records)
    session.flush()
    return records


def _record(
    claim: Claim, connector: str, found: Found, snapshot: str, text_hash: str
) -> SourceRecord:
    return SourceRecord(
        claim_id=claim.id,
        connector=connector,
        url=found.url,
        title=found.title[:500],
        publisher=found.publisher,
        published_at=found.published_at,
        snippet=found.snippet,
        score=found.score,
        snapshot_text=snapshot,
        snapshot_sha256=text_hash,
        fetched_at=found.fetched_at or utcnow(),
        details=found.details,
        final_url=found.final_url,
        http_status=found.http_status,
        content_type=found.content_type,
        archive_url=found.archive_url,
        archived_at=found.archived_at,
    )


def store(session: Session, claim: Claim, connector: str, found: Found) -> SourceRecord | None:
    """Add one record unless the claim has it already (same URL or the same text)."""
    stored = store_all(session, claim, connector, [found])
    return stored[0] if stored else None


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
    record = store(session, claim, "manual", found)
    if record is None:
        raise Conflict(f"claim {claim_id} already has this source ({url}) or its text")
    record.added_by_id = actor_id
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


def runs_of(session: Session, claim_id: int) -> list[ConnectorRun]:
    return sorted(_runs(session, claim_id), key=lambda run: run.connector)
