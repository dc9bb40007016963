"""claim triage: the editor's decision per claim, and the band an essay chooses at once

Revision ID: d4e1f7a2b9c3
Revises: c5f1d2e8a934
Create Date: 2026-12-06 05:20:00.000000

Claims of essays that existed before triage were all meant to be checked: every
checkable claim not discarded is chosen for checking, so their review tasks and
publishing stay as they were.
"""

import sqlalchemy as sa
from alembic import op

revision = "d4e1f7a2b9c3"
down_revision = "c5f1d2e8a934"
branch_labels = None
depends_on = None

BANDS = "'high', 'low', 'medium'"
DECISIONS = "'check', 'not_worth_checking', 'opinion', 'out_of_scope'"


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("triage", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint("triage", f"triage IS NULL OR triage IN ({DECISIONS})")
    with op.batch_alter_table("essays", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_from_band", sa.String(length=8), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_essays_check_from_band"),
            f"check_from_band IS NULL OR check_from_band IN ({BANDS})",
        )
    op.execute("UPDATE claims SET triage = 'check' WHERE checkable AND status <> 'discarded'")


def downgrade() -> None:
    with op.batch_alter_table("essays", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_essays_check_from_band"), type_="check")
        batch_op.drop_column("check_from_band")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_claims_triage"), type_="check")
        batch_op.drop_column("triage")
    _check_foreign_keys()


def _check_foreign_keys() -> None:
    """SQLite copies tables with foreign keys off (migrations/env.py): check them now."""
    if op.get_bind().dialect.name == "sqlite":
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
