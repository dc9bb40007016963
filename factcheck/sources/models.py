from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, StatusType, status_check, utcnow
from factcheck.sources.states import RunState


class LibraryDocument(Base):
    """One record of the desk's own reference library (see seeds/library.json)."""

    __tablename__ = "library_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    published_at: Mapped[date | None]
    summary: Mapped[str] = mapped_column(Text)
    entities: Mapped[list[str]] = mapped_column(JSON, default=list)


class SourceRecord(Base):
    """A piece of evidence found for one claim, with a snapshot of what was seen."""

    __tablename__ = "source_records"
    __table_args__ = (UniqueConstraint("claim_id", "connector", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    connector: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[date | None]
    snippet: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(default=0.0)
    snapshot_text: Mapped[str] = mapped_column(Text, default="")
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What the HTTP fetch saw, when the record came over the network.
    final_url: Mapped[str | None] = mapped_column(String(2000))
    http_status: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(100))
    # The closest Wayback Machine snapshot, so citations survive link rot.
    archive_url: Mapped[str | None] = mapped_column(String(2000))
    archived_at: Mapped[datetime | None]


class ConnectorRun(Base):
    """One connector's search for one claim: gathering ends when none is pending."""

    __tablename__ = "connector_runs"
    __table_args__ = (
        UniqueConstraint("claim_id", "connector"),
        Index("ix_connector_runs_state_updated", "state", "updated_at"),
        status_check("state", RunState),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    connector: Mapped[str] = mapped_column(String(32))
    state: Mapped[RunState] = mapped_column(StatusType(RunState, 16), default=RunState.PENDING)
    claim_version: Mapped[int] = mapped_column(default=1)  # the claim wording searched for
    attempts: Mapped[int] = mapped_column(default=0)
    records: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]  # when its task message was last sent
    started_at: Mapped[datetime | None]  # when a worker began the current attempt
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
