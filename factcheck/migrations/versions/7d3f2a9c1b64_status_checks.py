"""every status column refuses values outside its enum; unused columns dropped

Revision ID: 7d3f2a9c1b64
Revises: 5c2d8e1f4a70
Create Date: 2026-12-05 19:00:00

"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision = "7d3f2a9c1b64"
down_revision = "5c2d8e1f4a70"
branch_labels = None
depends_on = None

# (table, column, CHECK) as factcheck.db.status_check writes them from the enums in
# factcheck/*/states.py today. Written out: a migration keeps the values of its day.
CHECKS = [
    ("essays", "status", "status IN ('published', 'split', 'submitted', 'withdrawn')"),
    (
        "claims",
        "status",
        "status IN ('approved', 'awaiting_approval', 'awaiting_review', 'discarded',"
        " 'extracted', 'gathering', 'in_review', 'not_checkable')",
    ),
    ("review_tasks", "state", "state IN ('cancelled', 'done', 'leased', 'open')"),
    ("verdicts", "state", "state IN ('approved', 'draft', 'returned', 'submitted', 'superseded')"),
    ("connector_runs", "state", "state IN ('failed', 'pending', 'succeeded', 'timed_out')"),
    ("webhook_deliveries", "state", "state IN ('delivered', 'failed', 'pending')"),
]

# SQLite adds a constraint by copying the table (batch mode), which would lose these
# partial indexes' WHERE clauses and the DESC order: they are dropped and made again.
LIVE = "state IN ('open', 'leased')"
QUEUE_INDEX = (
    "CREATE INDEX ix_review_tasks_next ON review_tasks"
    " (deadline, priority DESC, created_at, id) WHERE state = 'open'"
)


def upgrade() -> None:
    with _review_tasks_copied():
        for table, column, check in CHECKS:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.create_check_constraint(batch_op.f(f"ck_{table}_{column}"), check)
                if table == "essays":
                    batch_op.drop_column("language")  # never read: every essay was "en"
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")  # never written
    _check_foreign_keys()


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_used_at", factcheck.db.UTCDateTime(timezone=True), nullable=True)
        )
    with _review_tasks_copied():
        for table, column, _check in reversed(CHECKS):
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_constraint(batch_op.f(f"ck_{table}_{column}"), type_="check")
                if table == "essays":
                    batch_op.add_column(
                        sa.Column(
                            "language", sa.String(length=8), nullable=False, server_default="en"
                        )
                    )
    _check_foreign_keys()


@contextmanager
def _review_tasks_copied() -> Iterator[None]:
    """On SQLite, drop review_tasks' partial indexes around the block and make them again."""
    sqlite = _sqlite()
    if sqlite:
        op.execute("DROP INDEX ix_review_tasks_next")
        op.drop_index("uq_review_tasks_active", table_name="review_tasks")
    yield
    if sqlite:
        op.create_index(
            "uq_review_tasks_active",
            "review_tasks",
            ["claim_id", "kind"],
            unique=True,
            sqlite_where=sa.text(LIVE),
        )
        op.execute(QUEUE_INDEX)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _check_foreign_keys() -> None:
    """SQLite copies tables with foreign keys off (migrations/env.py): check them now."""
    if _sqlite():
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
