"""batch jobs: numbering key, reprints, chunk leases

Revision ID: 0007_batch_leases
Revises: 0006_rectification_notes
"""
from alembic import op
import sqlalchemy as sa


revision = "0007_batch_leases"
down_revision = "0006_rectification_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batch_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("numbering_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("numbers_from_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_batch_jobs_numbering_key"), ["numbering_key"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_batch_jobs_numbers_from_id_batch_jobs"), "batch_jobs",
                                    ["numbers_from_id"], ["id"])
    with op.batch_alter_table("batch_chunks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batch_chunks", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
    with op.batch_alter_table("batch_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_batch_jobs_numbers_from_id_batch_jobs"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_batch_jobs_numbering_key"))
        batch_op.drop_column("numbers_from_id")
        batch_op.drop_column("numbering_key")
