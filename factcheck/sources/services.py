"""Gathering evidence for claims, one run per connector, and sources added by hand.

A claim in ``gathering`` has one ``ConnectorRun`` per enabled connector. Runs are
carried out by tasks in three steps: begin them and read the claims (short
transaction), search (no transaction open while a site answers), store what was
found (short transaction). Every step takes a batch, so the connectors that only
read our own database do a few claims per task and a few statements per batch;
the ones that go over the network take one run per task. The run that leaves no
other pending finishes its claim: it moves to ``awaiting_review`` and its review
task opens. A slow or failing connector ends as ``timed_out`` or ``failed`` and
never holds the claim.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from factcheck import audit, jobs
from factcheck.claims import services as claims
from factcheck.claims.decisions import Decision
from factcheck.claims.models import Claim
from factcheck.claims.states import ClaimStatus
from factcheck.db import utcnow
from factcheck.errors import Conflict
from factcheck.http import FetchError, HttpClient
from factcheck.review import services as review
from factcheck.sources import archive, registry
from factcheck.sources.archive import ArchiveSnapshot
from factcheck.sources.connectors import ClaimQuery, Found
from factcheck.sources.hints import hints
from factcheck.sources.models import ConnectorRun, SourceRecord
from factcheck.sources.ranking import deduplicate, normalise_url, rank
from factcheck.sources.states import RETRYABLE, RunState

SNAPSHOT_LIMIT = 200_000  # characters of a page kept as the record's snapshot
MAX_RUN_ATTEMPTS = 3  # a run that failed, timed out or lost its worker this often stays so

RunKey = tuple[int, str]  # (claim id, connector name): one run


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- planning and running ----------------------------------------------------------


@dataclass(frozen=True)
class RunClock:
    """How long a run's message may wait before it is presumed lost."""

    resend_after: timedelta  # a message sent this long ago and not started was lost


def attempt_died(run: ConnectorRun, now: datetime) -> bool:
    """Whether the run's attempt died with its worker: it started longer ago than its
    job's hard time limit, with a margin of as much again."""
    hard_limit = registry.job_time_limit(run.connector) + jobs.HARD_LIMIT_AFTER
    overdue = timedelta(seconds=hard_limit + jobs.HARD_LIMIT_AFTER)
    return run.started_at is not None and run.started_at < now - overdue


@dataclass(frozen=True)
class RunResult:
    """What one run found for the claim as it was searched for, or why it found nothing."""

    connector: str
    query: ClaimQuery
    found: Sequence[Found] = ()
    state: RunState = RunState.SUCCEEDED
    error: str | None = None

    @property
    def claim_id(self) -> int:
        return self.query.claim_id


def plan_runs(
    session: Session,
    claim_ids: Sequence[int],
    connectors: Sequence[str],
    clock: RunClock,
    local_batch: int,
) -> list[RunKey]:
    """Make sure gathering claims have a run per connector; send the runs that need it
    after commit (``queue_runs``) and return them.

    A run is sent when it is new, when its message seems lost (sent long ago and
    never started) or when its attempt died (started long ago, never finished);
    runs in a worker's hands, or whose message was just sent, are left alone, so
    the reconciler asking again does not pile up duplicate work. Runs from an
    earlier wording of a claim start again. A claim with nothing pending finishes
    here.
    """
    if not claim_ids:
        return []
    gathering = [
        claim for claim in _lock_claims(session, claim_ids) if claim.status == ClaimStatus.GATHERING
    ]
    runs = _runs_by_key(session, [claim.id for claim in gathering])
    now = utcnow()
    to_send = []
    for claim in gathering:
        for name in connectors:
            run = runs.get((claim.id, name))
            if run is None:
                run = runs[claim.id, name] = ConnectorRun(claim_id=claim.id, connector=name)
                session.add(run)
            if run.claim_version != claim.version:
                _restart(run, claim.version, now)
            if run.state == RunState.PENDING and _needs_sending(run, clock, now):
                run.sent_at, run.started_at = now, None
                to_send.append((claim.id, name))
    session.flush()
    _finish_claims_done(session, gathering)
    queue_runs(session, to_send, local_batch)
    return to_send


