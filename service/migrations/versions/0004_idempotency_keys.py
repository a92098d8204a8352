"""idempotency keys (issue 16: a retried upload returns the first result)

Revision ID: 0004_idempotency_keys
Revises: 0003_text_fingerprints
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_idempotency_keys"
down_revision = "0003_text_fingerprints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_idempotency_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("user_id", "scope", "key", name=op.f("uq_idempotency_keys_user_id")),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
