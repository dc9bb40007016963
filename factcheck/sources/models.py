from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, utcnow


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
