"""programmes: versions of plan items and meetings (concurrent edits are refused, not overwritten);
what was open when a programme was completed

Revision ID: 0015
Revises: 0004_roadmap_checked_flags
Create Date: 2026-11-30 20:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0004_roadmap_checked_flags"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("plan_item", "meeting"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_at_completion", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("open_at_completion")
    for table in ("meeting", "plan_item"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
