"""queue: reservations for returned verdicts, reviewers' recent give-backs

Revision ID: ad5b30a45b5a
Revises: 7d3f2a9c1b64
Create Date: 2026-12-06 04:12:22.287996
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision = "ad5b30a45b5a"
down_revision = "7d3f2a9c1b64"
branch_labels = None
depends_on = None

# SQLite adds a foreign key by copying the table (batch mode), which would lose these
# partial indexes' WHERE clauses and the DESC order: they are dropped and made again
# (as in 7d3f2a9c1b64; written out, a migration keeps the SQL of its day).
LIVE = "state IN ('open', 'leased')"
QUEUE_INDEX = (
    "CREATE INDEX ix_review_tasks_next ON review_tasks"
    " (deadline, priority DESC, created_at, id) WHERE state = 'open'"
)


def upgrade() -> None:
    op.create_table(
        "task_skips",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["review_tasks.id"], name=op.f("fk_task_skips_task_id_review_tasks")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_task_skips_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "task_id", name=op.f("pk_task_skips")),
    )
    with _review_tasks_copied(), op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reserved_for_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reserved_until", factcheck.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_review_tasks_reserved_for_id"), ["reserved_for_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_review_tasks_reserved_for_id_users"),
            "users",
            ["reserved_for_id"],
            ["id"],
        )
    _check_foreign_keys()


def downgrade() -> None:
    with _review_tasks_copied(), op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_review_tasks_reserved_for_id_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_review_tasks_reserved_for_id"))
        batch_op.drop_column("reserved_until")
        batch_op.drop_column("reserved_for_id")
    op.drop_table("task_skips")
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
