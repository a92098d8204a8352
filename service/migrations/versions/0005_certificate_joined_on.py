"""certificates.joined_on: the 党员证's 入党时间, kept from the batch roster

Revision ID: 0005_certificate_joined_on
Revises: 0004_idempotency_keys
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_certificate_joined_on"
down_revision = "0004_idempotency_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("joined_on", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("joined_on")
