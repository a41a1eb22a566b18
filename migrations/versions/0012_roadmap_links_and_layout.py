"""roadmaps: links of items to app functions, the document's layout and provisions, section shares

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("roadmap", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provisions", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("columns", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("roadmap_section", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_section_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_index(batch_op.f("ix_roadmap_section_parent_section_id"), ["parent_section_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_roadmap_section_parent_section_id_roadmap_section"),
            "roadmap_section",
            ["parent_section_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("roadmap_item", schema=None) as batch_op:  # «мои мероприятия» of a person
        batch_op.create_index(batch_op.f("ix_roadmap_item_responsible_person_id"), ["responsible_person_id"], unique=False)

    op.create_table(
        "roadmap_item_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("rule_code", sa.String(length=100), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("record_chosen", sa.Boolean(), nullable=False),
        sa.Column("record_title", sa.String(length=300), nullable=False),
        sa.Column("record_url", sa.String(length=1000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_roadmap_item_link_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["roadmap_item.id"], name=op.f("fk_roadmap_item_link_item_id_roadmap_item"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_item_link")),
    )
    with op.batch_alter_table("roadmap_item_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roadmap_item_link_item_id"), ["item_id"], unique=True)


def downgrade():
    with op.batch_alter_table("roadmap_item_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmap_item_link_item_id"))
    op.drop_table("roadmap_item_link")

    with op.batch_alter_table("roadmap_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roadmap_item_responsible_person_id"))

    with op.batch_alter_table("roadmap_section", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_roadmap_section_parent_section_id_roadmap_section"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_roadmap_section_parent_section_id"))
        batch_op.drop_column("version")
        batch_op.drop_column("parent_section_id")

    with op.batch_alter_table("roadmap", schema=None) as batch_op:
        batch_op.drop_column("columns")
        batch_op.drop_column("provisions")
