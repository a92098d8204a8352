"""issuing organs (发文机关标志, 机关代字, 署名), the 发文 register, reviewers' decisions on submissions

Revision ID: 0008_issuing_register
Revises: 0007_batch_leases
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_issuing_register"
down_revision = "0007_batch_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuing_organs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_issuing_organs_organisation_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuing_organs")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_issuing_organs_organisation_id")),
        sa.UniqueConstraint("prefix", name=op.f("uq_issuing_organs_prefix")),
    )
    op.create_table(
        "register_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("addressee", sa.String(length=300), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=100), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_register_entries_document_id_documents")),
        sa.ForeignKeyConstraint(["organ_id"], ["issuing_organs.id"],
                                name=op.f("fk_register_entries_organ_id_issuing_organs")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_register_entries_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["signer_id"], ["users.id"], name=op.f("fk_register_entries_signer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entries")),
        sa.UniqueConstraint("organ_id", "year", "seq", name=op.f("uq_register_entries_organ_id")),
    )
    op.create_index(op.f("ix_register_entries_organ_id"), "register_entries", ["organ_id"])
    op.create_index(op.f("ix_register_entries_organisation_id"), "register_entries", ["organisation_id"])
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("review_comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(op.f("fk_submissions_decided_by_id_users"), "users", ["decided_by_id"], ["id"])
    # a check no longer decides: what it marked 符合条件 awaits a reviewer again
    op.execute("UPDATE submissions SET status = 'extracted' WHERE status = 'eligible'")


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint(op.f("fk_submissions_decided_by_id_users"), type_="foreignkey")
        batch.drop_column("decided_at")
        batch.drop_column("decided_by_id")
        batch.drop_column("review_comment")
    op.drop_index(op.f("ix_register_entries_organisation_id"), table_name="register_entries")
    op.drop_index(op.f("ix_register_entries_organ_id"), table_name="register_entries")
    op.drop_table("register_entries")
    op.drop_table("issuing_organs")