def queue_runs(session: Session, runs: Sequence[RunKey], local_batch: int) -> None:
    """Send runs after commit as their connectors' reach says: runs of local connectors
    ``local_batch`` to a GATHER_LOCAL job, network runs one to a GATHER_FROM job."""
    local = [[claim_id, name] for claim_id, name in runs if registry.is_local(name)]
    for start in range(0, len(local), local_batch):
        batch = local[start : start + local_batch]
        limit = registry.job_time_limit(str(batch[0][1]))
        jobs.queue(session, jobs.GATHER_LOCAL, batch, time_limit=limit)
    for claim_id, name in runs:
        if not registry.is_local(name):
            limit = registry.job_time_limit(name)
            jobs.queue(session, jobs.GATHER_FROM, claim_id, name, time_limit=limit)


def _restart(run: ConnectorRun, version: int, now: datetime) -> None:
    run.state, run.claim_version, run.attempts, run.error = RunState.PENDING, version, 0, None
    run.started_at = run.sent_at = None
    run.updated_at = now


def _needs_sending(run: ConnectorRun, clock: RunClock, now: datetime) -> bool:
    if run.started_at is not None:
        if not attempt_died(run, now):
            return False  # a worker is on it
        if run.attempts >= MAX_RUN_ATTEMPTS:
            _end_run(run, RunState.TIMED_OUT, "no answer within the connector's time limit")
            return False
        return True  # its worker died: try again
    return run.sent_at is None or run.sent_at < now - clock.resend_after


def begin_runs(session: Session, keys: Sequence[RunKey]) -> list[tuple[RunKey, ClaimQuery]]:
    """Mark pending runs started and return what each is to search for, in the order
    asked. Runs already done, or that another worker is on (a duplicate message),
    are left out."""
    locked = _lock_claims(session, [claim_id for claim_id, _ in keys])
    runs = _runs_by_key(session, [claim.id for claim in locked])
    now = utcnow()
    started = []
    for key in keys:
        run = runs.get(key)
        if run is None or run.state != RunState.PENDING:
            continue
        if run.started_at is not None and not attempt_died(run, now):
            continue
        run.attempts += 1
        run.started_at = run.updated_at = now
        started.append(key)
    if not started:
        return []
    queries = _queries(session, {claim_id for claim_id, _ in started})
    return [(key, queries[key[0]]) for key in started]


def _queries(session: Session, claim_ids: Iterable[int]) -> dict[int, ClaimQuery]:
    # Each essay (and its text) read once, not once per claim of it.
    rows = session.scalars(
        select(Claim).where(Claim.id.in_(claim_ids)).options(selectinload(Claim.essay))
    )
    return {
        claim.id: ClaimQuery(
            claim_id=claim.id,
            text=claim.text,
            start=claim.start,
            end=claim.end,
            entities=list(claim.details.get("entities", [])),
            quantities=list(claim.details.get("quantities", [])),
            dates=list(claim.details.get("dates", [])),
            essay_text=claim.essay.text,
            essay_published_at=claim.essay.published_at,
            version=claim.version,
        )
        for claim in rows
    }


def finish_runs(session: Session, results: Sequence[RunResult]) -> int:
    """Store the runs' records, end the runs, and finish each claim whose last run
    this was. Returns how many new records were stored.

    A search made for an earlier version of its claim (an editor changed it
    meanwhile) is dropped: as in ``plan_runs``, that version's runs start again."""
    locked = {claim.id: claim for claim in _lock_claims(session, [r.claim_id for r in results])}
    runs = _runs_by_key(session, list(locked))
    ending = [
        r
        for r in results
        if (r.claim_id, r.connector) in runs and r.query.version == locked[r.claim_id].version
    ]
    stored = store_all(session, [(locked[r.claim_id], r.connector, r.found) for r in ending])
    new_records: dict[RunKey, int] = defaultdict(int)
    for record in stored:
        new_records[record.claim_id, record.connector] += 1
    for result in ending:
        run = runs[result.claim_id, result.connector]
        _end_run(run, result.state, result.error)
        run.records += new_records[result.claim_id, result.connector]
        if result.state != RunState.SUCCEEDED:
            after = {"connector": result.connector, "error": result.error}
            audit.record(session, f"gathering.{result.state}", locked[result.claim_id], after=after)
    _finish_claims_done(session, [locked[r.claim_id] for r in ending])
    return len(stored)


