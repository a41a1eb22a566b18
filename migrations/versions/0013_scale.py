"""scale: the closure of the organisation tree, cached figures, and indexes for region-scale lists

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 19:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0022"
branch_labels = None
depends_on = None

# Composite indexes the plans of region-scale lists and counts need on both backends.
INDEXES = (
    ("pair", "ix_pair_org_id_status", ["org_id", "status"]),
    ("mentee_profile", "ix_mentee_profile_org_id_status", ["org_id", "status"]),
    ("mentor_profile", "ix_mentor_profile_org_id_status", ["org_id", "status"]),
    ("person", "ix_person_org_id_kind_archived_at", ["org_id", "kind", "archived_at"]),
    ("consent", "ix_consent_person_id_kind_dates", ["person_id", "kind", "withdrawn_on", "valid_until", "signed_on"]),
)


def upgrade():
    op.create_table(
        "organisation_link",
        sa.Column("ancestor_id", sa.Integer(), nullable=False),
        sa.Column("descendant_id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ancestor_id"], ["organisation.id"], name=op.f("fk_organisation_link_ancestor_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["descendant_id"], ["organisation.id"], name=op.f("fk_organisation_link_descendant_id_organisation"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ancestor_id", "descendant_id", name=op.f("pk_organisation_link")),
    )
    with op.batch_alter_table("organisation_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_link_descendant_id"), ["descendant_id"], unique=False)
    op.create_table(
        "figure_cache",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("refreshing_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_figure_cache")),
    )
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)
    # The closure of the organisations already there.
    op.execute(
        "INSERT INTO organisation_link (ancestor_id, descendant_id, depth) "
        "WITH RECURSIVE tree (ancestor_id, descendant_id, depth) AS ("
        " SELECT id, id, 0 FROM organisation"
        " UNION ALL SELECT tree.ancestor_id, organisation.id, tree.depth + 1"
        " FROM organisation JOIN tree ON organisation.parent_id = tree.descendant_id)"
        " SELECT ancestor_id, descendant_id, depth FROM tree"
    )


def downgrade():
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    op.drop_table("figure_cache")
    with op.batch_alter_table("organisation_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_link_descendant_id"))
    op.drop_table("organisation_link")
