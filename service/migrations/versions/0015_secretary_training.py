"""书记项目 with their four outputs, and the training of branch secretaries (topics, classes, enrolments)

Revision ID: 0015_secretary_training
Revises: 0014_two_books
"""
from alembic import op
import sqlalchemy as sa


revision = "0015_secretary_training"
down_revision = "0014_two_books"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for c in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{c}"), [c], unique=False)


def upgrade() -> None:
    op.create_table(
        "secretary_projects", _id(),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        _created(),
        _fk("secretary_projects", "organisation_id", "organisations"),
        _fk("secretary_projects", "person_id", "district_people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secretary_projects")),
        sa.UniqueConstraint("organisation_id", "year", name=op.f("uq_secretary_projects_organisation_id")))
    _index("secretary_projects", "organisation_id", "person_id")
    op.create_table(
        "project_milestones", _id(),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        _fk("project_milestones", "project_id", "secretary_projects"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_milestones")),
        sa.UniqueConstraint("project_id", "kind", name=op.f("uq_project_milestones_project_id")))
    _index("project_milestones", "project_id")
    op.create_table(
        "training_topics", _id(),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        _created(),
        _fk("training_topics", "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_topics")),
        sa.UniqueConstraint("organisation_id", "name", name=op.f("uq_training_topics_organisation_id")))
    _index("training_topics", "organisation_id")
    op.create_table(
        "training_classes", _id(),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        _created(),
        _fk("training_classes", "topic_id", "training_topics"),
        _fk("training_classes", "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_classes")))
    _index("training_classes", "topic_id", "organisation_id")
    op.create_table(
        "training_enrolments", _id(),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("secretary", sa.String(length=100), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        _created(),
        _fk("training_enrolments", "class_id", "training_classes"),
        _fk("training_enrolments", "organisation_id", "organisations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_enrolments")),
        sa.UniqueConstraint("class_id", "organisation_id", name=op.f("uq_training_enrolments_class_id")))
    _index("training_enrolments", "class_id", "organisation_id")


def downgrade() -> None:
    for table in ("training_enrolments", "training_classes", "training_topics", "project_milestones",
                  "secretary_projects"):
        op.drop_table(table)
