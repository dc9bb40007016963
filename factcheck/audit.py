"""Append-only audit events: who did what, when, with the state before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event, insert
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, SessionTransaction, mapped_column

from factcheck.db import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def record(
    session: Session,
    action: str,
    subject: Any,
    *,
    actor_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record an audit event for ``subject`` (a mapped object with an ``id``).

    The event is written with the session's next statement, or at commit: the events
    of one request or task go out together, in one INSERT, outside the unit of work.
    """
    if subject.id is None:
        session.flush()
    if not session.in_transaction():
        session.connection()  # so that the event lives and dies with a transaction
    event = {
        "at": utcnow(),
        "action": action,
        "subject_type": subject.__tablename__,
        "subject_id": subject.id,
        "actor_id": actor_id,
        "before": before,
        "after": after,
    }
    session.info.setdefault(_PENDING, []).append(event)


_PENDING = "audit_events"
_INSERT = insert(AuditEvent.__table__)


def _write_pending(session: Session) -> None:
    events = session.info.pop(_PENDING, None)
    if events:
        session.connection().execute(_INSERT, events)


# Every session, however made: an event is never left behind by a commit, and is
# in the table before anything in the same transaction reads it.
@event.listens_for(Session, "do_orm_execute")
def _write_before_statement(state: ORMExecuteState) -> None:
    _write_pending(state.session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    _write_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _drop_unwritten(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)
