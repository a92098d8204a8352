"""extractions: the parser's warnings and a scan's facts (OCR: pages, seals, the model for the preview)

Revision ID: 0010_scan_results
Revises: 0009_findings_history
"""
from alembic import op
import sqlalchemy as sa


revision = "0010_scan_results"
down_revision = "0009_findings_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("extractions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("scan", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("extractions", schema=None) as batch_op:
        batch_op.drop_column("scan")
        batch_op.drop_column("warnings")
