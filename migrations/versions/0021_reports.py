"""reports: indicator passports, targets, manual values, report collections and runs

Revision ID: 0021
Revises: 0023
Create Date: 2026-11-30 19:07:39.130625

"""
from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('time_characteristic', sa.Text(), nullable=False),
    sa.Column('formula', sa.String(length=10), nullable=False),
    sa.Column('numerator', sa.Text(), nullable=False),
    sa.Column('denominator', sa.String(length=100), nullable=False),
    sa.Column('min_value', sa.Float(), nullable=True),
    sa.Column('max_value', sa.Float(), nullable=True),
    sa.Column('collection_method', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=300), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('source_note', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('code', name=op.f('uq_indicator_code'))
    )
    op.create_table('indicator_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('academic_year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_target_indicator_id_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_target')),
    sa.UniqueConstraint('indicator_id', 'academic_year', name=op.f('uq_indicator_target_indicator_id'))
    )
    with op.batch_alter_table('indicator_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_target_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('indicator_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('academic_year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_indicator_entry_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_entry_indicator_id_indicator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_indicator_entry_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_entry')),
    sa.UniqueConstraint('indicator_id', 'org_id', 'academic_year', 'kind', name=op.f('uq_indicator_entry_indicator_id'))
    )
    with op.batch_alter_table('indicator_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_entry_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_entry_org_id'), ['org_id'], unique=False)

    op.create_table('report_collection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('format_code', sa.String(length=100), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_report_collection_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_report_collection_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_collection'))
    )
    with op.batch_alter_table('report_collection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_collection_org_id'), ['org_id'], unique=False)

    op.create_table('report_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('format_code', sa.String(length=100), nullable=False),
    sa.Column('format_title', sa.Text(), nullable=False),
    sa.Column('format_version', sa.String(length=50), nullable=False),
    sa.Column('plugin', sa.String(length=200), nullable=False),
    sa.Column('plugin_version', sa.String(length=50), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['report_collection.id'], name=op.f('fk_report_run_collection_id_report_collection')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_report_run_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_report_run_org_id_organisation')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_report_run_reviewed_by_id_user_account')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_report_run_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_run'))
    )
    with op.batch_alter_table('report_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_run_collection_id'), ['collection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_run_format_code'), ['format_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_run_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_run_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('report_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_run_status'))
        batch_op.drop_index(batch_op.f('ix_report_run_org_id'))
        batch_op.drop_index(batch_op.f('ix_report_run_format_code'))
        batch_op.drop_index(batch_op.f('ix_report_run_collection_id'))

    op.drop_table('report_run')
    with op.batch_alter_table('report_collection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_collection_org_id'))

    op.drop_table('report_collection')
    with op.batch_alter_table('indicator_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_entry_org_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_entry_indicator_id'))

    op.drop_table('indicator_entry')
    with op.batch_alter_table('indicator_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_target_indicator_id'))

    op.drop_table('indicator_target')
    op.drop_table('indicator')
