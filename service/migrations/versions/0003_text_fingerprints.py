"""text fingerprints for copied passages

Revision ID: 0003_text_fingerprints
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_text_fingerprints"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_fingerprints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE",
                                name=op.f("fk_text_fingerprints_submission_id_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_fingerprints")),
    )
    op.create_index(op.f("ix_text_fingerprints_hash"), "text_fingerprints", ["hash"])
    op.create_index(op.f("ix_text_fingerprints_submission_id"), "text_fingerprints", ["submission_id"])
    op.create_table(
        "text_hash_counts",
        sa.Column("hash", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_text_hash_counts")),
    )


def downgrade() -> None:
    op.drop_table("text_hash_counts")
    op.drop_index(op.f("ix_text_fingerprints_submission_id"), table_name="text_fingerprints")
    op.drop_index(op.f("ix_text_fingerprints_hash"), table_name="text_fingerprints")
    op.drop_table("text_fingerprints")
