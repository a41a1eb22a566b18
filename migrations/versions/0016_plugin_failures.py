"""plugins: failures at request time, counted per plugin

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 21:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plugin_failure",
        sa.Column("plugin", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_where", sa.String(length=200), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("plugin", name=op.f("pk_plugin_failure")),
    )


def downgrade():
    op.drop_table("plugin_failure")
