"""queue index in the queue's order, review tasks by claim, stored library search vector

Revision ID: 3b1e5f0c9a21
Revises: a1d17e0a0001
Create Date: 2026-11-27 09:00:00

"""

from __future__ import annotations

from alembic import op

revision = "3b1e5f0c9a21"
down_revision = "a1d17e0a0001"
branch_labels = None
depends_on = None

_PG_DOCUMENT = "to_tsvector('english', title || ' ' || summary || ' ' || entities::text)"


def upgrade() -> None:
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_review_tasks_queue")
        batch_op.create_index("ix_review_tasks_claim_id", ["claim_id"], unique=False)
    # By hand (env.py leaves it alone): autogenerate cannot compare a DESC column.
    # The same SQL on both: PostgreSQL's ASC puts NULL deadlines last, as claim_next asks.
    op.execute(
        "CREATE INDEX ix_review_tasks_next ON review_tasks"
        " (deadline, priority DESC, created_at, id) WHERE state = 'open'"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_library_documents_fts")
        op.execute(
            "ALTER TABLE library_documents ADD COLUMN library_fts_vector tsvector"
            f" GENERATED ALWAYS AS ({_PG_DOCUMENT}) STORED"
        )
        op.execute(
            "CREATE INDEX ix_library_documents_fts ON library_documents"
            " USING gin (library_fts_vector)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_library_documents_fts")
        op.execute("ALTER TABLE library_documents DROP COLUMN library_fts_vector")
        op.execute(
            f"CREATE INDEX ix_library_documents_fts ON library_documents USING gin ({_PG_DOCUMENT})"
        )
    op.execute("DROP INDEX ix_review_tasks_next")
    with op.batch_alter_table("review_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_review_tasks_claim_id")
        batch_op.create_index(
            "ix_review_tasks_queue", ["state", "deadline", "priority", "created_at"], unique=False
        )
