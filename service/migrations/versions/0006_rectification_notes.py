"""progress notes with evidence files on 整改工作台账 rows

Revision ID: 0006_rectification_notes
Revises: 0005_certificate_joined_on
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_rectification_notes"
down_revision = "0005_certificate_joined_on"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rectification_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened_on", sa.Date(), nullable=True))
    op.create_table(
        "rectification_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("written_on", sa.Date(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("evidence_name", sa.String(length=200), nullable=False),
        sa.Column("evidence_size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["rectification_items.id"],
                                name=op.f("fk_rectification_notes_item_id_rectification_items")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_rectification_notes_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_notes")),
    )
    op.create_index(op.f("ix_rectification_notes_item_id"), "rectification_notes", ["item_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rectification_notes_item_id"), table_name="rectification_notes")
    op.drop_table("rectification_notes")
    with op.batch_alter_table("rectification_items", schema=None) as batch_op:
        batch_op.drop_column("opened_on")
