from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.claims.decisions import Decision
from factcheck.claims.states import ClaimStatus
from factcheck.db import Base, StatusType, status_check, utcnow
from factcheck.states import sql_in

if TYPE_CHECKING:
    from factcheck.essays.models import Essay


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_essay_start", "essay_id", "start"),
        Index("ix_claims_status_changed", "status", "status_changed_at"),
        status_check("status", ClaimStatus),
        CheckConstraint(f"triage IS NULL OR {sql_in('triage', Decision)}", name="triage"),
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
    status: Mapped[ClaimStatus] = mapped_column(
        StatusType(ClaimStatus, 20), default=ClaimStatus.EXTRACTED
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # The editor's decision (claims.decisions.Decision); None: not decided yet.
    triage: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    essay: Mapped[Essay] = relationship(back_populates="claims")
