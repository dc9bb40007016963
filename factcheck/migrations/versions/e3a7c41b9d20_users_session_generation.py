"""users carry a session generation

Revision ID: e3a7c41b9d20
Revises: ad5b30a45b5a
Create Date: 2026-12-06 04:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e3a7c41b9d20"
down_revision = "ad5b30a45b5a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows start at 0; cookies made before this revision carry no generation
    # and are refused, so everybody signs in once more.
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "session_generation", sa.Integer(), server_default=sa.text("0"), nullable=False
            )
        )


def downgrade() -> None:
    # On SQLite batch mode copies users, which other tables refer to (with foreign
    # keys off, migrations/env.py): check them afterwards.
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
    if op.get_bind().dialect.name == "sqlite":
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
