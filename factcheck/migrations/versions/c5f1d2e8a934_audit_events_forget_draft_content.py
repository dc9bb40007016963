"""audit events forget what drafts said

Revision ID: c5f1d2e8a934
Revises: e3a7c41b9d20
Create Date: 2026-12-06 04:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c5f1d2e8a934"
down_revision = "e3a7c41b9d20"
branch_labels = None
depends_on = None

# Drafts belong to their author, but verdict.draft_saved events held the draft's rating,
# rationale and citations, and a verdict.submitted that came from a draft held them as
# ``before``: the claim's history showed them to every desk user and token. Both now
# keep only that there was a draft (review.services.DRAFT_BEFORE). This is the one
# rewrite of the append-only log: its triggers are lifted for it and put back.
EVENTS = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)
DRAFT_BEFORE = {"state": "draft"}
SQLITE_TRIGGERS = {
    "audit_events_no_update": "UPDATE",
    "audit_events_no_delete": "DELETE",
}


def upgrade() -> None:
    _lift_append_only()
    op.execute(
        EVENTS.update()
        .where(EVENTS.c.action == "verdict.draft_saved")
        .values(before=None, after=None)
    )
    from_drafts = [
        {"event_id": event_id, "before": DRAFT_BEFORE}
        for event_id, before in op.get_bind().execute(
            sa.select(EVENTS.c.id, EVENTS.c.before).where(EVENTS.c.action == "verdict.submitted")
        )
        if isinstance(before, dict) and before.get("state") == "draft" and before != DRAFT_BEFORE
    ]
    if from_drafts:
        op.get_bind().execute(
            EVENTS.update()
            .where(EVENTS.c.id == sa.bindparam("event_id"))
            .values(before=sa.bindparam("before")),
            from_drafts,
        )
    _restore_append_only()


def downgrade() -> None:
    # Nothing to put back: what the drafts said is gone, as intended.
    pass


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _lift_append_only() -> None:
    if _sqlite():
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")


def _restore_append_only() -> None:
    """As migration a1d17e0a0001 made them."""
    if _sqlite():
        for name, statement in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {statement} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
    else:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
