from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, StatusType, status_check, utcnow
from factcheck.review.states import LIVE, TaskState, VerdictState
from factcheck.states import sql_in

if TYPE_CHECKING:
    from factcheck.claims.models import Claim
    from factcheck.sources.models import SourceRecord

_LIVE = text(sql_in("state", LIVE))
TASK_KINDS = ("review", "approval")  # a reviewer's verdict, then a second reviewer's approval


class ReviewTask(Base):
    __tablename__ = "review_tasks"
    __table_args__ = (
        # At most one live task of each kind per claim: opening one twice is harmless.
        Index(
            "uq_review_tasks_active",
            "claim_id",
            "kind",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        # The queue's own index, ix_review_tasks_next (deadline, priority DESC,
        # created_at, id) WHERE state = 'open', is written by hand in the migrations:
        # its order is the ORDER BY of claim_next, which then reads a few entries
        # instead of sorting every open task.
        Index("ix_review_tasks_lease", "state", "lease_expires_at"),
        status_check("state", TaskState),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[TaskState] = mapped_column(StatusType(TaskState, 16), default=TaskState.OPEN)
    # Queue order: the essay's deadline (soonest first, none last), then
    # check-worthiness (priority, highest first), then age.
    deadline: Mapped[datetime | None]
    priority: Mapped[float] = mapped_column(default=0.0)
    # Who may not take this task: the essay's submitter, and for an approval
    # the verdict's author. Copied here so that claiming needs no join.
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lease_expires_at: Mapped[datetime | None]
    verdict_id: Mapped[int | None] = mapped_column(ForeignKey("verdicts.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    # A returned verdict's new review task waits for its author alone until
    # reserved_until; after that anyone may take it. A time compared in the queue's
    # query, so nothing has to run when the reservation ends.
    reserved_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reserved_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    claim: Mapped[Claim] = relationship()
    verdict: Mapped[Verdict | None] = relationship()


class TaskSkip(Base):
    """A reviewer gave a task back at ``at``: their "take next" leaves it last for a
    while (review.SKIP_MEMORY). One row per reviewer and task, the latest time."""

    __tablename__ = "task_skips"

    # The reviewer first: claim_next looks rows up by (reviewer, task), and lists
    # one reviewer's rows.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("review_tasks.id"), primary_key=True)
    at: Mapped[datetime]


class Verdict(Base):
    __tablename__ = "verdicts"
    __table_args__ = (status_check("state", VerdictState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    rating: Mapped[str] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(Text)
    state: Mapped[VerdictState] = mapped_column(
        StatusType(VerdictState, 16), default=VerdictState.SUBMITTED
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    citations: Mapped[list[Citation]] = relationship(
        back_populates="verdict", order_by="Citation.id", cascade="all, delete-orphan"
    )
    claim: Mapped[Claim] = relationship()

    # Optimistic locking: every UPDATE checks the version it read. The services
    # raise the version on each edit (not on approval), so a stale edit is a 409.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


class Citation(Base):
    __tablename__ = "citations"

    id: Mapped[int] = mapped_column(primary_key=True)
    verdict_id: Mapped[int] = mapped_column(ForeignKey("verdicts.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"))
    quote: Mapped[str] = mapped_column(Text)

    verdict: Mapped[Verdict] = relationship(back_populates="citations")
    source: Mapped[SourceRecord] = relationship()
