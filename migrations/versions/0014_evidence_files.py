"""roadmaps: evidence files kept on disk under generated names

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-01 10:00:00

Evidence stored before this revision keeps its bytes in roadmap_evidence.content and is still served
from there; new uploads go to the upload folder and only their generated name is in the row.
"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("roadmap_evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stored_name", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("roadmap_evidence", schema=None) as batch_op:
        batch_op.drop_column("stored_name")
