from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.claims.decisions import Band
from factcheck.db import Base, StatusType, status_check, utcnow
from factcheck.essays.states import EssayStatus
from factcheck.states import sql_in

if TYPE_CHECKING:
    from factcheck.claims.models import Claim


class Medium(StrEnum):
    """How an essay reached its readers where it first appeared."""

    ONLINE = "online"
    PRINT = "print"
    BROADCAST = "broadcast"  # radio or television
    SOCIAL_MEDIA = "social_media"
    SPEECH = "speech"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Essay(Base):
    __tablename__ = "essays"
    __table_args__ = (
        Index("ix_essays_status_changed", "status", "status_changed_at"),
        status_check("status", EssayStatus),
        CheckConstraint(
            f"check_from_band IS NULL OR {sql_in('check_from_band', Band)}", name="check_from_band"
        ),
        CheckConstraint(f"medium IS NULL OR {sql_in('medium', Medium)}", name="medium"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))
    # Where it appeared: its address, the outlet that published it, how, and the date it
    # first appeared (ClaimReview's itemReviewed.appearance and firstAppearance).
    url: Mapped[str | None] = mapped_column(String(2000))
    publisher: Mapped[str | None] = mapped_column(String(200))
    medium: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[date | None]
    deadline: Mapped[datetime | None]  # when the desk must be done; orders the queue
    status: Mapped[EssayStatus] = mapped_column(
        StatusType(EssayStatus, 16), default=EssayStatus.SUBMITTED
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Held essays are split but not gathered until an editor confirms the claims.
    hold_for_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    confirmed_at: Mapped[datetime | None]
    # Its checkable claims in this check-worthiness band or above are chosen for
    # checking when it is split (FACTCHECK_TRIAGE_DEFAULT when it was submitted);
    # None: the editor chooses them all.
    check_from_band: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    claims: Mapped[list[Claim]] = relationship(
        back_populates="essay", order_by="Claim.start", lazy="raise_on_sql"
    )
