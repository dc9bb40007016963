from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, utcnow


class Publication(Base):
    """One immutable published version of an essay's fact-check.

    ``content`` freezes everything the reader page shows, so a later change to a
    verdict never rewrites what was published under this version.
    """

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("essay_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    essay_id: Mapped[int] = mapped_column(ForeignKey("essays.id"))
    version: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changelog: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
