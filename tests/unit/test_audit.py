"""Audit events are written with the session's next statement or at commit, in one
INSERT, and only with the transaction that recorded them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from factcheck import audit
from factcheck.audit import AuditEvent
from factcheck.db import captured_statements


def count_events(database: Any) -> int:
    with database.sessions() as other:
        return other.scalar(select(func.count()).select_from(AuditEvent))


def test_an_event_is_in_the_table_before_the_session_reads_again(session, make_user):
    user = make_user("ann")
    audit.record(session, "test.done", user, actor_id=user.id, after={"n": 1})
    found = session.scalars(select(AuditEvent).where(AuditEvent.action == "test.done")).all()
    assert [(e.subject_type, e.subject_id, e.after) for e in found] == [
        ("users", user.id, {"n": 1})
    ]


def test_events_go_out_at_commit_in_one_statement(database, make_user, session):
    user = make_user("ann")
    session.commit()
    before = count_events(database)
    with captured_statements(database.engine) as sent:
        for n in range(3):
            audit.record(session, "test.done", user, after={"n": n})
        session.commit()
    inserts = [params for sql, params in sent if sql.startswith("INSERT INTO audit_events")]
    assert [len(params) for params in inserts] == [3]
    assert count_events(database) == before + 3


def test_a_rolled_back_transaction_leaves_no_event(database, make_user, session):
    user = make_user("ann")
    session.commit()
    before = count_events(database)
    audit.record(session, "test.undone", user)
    session.rollback()
    session.commit()  # a later commit does not bring it back
    assert count_events(database) == before


def test_an_event_recorded_between_transactions_belongs_to_the_next(database, session, make_user):
    user = make_user("ann")
    session.commit()
    before = count_events(database)
    audit.record(session, "test.undone", user)  # opens the transaction it belongs to
    session.rollback()
    audit.record(session, "test.done", user)
    session.commit()
    assert count_events(database) == before + 1
    newest = session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1))
    assert newest == "test.done"
