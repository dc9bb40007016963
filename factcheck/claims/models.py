from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, utcnow

if TYPE_CHECKING:
    from factcheck.essays.models import Essay

CLAIM_STATUSES = (
    "extracted",
    "gathering",
    "awaiting_review",
    "in_review",
    "awaiting_approval",
    "approved",
    "not_checkable",
    "discarded",
)


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_essay_start", "essay_id", "start"),
        Index("ix_claims_status_changed", "status", "status_changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    essay_id: Mapped[int] = mapped_column(ForeignKey("essays.id"))
    start: Mapped[int]
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    checkworthiness: Mapped[float]
    checkable: Mapped[bool]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="extracted")
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    essay: Mapped[Essay] = relationship(back_populates="claims")
