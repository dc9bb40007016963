"""verified claims: the archive of earlier fact-checks

Revision ID: e8b6f085a89f
Revises: d4e1f7a2b9c3
Create Date: 2026-12-06 19:49:10.030525

Earlier fact-checks (imported, or our own published verdicts), each change of one
kept as a version, and the imports that brought them.
"""

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision = "e8b6f085a89f"
down_revision = "d4e1f7a2b9c3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact_check_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("refused", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_fact_check_imports_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_check_imports")),
    )
    op.create_table(
        "verified_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publisher", sa.String(length=300), nullable=False),
        sa.Column("ref", sa.String(length=2000), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("claim", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("rating_text", sa.String(length=300), nullable=False),
        sa.Column("rating", sa.String(length=20), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("claimant", sa.String(length=300), nullable=True),
        sa.Column("essay_id", sa.Integer(), nullable=True),
        sa.Column("fields_sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "source IN ('imported', 'desk')", name=op.f("ck_verified_claims_source")
        ),
        sa.ForeignKeyConstraint(
            ["essay_id"], ["essays.id"], name=op.f("fk_verified_claims_essay_id_essays")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verified_claims")),
        sa.UniqueConstraint("key_sha256", name=op.f("uq_verified_claims_key_sha256")),
    )
    with op.batch_alter_table("verified_claims", schema=None) as batch_op:
        batch_op.create_index("ix_verified_claims_essay_id", ["essay_id"], unique=False)

    op.create_table(
        "verified_claim_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verified_claim_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["fact_check_imports.id"],
            name=op.f("fk_verified_claim_versions_import_id_fact_check_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["verified_claim_id"],
            ["verified_claims.id"],
            name=op.f("fk_verified_claim_versions_verified_claim_id_verified_claims"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verified_claim_versions")),
        sa.UniqueConstraint(
            "verified_claim_id",
            "version",
            name=op.f("uq_verified_claim_versions_verified_claim_id_version"),
        ),
    )


def downgrade() -> None:
    op.drop_table("verified_claim_versions")
    with op.batch_alter_table("verified_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_verified_claims_essay_id")

    op.drop_table("verified_claims")
    op.drop_table("fact_check_imports")
