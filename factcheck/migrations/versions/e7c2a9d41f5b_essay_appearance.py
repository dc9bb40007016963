"""where an essay appeared: the outlet that published it and the medium

Revision ID: e7c2a9d41f5b
Revises: f7b2c9d4e1a6
Create Date: 2026-12-06 20:00:00.000000

With the essay's url and published_at (the date it first appeared), these are
what a ClaimReview's itemReviewed.appearance and firstAppearance carry.
Existing essays have neither: both are nullable.
"""

import sqlalchemy as sa
from alembic import op

revision = "e7c2a9d41f5b"
down_revision = "f7b2c9d4e1a6"
branch_labels = None
depends_on = None

MEDIA = "'broadcast', 'online', 'other', 'print', 'social_media', 'speech'"


def upgrade() -> None:
    with op.batch_alter_table("essays", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publisher", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("medium", sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_essays_medium"), f"medium IS NULL OR medium IN ({MEDIA})"
        )


def downgrade() -> None:
    with op.batch_alter_table("essays", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_essays_medium"), type_="check")
        batch_op.drop_column("medium")
        batch_op.drop_column("publisher")
    _check_foreign_keys()


def _check_foreign_keys() -> None:
    """SQLite copies tables with foreign keys off (migrations/env.py): check them now."""
    if op.get_bind().dialect.name == "sqlite":
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
