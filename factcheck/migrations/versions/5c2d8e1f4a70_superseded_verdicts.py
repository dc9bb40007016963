"""approved verdicts a correction replaced become superseded

Revision ID: 5c2d8e1f4a70
Revises: 3b1e5f0c9a21
Create Date: 2026-11-27 12:30:00

"""

from __future__ import annotations

from alembic import op

revision = "5c2d8e1f4a70"
down_revision = "3b1e5f0c9a21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Data only: of a claim's approved verdicts, the newest is its current one.
    op.execute(
        "UPDATE verdicts SET state = 'superseded' WHERE state = 'approved' AND id < ("
        " SELECT max(newer.id) FROM verdicts AS newer"
        " WHERE newer.claim_id = verdicts.claim_id AND newer.state = 'approved')"
    )


def downgrade() -> None:
    op.execute("UPDATE verdicts SET state = 'approved' WHERE state = 'superseded'")
