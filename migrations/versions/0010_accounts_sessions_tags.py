"""accounts: session versions, one-time sign-in codes; tags owned by an organisation

Revision ID: 0010
Revises: 0021
Create Date: 2026-12-01 10:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"))

    op.create_table(
        "sign_in_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["issued_by_id"], ["user_account.id"],
                                name=op.f("fk_sign_in_code_issued_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_sign_in_code_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_code")),
    )
    with op.batch_alter_table("sign_in_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_code_user_id"), ["user_id"], unique=False)

    # Existing tags become the installation's shared vocabulary (owner: the administrator).
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_tag_title", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_tag_org_id"), ["org_id", "title"])
        batch_op.create_index(batch_op.f("ix_tag_org_id"), ["org_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_tag_org_id_organisation"), "organisation", ["org_id"], ["id"])


def downgrade():
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tag_org_id_organisation"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_tag_org_id"))
        batch_op.drop_constraint(batch_op.f("uq_tag_org_id"), type_="unique")
        batch_op.create_unique_constraint("uq_tag_title", ["title"])
        batch_op.drop_column("org_id")

    with op.batch_alter_table("sign_in_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_code_user_id"))
    op.drop_table("sign_in_code")

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_version")
