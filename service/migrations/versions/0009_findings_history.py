"""findings kept per check run: a re-check marks the earlier findings superseded instead of deleting them

Revision ID: 0009_findings_history
Revises: 0008_issuing_register
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_findings_history"
down_revision = "0008_issuing_register"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("superseded_at")
