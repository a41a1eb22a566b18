"""monitoring: questionnaires and versions, campaigns, recipients, responses, SWOT, rhythm, rules, growth

Revision ID: 0020
Revises: 0011
Create Date: 2026-11-30 19:11:33.869888

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monitoring_growth_characteristic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind_code', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('value_kind', sa.String(length=20), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('minimum', sa.Float(), nullable=True),
    sa.Column('maximum', sa.Float(), nullable=True),
    sa.Column('higher_is_better', sa.Boolean(), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_monitoring_growth_characteristic_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_growth_characteristic')),
    sa.UniqueConstraint('org_id', 'code', name=op.f('uq_monitoring_growth_characteristic_org_id'))
    )
    with op.batch_alter_table('monitoring_growth_characteristic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_growth_characteristic_org_id'), ['org_id'], unique=False)

    op.create_table('monitoring_rhythm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_ids', sa.JSON(), nullable=False),
    sa.Column('entry_days', sa.Integer(), nullable=True),
    sa.Column('final_wave', sa.Boolean(), nullable=False),
    sa.Column('halfyear_dates', sa.JSON(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_monitoring_rhythm_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_rhythm')),
    sa.UniqueConstraint('org_id', name=op.f('uq_monitoring_rhythm_org_id'))
    )
    op.create_table('monitoring_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('threshold_percent', sa.Integer(), nullable=False),
    sa.Column('min_group_size', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_monitoring_settings_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_settings')),
    sa.UniqueConstraint('org_id', name=op.f('uq_monitoring_settings_org_id'))
    )
    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('source_code', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('kind_code', sa.String(length=50), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_questionnaire_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_questionnaire_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire'))
    )
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_org_id'), ['org_id'], unique=False)

    op.create_table('questionnaire_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_questionnaire_version_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_questionnaire_version_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_version')),
    sa.UniqueConstraint('questionnaire_id', 'number', name=op.f('uq_questionnaire_version_questionnaire_id'))
    )
    with op.batch_alter_table('questionnaire_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_version_questionnaire_id'), ['questionnaire_id'], unique=False)

    op.create_table('monitoring_campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('wave', sa.String(length=20), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('kind_code', sa.String(length=50), nullable=False),
    sa.Column('pair_statuses', sa.JSON(), nullable=False),
    sa.Column('academic_year', sa.Integer(), nullable=True),
    sa.Column('rhythm_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_monitoring_campaign_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_monitoring_campaign_org_id_organisation')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_monitoring_campaign_questionnaire_id_questionnaire')),
    sa.ForeignKeyConstraint(['rhythm_id'], ['monitoring_rhythm.id'], name=op.f('fk_monitoring_campaign_rhythm_id_monitoring_rhythm')),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], name=op.f('fk_monitoring_campaign_version_id_questionnaire_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_campaign'))
    )
    with op.batch_alter_table('monitoring_campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_campaign_closes_on'), ['closes_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_campaign_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_campaign_questionnaire_id'), ['questionnaire_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_campaign_rhythm_id'), ['rhythm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_campaign_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_campaign_version_id'), ['version_id'], unique=False)

    op.create_table('monitoring_growth_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind_code', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_monitoring_growth_record_org_id_organisation')),
    sa.ForeignKeyConstraint(['pair_id'], ['pair.id'], name=op.f('fk_monitoring_growth_record_pair_id_pair'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_monitoring_growth_record_person_id_person')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_monitoring_growth_record_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_growth_record')),
    sa.UniqueConstraint('pair_id', 'person_id', 'code', 'stage', name=op.f('uq_monitoring_growth_record_pair_id'))
    )
    with op.batch_alter_table('monitoring_growth_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_growth_record_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_growth_record_pair_id'), ['pair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_growth_record_person_id'), ['person_id'], unique=False)

    op.create_table('question_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('hint', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('reverse', sa.Boolean(), nullable=False),
    sa.Column('subscale', sa.String(length=50), nullable=False),
    sa.Column('in_satisfaction', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('minimum', sa.Float(), nullable=True),
    sa.Column('maximum', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], name=op.f('fk_question_item_version_id_questionnaire_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_item'))
    )
    with op.batch_alter_table('question_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_item_version_id'), ['version_id'], unique=False)

    op.create_table('monitoring_campaign_org',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['monitoring_campaign.id'], name=op.f('fk_monitoring_campaign_org_campaign_id_monitoring_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_monitoring_campaign_org_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_campaign_org')),
    sa.UniqueConstraint('campaign_id', 'org_id', name=op.f('uq_monitoring_campaign_org_campaign_id'))
    )
    with op.batch_alter_table('monitoring_campaign_org', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_campaign_org_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_campaign_org_org_id'), ['org_id'], unique=False)

    op.create_table('monitoring_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('link_nonce', sa.String(length=64), nullable=False),
    sa.Column('link_expires_on', sa.Date(), nullable=True),
    sa.Column('link_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['monitoring_campaign.id'], name=op.f('fk_monitoring_recipient_campaign_id_monitoring_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_monitoring_recipient_org_id_organisation')),
    sa.ForeignKeyConstraint(['pair_id'], ['pair.id'], name=op.f('fk_monitoring_recipient_pair_id_pair')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_monitoring_recipient_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_recipient')),
    sa.UniqueConstraint('campaign_id', 'key', name=op.f('uq_monitoring_recipient_campaign_id'))
    )
    with op.batch_alter_table('monitoring_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_recipient_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_recipient_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_recipient_person_id'), ['person_id'], unique=False)

    op.create_table('monitoring_swot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('weaknesses', sa.Text(), nullable=False),
    sa.Column('opportunities', sa.Text(), nullable=False),
    sa.Column('threats', sa.Text(), nullable=False),
    sa.Column('conclusions', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['monitoring_campaign.id'], name=op.f('fk_monitoring_swot_campaign_id_monitoring_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_monitoring_swot_org_id_organisation')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_monitoring_swot_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_swot')),
    sa.UniqueConstraint('campaign_id', 'org_id', name=op.f('uq_monitoring_swot_campaign_id'))
    )
    with op.batch_alter_table('monitoring_swot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_swot_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('monitoring_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['monitoring_campaign.id'], name=op.f('fk_monitoring_response_campaign_id_monitoring_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_monitoring_response_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_monitoring_response_org_id_organisation')),
    sa.ForeignKeyConstraint(['recipient_id'], ['monitoring_recipient.id'], name=op.f('fk_monitoring_response_recipient_id_monitoring_recipient')),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], name=op.f('fk_monitoring_response_version_id_questionnaire_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_response')),
    sa.UniqueConstraint('recipient_id', name=op.f('uq_monitoring_response_recipient_id'))
    )
    with op.batch_alter_table('monitoring_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_response_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_response_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_response_version_id'), ['version_id'], unique=False)

    op.create_table('monitoring_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['question_item.id'], name=op.f('fk_monitoring_answer_item_id_question_item')),
    sa.ForeignKeyConstraint(['response_id'], ['monitoring_response.id'], name=op.f('fk_monitoring_answer_response_id_monitoring_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_answer'))
    )
    with op.batch_alter_table('monitoring_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_answer_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_answer_response_id'), ['response_id'], unique=False)



def downgrade():
    with op.batch_alter_table('monitoring_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_answer_response_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_answer_item_id'))

    op.drop_table('monitoring_answer')
    with op.batch_alter_table('monitoring_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_response_version_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_response_org_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_response_campaign_id'))

    op.drop_table('monitoring_response')
    with op.batch_alter_table('monitoring_swot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_swot_campaign_id'))

    op.drop_table('monitoring_swot')
    with op.batch_alter_table('monitoring_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_recipient_person_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_recipient_org_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_recipient_campaign_id'))

    op.drop_table('monitoring_recipient')
    with op.batch_alter_table('monitoring_campaign_org', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_campaign_org_org_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_campaign_org_campaign_id'))

    op.drop_table('monitoring_campaign_org')
    with op.batch_alter_table('question_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_item_version_id'))

    op.drop_table('question_item')
    with op.batch_alter_table('monitoring_growth_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_growth_record_person_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_growth_record_pair_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_growth_record_org_id'))

    op.drop_table('monitoring_growth_record')
    with op.batch_alter_table('monitoring_campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_campaign_version_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_campaign_status'))
        batch_op.drop_index(batch_op.f('ix_monitoring_campaign_rhythm_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_campaign_questionnaire_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_campaign_org_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_campaign_closes_on'))

    op.drop_table('monitoring_campaign')
    with op.batch_alter_table('questionnaire_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_version_questionnaire_id'))

    op.drop_table('questionnaire_version')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_org_id'))

    op.drop_table('questionnaire')
    op.drop_table('monitoring_settings')
    op.drop_table('monitoring_rhythm')
    with op.batch_alter_table('monitoring_growth_characteristic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_growth_characteristic_org_id'))

    op.drop_table('monitoring_growth_characteristic')
