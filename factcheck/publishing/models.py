from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, utcnow

# publication: the first version, or one republished after corrections;
# withdrawal: the fact-check was taken down (its URL stays, with a notice).
PUBLICATION_KINDS = ("publication", "correction", "withdrawal")


class Publication(Base):
    """One immutable published version of an essay's fact-check.

    ``content`` freezes everything the reader page shows, so a later change to a
    verdict never rewrites what was published under this version.
    """

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("essay_id", "version"),
        Index("ix_publications_published_at", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    essay_id: Mapped[int] = mapped_column(ForeignKey("essays.id"))
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16), server_default="publication")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changelog: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class Correction(Base):
    """An editor's note on what changes in a published fact-check, and why.

    Written when a published verdict is reopened; the next version lists it.
    """

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    essay_id: Mapped[int] = mapped_column(ForeignKey("essays.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))
    note: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
