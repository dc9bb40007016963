"""The archive's rows: imports, our own verdicts kept in step with publishing, reads.

An import stores each record by ``(publisher, ref)``: a new one is inserted, a
changed one updated (its version up by one), an unchanged one left alone, so
importing a file twice changes nothing the second time. Each stored change writes
a ``VerifiedClaimVersion`` row. Rows are read and written a chunk at a time (one
SELECT, one INSERT, one UPDATE per chunk), not one statement per record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from factcheck.db import utcnow
from factcheck.errors import NotFound
from factcheck.factchecks.formats import Parsed, Record, Refused
from factcheck.factchecks.models import FactCheckImport, VerifiedClaim, VerifiedClaimVersion
from factcheck.publishing.snapshot import Snapshot

CHUNK = 1000  # records per SELECT / INSERT / UPDATE
MAX_REFUSALS_KEPT = 1000  # reasons kept in an import's row; the count is always whole


@dataclass
class ImportResult:
    id: int | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)
    refused_count: int = 0

    def summary(self) -> str:
        """One line for people: '3 new, 1 updated, 0 unchanged, 1 refused'."""
        line = (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.refused_count} refused"
        )
        if self.new == self.updated == 0 and self.refused_count == 0 and self.unchanged:
            line += ": nothing changed, every record was already in the archive as it is"
        return line


def import_records(
    session: Session,
    parsed: Iterable[Parsed],
    *,
    name: str,
    format: str,
    by_id: int | None = None,
) -> ImportResult:
    """Store the records of one file; refusals are counted and kept with their reasons."""
    result = ImportResult()
    row = FactCheckImport(name=name[:300], format=format, by_id=by_id)
    session.add(row)
    session.flush()
    records: list[Record] = []
    for item in parsed:
        if isinstance(item, Refused):
            result.refused_count += 1
            if len(result.refused) < MAX_REFUSALS_KEPT:
                result.refused.append({"where": item.where, "reason": item.reason})
        else:
            records.append(item)
    for start in range(0, len(records), CHUNK):
        counts = store(session, records[start : start + CHUNK], import_id=row.id)
        result.new += counts["new"]
        result.updated += counts["updated"]
        result.unchanged += counts["unchanged"]
    row.new, row.updated, row.unchanged = result.new, result.updated, result.unchanged
    row.refused = result.refused
    result.id = row.id
    return result


RECORD_FIELDS = [f.name for f in dataclass_fields(Record)]


def fields_of(record: Record) -> dict[str, Any]:
    """What a version keeps of a record, JSON-ready."""
    fields = {name: getattr(record, name) for name in RECORD_FIELDS}
    fields["reviewed_on"] = record.reviewed_on.isoformat() if record.reviewed_on else None
    return fields


def digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def store(
    session: Session,
    records: Sequence[Record],
    *,
    import_id: int | None = None,
    source: str = "imported",
    essay_id: int | None = None,
) -> dict[str, int]:
    """Insert the new records, update the changed ones (a withdrawn one comes back),
    leave the rest; one version row per change. Counts by outcome."""
    existing = _existing(session, records)
    now = utcnow()
    inserts, updates, versions = [], [], []
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    for record in records:
        fields = fields_of(record)
        sha = digest(fields)
        row = existing.get(key_of(record.publisher, record.ref))
        if row is None:
            inserts.append((_columns(record, sha, now) | {"source": source, "essay_id": essay_id,
                            "created_at": now, "version": 1}, fields))  # fmt: skip
            counts["new"] += 1
        elif row.fields_sha256 == sha and row.withdrawn_at is None:
            counts["unchanged"] += 1
        else:
            change = "restored" if row.withdrawn_at is not None else "updated"
            updates.append({"id": row.id, "version": row.version + 1, "withdrawn_at": None,
                            **_columns(record, sha, now)})  # fmt: skip
            versions.append(_version(row.id, row.version + 1, change, now, import_id, fields))
            counts["updated"] += 1
    # Core statements, not the ORM's bulk forms (which sent a statement per few rows);
    # the new rows' ids are read back by key rather than with RETURNING, whose long
    # multi-row statement psycopg parsed again for every batch.
    connection = session.connection()
    if inserts:
        connection.execute(_INSERT_CLAIMS, [columns for columns, _ in inserts])
        keys = [columns["key_sha256"] for columns, _ in inserts]
        rows = connection.execute(
            select(CLAIMS.c.key_sha256, CLAIMS.c.id).where(_key_in(session, keys))
        )
        ids = {row.key_sha256: row.id for row in rows}
        versions += [
            _version(ids[columns["key_sha256"]], 1, "new", now, import_id, fields)
            for columns, fields in inserts
        ]
    if updates:
        session.execute(update(VerifiedClaim), updates)
    if versions:
        connection.execute(_INSERT_VERSIONS, versions)
    return counts


CLAIMS = VerifiedClaim.__table__
_INSERT_CLAIMS = insert(CLAIMS)
_INSERT_VERSIONS = insert(VerifiedClaimVersion.__table__)


def _key_in(session: Session, keys: Sequence[str]) -> ColumnElement[bool]:
    """``key_sha256`` is one of ``keys``. On PostgreSQL one array parameter: a list of a
    thousand parameters got a generic plan that scanned the table comparing each row
    with each key (seconds a statement at 100,000 rows); ``= ANY(array)`` probes the
    unique index."""
    if session.get_bind().dialect.name == "postgresql":
        return CLAIMS.c.key_sha256 == any_(bindparam("keys", list(keys), type_=KEY_ARRAY))
    return CLAIMS.c.key_sha256.in_(list(keys))


KEY_ARRAY = postgresql.ARRAY(String(64))


def key_of(publisher: str, ref: str) -> str:
    """What names a record, hashed: its publisher and its own id."""
    return hashlib.sha256(f"{publisher}\0{ref}".encode()).hexdigest()


def _existing(session: Session, records: Sequence[Record]) -> dict[str, Any]:
    keys = {key_of(record.publisher, record.ref) for record in records}
    rows = session.execute(
        select(
            VerifiedClaim.id,
            VerifiedClaim.key_sha256,
            VerifiedClaim.fields_sha256,
            VerifiedClaim.version,
            VerifiedClaim.withdrawn_at,
        ).where(_key_in(session, list(keys)))
    )
    return {row.key_sha256: row for row in rows}


def _columns(record: Record, sha: str, now: datetime) -> dict[str, Any]:
    return {
        "publisher": record.publisher,
        "ref": record.ref,
        "key_sha256": key_of(record.publisher, record.ref),
        "claim": record.claim,
        "title": record.title,
        "rating_text": record.rating_text,
        "rating": record.rating,
        "url": record.url,
        "reviewed_on": record.reviewed_on,
        "language": record.language,
        "claimant": record.claimant,
        "fields_sha256": sha,
        "updated_at": now,
    }


def _version(
    row_id: int,
    version: int,
    change: str,
    now: datetime,
    import_id: int | None,
    fields: dict[str, Any],
) -> dict[str, Any]:
    return {
        "verified_claim_id": row_id,
        "version": version,
        "change": change,
        "at": now,
        "import_id": import_id,
        "fields": fields,
    }


# --- our own published verdicts ----------------------------------------------------------


def sync_publication(
    session: Session, essay_id: int, content: dict[str, Any] | None, page_url: str
) -> None:
    """Keep the archive's copy of an essay's published verdicts in step with its
    current version: ``content`` is the snapshot published (None: withdrawn). Verdicts
    no longer published are withdrawn from the archive, with their history kept."""
    records = _published_records(content, page_url) if content is not None else []
    store(session, records, source="desk", essay_id=essay_id)
    kept = {key_of(record.publisher, record.ref) for record in records}
    now = utcnow()
    gone = session.execute(
        select(
            VerifiedClaim.id, VerifiedClaim.ref, VerifiedClaim.key_sha256, VerifiedClaim.version
        ).where(VerifiedClaim.essay_id == essay_id, VerifiedClaim.withdrawn_at.is_(None))
    ).all()
    gone = [row for row in gone if row.key_sha256 not in kept]
    if not gone:
        return
    session.execute(
        update(VerifiedClaim),
        [{"id": r.id, "version": r.version + 1, "withdrawn_at": now, "updated_at": now}
         for r in gone],
    )  # fmt: skip
    session.execute(
        insert(VerifiedClaimVersion),
        [_version(r.id, r.version + 1, "withdrawn", now, None, {"ref": r.ref}) for r in gone],
    )


def _published_records(content: dict[str, Any], page_url: str) -> list[Record]:
    snapshot = Snapshot.model_validate(content)
    return [
        Record(
            ref=f"{page_url}#claim-{claim.id}",
            claim=claim.text,
            title=snapshot.essay.title,
            rating_text=claim.verdict.label,
            rating=claim.verdict.rating,
            publisher=snapshot.organisation.name,
            url=f"{page_url}#claim-{claim.id}",
            reviewed_on=snapshot.published_at.date(),
            language="en",
            claimant=snapshot.essay.author or None,
        )
        for claim in snapshot.claims
        if claim.verdict is not None
    ]


# --- reading ---------------------------------------------------------------------------


def revision(session: Session) -> tuple[Any, ...]:
    """A value that moves whenever the archive changes: its newest version row."""
    row = session.execute(
        select(VerifiedClaimVersion.id, VerifiedClaimVersion.at)
        .order_by(VerifiedClaimVersion.id.desc())
        .limit(1)
    ).first()
    return tuple(row) if row else ()


def get(session: Session, verified_claim_id: int) -> VerifiedClaim:
    row = session.get(VerifiedClaim, verified_claim_id)
    if row is None:
        raise NotFound(f"verified claim {verified_claim_id} does not exist")
    return row


def versions_of(session: Session, verified_claim_id: int) -> list[VerifiedClaimVersion]:
    return list(
        session.scalars(
            select(VerifiedClaimVersion)
            .where(VerifiedClaimVersion.verified_claim_id == verified_claim_id)
            .order_by(VerifiedClaimVersion.version)
        )
    )


def page(
    session: Session, limit: int, after: int | None, publisher: str | None = None
) -> tuple[list[VerifiedClaim], int | None]:
    """Verified claims in id order after ``after`` (withdrawn ones left out), and the
    id to continue after when there are more."""
    query = select(VerifiedClaim).where(VerifiedClaim.withdrawn_at.is_(None))
    if after is not None:
        query = query.where(VerifiedClaim.id > after)
    if publisher is not None:
        query = query.where(VerifiedClaim.publisher == publisher)
    rows = list(session.scalars(query.order_by(VerifiedClaim.id).limit(limit + 1)))
    return rows[:limit], rows[limit - 1].id if len(rows) > limit else None


def count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(VerifiedClaim)
            .where(VerifiedClaim.withdrawn_at.is_(None))
        )
        or 0
    )


def refs(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Each row's own id where it came from, by primary key."""
    if not ids:
        return {}
    rows = session.execute(
        select(VerifiedClaim.id, VerifiedClaim.ref).where(VerifiedClaim.id.in_(ids))
    )
    return {row.id: row.ref for row in rows}


def by_ids(session: Session, ids: Sequence[int]) -> dict[int, VerifiedClaim]:
    if not ids:
        return {}
    return {
        row.id: row
        for row in session.scalars(select(VerifiedClaim).where(VerifiedClaim.id.in_(ids)))
    }
