"""The migration that scrubs drafts from the audit log: one check, run on SQLite (unit)
and PostgreSQL (integration)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from factcheck import migrate
from factcheck.audit import AuditEvent
from factcheck.db import Database, utcnow

BEFORE_SCRUB = "e3a7c41b9d20"
DRAFT = {
    "rating": "false",
    "rationale": "my private thoughts",
    "state": "draft",
    "citations": [{"source_id": 1, "quote": "at least 215"}],
}
SUBMITTED = {**DRAFT, "rationale": "the final word", "state": "submitted"}
# action, before, after: as the log held them, and as the migration must leave them.
EVENTS: list[tuple[tuple[str, Any, Any], tuple[Any, Any]]] = [
    (("verdict.draft_saved", None, DRAFT), (None, None)),
    (("verdict.draft_saved", DRAFT, DRAFT), (None, None)),
    (("verdict.submitted", DRAFT, SUBMITTED), ({"state": "draft"}, SUBMITTED)),
    (("verdict.submitted", None, SUBMITTED), (None, SUBMITTED)),
    (("verdict.edited", SUBMITTED, SUBMITTED), (SUBMITTED, SUBMITTED)),
    (("task.released", {"assignee_id": 2}, None), ({"assignee_id": 2}, None)),
]


def check_drafts_are_scrubbed(url: str) -> None:
    migrate.upgrade(url, BEFORE_SCRUB)
    database = Database(url)
    try:
        with database.scope() as session:
            session.execute(
                insert(AuditEvent),
                [
                    {"at": utcnow(), "action": action, "subject_type": "verdicts",
                     "subject_id": 1, "before": before, "after": after}
                    for (action, before, after), _ in EVENTS
                ],
            )  # fmt: skip
        migrate.upgrade(url)
        with database.scope() as session:
            stored = session.execute(
                select(AuditEvent.before, AuditEvent.after).order_by(AuditEvent.id)
            ).all()
        assert [tuple(row) for row in stored] == [want for _, want in EVENTS]
        # The log is append-only again.
        with pytest.raises(DBAPIError, match="append-only"), database.scope() as session:
            session.execute(text("UPDATE audit_events SET action = 'rewritten'"))
    finally:
        database.dispose()
