"""roadmaps: flags a person checked on an item

Revision ID: 0004_roadmap_checked_flags
Revises: 0003_roadmaps
Create Date: 2026-11-23 14:20:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0004_roadmap_checked_flags"
down_revision = "0003_roadmaps"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("roadmap_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_flags", sa.JSON(), nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("roadmap_item", schema=None) as batch_op:
        batch_op.drop_column("checked_flags")