def retry_failed_runs(session: Session, older_than: timedelta) -> list[RunKey]:
    """Put failed and timed-out runs back to pending, for the reconciler to send."""
    runs = session.scalars(
        select(ConnectorRun)
        .where(
            ConnectorRun.state.in_(RETRYABLE),
            ConnectorRun.attempts < MAX_RUN_ATTEMPTS,
            ConnectorRun.updated_at < utcnow() - older_than,
        )
        .order_by(ConnectorRun.id)
        .limit(1000)
        .with_for_update(skip_locked=True)
    ).all()
    now = utcnow()
    for run in runs:
        run.state, run.updated_at, run.sent_at, run.started_at = RunState.PENDING, now, now, None
    return [(run.claim_id, run.connector) for run in runs]


def _runs_by_key(session: Session, claim_ids: Sequence[int]) -> dict[RunKey, ConnectorRun]:
    """The claims' runs. Workers begin and end a run only while holding its claim's
    lock; the reconciler's retry of a failed run locks the run alone (a failed run
    is in no worker's hands)."""
    query = select(ConnectorRun).where(ConnectorRun.claim_id.in_(claim_ids))
    return {(run.claim_id, run.connector): run for run in session.scalars(query)}


def _end_run(run: ConnectorRun, state: RunState, error: str | None) -> None:
    run.state, run.error, run.updated_at = state, error, utcnow()


def _lock_claims(session: Session, claim_ids: Iterable[int]) -> list[Claim]:
    """The claims, locked in id order (the same order everywhere: no deadlocks)."""
    return list(
        session.scalars(
            select(Claim).where(Claim.id.in_(set(claim_ids))).order_by(Claim.id).with_for_update()
        )
    )


def _finish_claims_done(session: Session, batch: Iterable[Claim]) -> None:
    """Every gathering claim of ``batch`` with no run pending awaits review now."""
    gathering = {claim.id: claim for claim in batch if claim.status == ClaimStatus.GATHERING}
    if not gathering:
        return
    pending = set(
        session.scalars(
            select(ConnectorRun.claim_id).where(
                ConnectorRun.claim_id.in_(gathering), ConnectorRun.state == RunState.PENDING
            )
        )
    )
    done = [claim for claim_id, claim in sorted(gathering.items()) if claim_id not in pending]
    claims.finish_gathering(session, done)
    # Only claims chosen for checking reach the reviewers; the others wait for triage
    # with their evidence (claims.triage opens the task when one is chosen).
    review.open_review_tasks(session, [claim for claim in done if claim.triage == Decision.CHECK])


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
    session: Session, batches: Sequence[tuple[Claim, str, Sequence[Found]]]
) -> list[SourceRecord]:
    """Add the records each claim has not got yet (the same URL, compared as ranking
    compares them, or the same text), for (claim, connector, found) batches: one
    SELECT of what the claims have, one INSERT of what is new."""
    seen_urls: dict[int, set[str]] = defaultdict(set)
    seen_hashes: dict[int, set[str]] = defaultdict(set)
    for claim_id, url, final_url, digest in session.execute(
        select(
            SourceRecord.claim_id,
            SourceRecord.url,
            SourceRecord.final_url,
            SourceRecord.snapshot_sha256,
        ).where(SourceRecord.claim_id.in_({claim.id for claim, _, _ in batches}))
    ):
        seen_urls[claim_id].update(normalise_url(u) for u in (url, final_url) if u)
        seen_hashes[claim_id].add(digest)
    records = []
    for claim, connector, found in batches:
        urls_seen, hashes_seen = seen_urls[claim.id], seen_hashes[claim.id]
        for f in found:
            snapshot = f.snapshot_text[:SNAPSHOT_LIMIT]
            text_hash = sha256(snapshot)
            urls = {normalise_url(f.url), normalise_url(f.final_url or f.url)}
            if urls & urls_seen or text_hash in hashes_seen:
                continue
            urls_seen |= urls
            hashes_seen.add(text_hash)
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
    stored = store_all(session, [(claim, "manual", [found])])
    if not stored:
        raise Conflict(f"claim {claim_id} already has this source ({url}) or its text")
    record = stored[0]
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
    return sorted(_runs_by_key(session, [claim_id]).values(), key=lambda run: run.connector)
