"""The migration that adds triage: one check, run on SQLite (unit) and PostgreSQL
(integration). Claims made before triage were all to be checked, and stay so."""

from __future__ import annotations

from sqlalchemy import text

from factcheck import migrate
from factcheck.db import Database

BEFORE_TRIAGE = "c5f1d2e8a934"
TRIAGE = "d4e1f7a2b9c3"
# status, checkable -> the decision the migration gives the claim
CLAIMS = [
    ("awaiting_review", True, "check"),
    ("approved", True, "check"),
    ("gathering", True, "check"),
    ("not_checkable", False, None),
    ("discarded", True, None),
]


def check_triage_migration(url: str) -> None:
    migrate.upgrade(url, BEFORE_TRIAGE)
    database = Database(url)
    try:
        with database.scope() as session:
            session.execute(
                text(
                    "INSERT INTO users (name, display_name, role, created_at, session_generation)"
                    " VALUES ('ed', 'Ed', 'editor', CURRENT_TIMESTAMP, 0)"
                )
            )
            session.execute(
                text(
                    "INSERT INTO essays (title, text, status, status_changed_at,"
                    " submitted_by_id, hold_for_review, created_at) VALUES ('T', 'text',"
                    " 'split', CURRENT_TIMESTAMP, 1, false, CURRENT_TIMESTAMP)"
                )
            )
            for index, (status, checkable, _) in enumerate(CLAIMS):
                session.execute(
                    text(
                        'INSERT INTO claims (essay_id, start, "end", text, kind,'
                        " checkworthiness, checkable, details, status, status_changed_at,"
                        " version, created_at) VALUES (1, :start, :end, 'c', 'event', 0.01,"
                        " :checkable, '{}', :status, CURRENT_TIMESTAMP, 1, CURRENT_TIMESTAMP)"
                    ),
                    {"start": index, "end": index + 1, "checkable": checkable, "status": status},
                )
        migrate.upgrade(url, TRIAGE)
        with database.scope() as session:
            found = list(session.scalars(text("SELECT triage FROM claims ORDER BY id")))
            band = session.scalar(text("SELECT check_from_band FROM essays"))
        assert found == [decision for _, _, decision in CLAIMS]
        assert band is None
        migrate.downgrade(url, BEFORE_TRIAGE)
        with database.scope() as session:
            columns = session.execute(text("SELECT * FROM claims")).keys()
        assert "triage" not in columns
    finally:
        database.engine.dispose()
    migrate.upgrade(url)
