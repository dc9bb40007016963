"""The archive of verified claims: earlier fact-checks, imported or our own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, utcnow

# imported: from another fact-checker's file (or our own, exported elsewhere);
# desk: one of our published verdicts, kept in step by publishing.
SOURCES = ("imported", "desk")


class VerifiedClaim(Base):
    """One earlier fact-check of one claim: the claim as the fact-checker worded it,
    their headline and rating, who checked it and when.

    ``(publisher, ref)`` names it: ``ref`` is its own id where it came from (a TSV's
    id column, a ClaimReview's URL), so importing it again finds it. The pair is
    unique through its hash, ``key_sha256`` (a long URL would not fit a PostgreSQL
    index entry). ``fields_sha256``
    hashes the stored fields, so an import tells unchanged from updated without
    comparing them one by one. A withdrawn record (our own fact-check taken down)
    stays, with its history, but is no longer matched or listed.
    """

    __tablename__ = "verified_claims"
    __table_args__ = (
        CheckConstraint(f"source IN {SOURCES!r}", name="source"),
        Index("ix_verified_claims_essay_id", "essay_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publisher: Mapped[str] = mapped_column(String(300))  # "" when nobody said
    ref: Mapped[str] = mapped_column(String(2000))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(16), default="imported")
    claim: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    rating_text: Mapped[str] = mapped_column(String(300), default="")  # as they wrote it
    rating: Mapped[str | None] = mapped_column(String(20))  # our scale's slug, when it maps
    url: Mapped[str | None] = mapped_column(String(2000))
    reviewed_on: Mapped[date | None]
    language: Mapped[str | None] = mapped_column(String(16))
    claimant: Mapped[str | None] = mapped_column(String(300))
    essay_id: Mapped[int | None] = mapped_column(ForeignKey("essays.id"))  # source "desk"
    fields_sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]


class VerifiedClaimVersion(Base):
    """Each version of a verified claim as it was stored, append-only: the first
    import, each change, a withdrawal. The newest row's id is the archive's revision:
    it moves whenever the archive changes, so the matcher's index knows to rebuild."""

    __tablename__ = "verified_claim_versions"
    __table_args__ = (UniqueConstraint("verified_claim_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    verified_claim_id: Mapped[int] = mapped_column(ForeignKey("verified_claims.id"))
    version: Mapped[int]
    change: Mapped[str] = mapped_column(String(16))  # new, updated, withdrawn, restored
    at: Mapped[datetime] = mapped_column(default=utcnow)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("fact_check_imports.id"))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)


class FactCheckImport(Base):
    """One import of a file of earlier fact-checks, with what it did."""

    __tablename__ = "fact_check_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the CLI
    name: Mapped[str] = mapped_column(String(300))  # the file's name
    format: Mapped[str] = mapped_column(String(20))
    new: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    refused: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
