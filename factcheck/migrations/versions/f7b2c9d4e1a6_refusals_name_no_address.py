"""run and delivery errors name no resolved address

Revision ID: f7b2c9d4e1a6
Revises: e8b6f085a89f
Create Date: 2026-12-06 20:50:00
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "f7b2c9d4e1a6"
down_revision = "e8b6f085a89f"
branch_labels = None
depends_on = None

# The SSRF guard's refusals said what a name resolved to ("localhost resolves to
# 127.0.0.1 (loopback)"), and runs and webhook deliveries stored it, for every desk
# user to read. They now say "not a public address" (factcheck.http_guard.NOT_PUBLIC)
# and the log keeps the rest; the errors stored before are rewritten the same way.
RESOLVED = re.compile(r"\S+ resolves to \S+ \([a-z -]+\)")
NOT_PUBLIC = "not a public address"
COLUMNS = {"connector_runs": "error", "webhook_deliveries": "last_error"}


def upgrade() -> None:
    bind = op.get_bind()
    for name, column in COLUMNS.items():
        table = sa.table(name, sa.column("id", sa.Integer), sa.column(column, sa.Text))
        found = bind.execute(
            sa.select(table.c.id, table.c[column]).where(table.c[column].like("% resolves to %"))
        )
        rewritten = [
            {"row_id": row_id, "scrubbed": RESOLVED.sub(NOT_PUBLIC, error)}
            for row_id, error in found
        ]
        if rewritten:
            bind.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values({column: sa.bindparam("scrubbed")}),
                rewritten,
            )


def downgrade() -> None:
    # Nothing to put back: what the names resolved to is in the log, as intended.
    pass
