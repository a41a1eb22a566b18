"""orders and agreements: school requisites, orders on ending/changing pairs, names in their cases,
mentors' agreements under ст. 351.8 ТК РФ

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 19:10:07

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_name_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('gender', sa.String(length=10), nullable=False),
    sa.Column('genitive', sa.String(length=300), nullable=False),
    sa.Column('dative', sa.String(length=300), nullable=False),
    sa.Column('accusative', sa.String(length=300), nullable=False),
    sa.Column('instrumental', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_name_forms_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_name_forms')),
    sa.UniqueConstraint('person_id', name=op.f('uq_person_name_forms_person_id'))
    )
    op.create_table('mentor_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('work_form', sa.String(length=300), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('pay_kind', sa.String(length=20), nullable=False),
    sa.Column('pay_value', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('pay_terms', sa.Text(), nullable=False),
    sa.Column('local_act', sa.String(length=500), nullable=False),
    sa.Column('ended_by', sa.String(length=20), nullable=False),
    sa.Column('notice_on', sa.Date(), nullable=True),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_mentor_agreement_org_id_organisation')),
    sa.ForeignKeyConstraint(['pair_id'], ['pair.id'], name=op.f('fk_mentor_agreement_pair_id_pair')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_mentor_agreement_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_agreement'))
    )
    with op.batch_alter_table('mentor_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_agreement_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_agreement_pair_id'), ['pair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_agreement_person_id'), ['person_id'], unique=False)

    op.create_table('order_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('new_person_id', sa.Integer(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['new_person_id'], ['person.id'], name=op.f('fk_order_entry_new_person_id_person')),
    sa.ForeignKeyConstraint(['order_id'], ['order_document.id'], name=op.f('fk_order_entry_order_id_order_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pair_id'], ['pair.id'], name=op.f('fk_order_entry_pair_id_pair')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_order_entry_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_entry'))
    )
    with op.batch_alter_table('order_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_entry_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_entry_pair_id'), ['pair_id'], unique=False)

    with op.batch_alter_table('mentor_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duties_included', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('director_name', sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('director_position', sa.String(length=200), nullable=False, server_default="Директор"))
        batch_op.add_column(sa.Column('director_position_genitive', sa.String(length=200), nullable=False, server_default="директора"))
        batch_op.add_column(sa.Column('curator_name', sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('curator_position', sa.String(length=200), nullable=False, server_default=""))



def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('curator_position')
        batch_op.drop_column('curator_name')
        batch_op.drop_column('director_position_genitive')
        batch_op.drop_column('director_position')
        batch_op.drop_column('director_name')

    with op.batch_alter_table('mentor_profile', schema=None) as batch_op:
        batch_op.drop_column('duties_included')

    with op.batch_alter_table('order_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_entry_pair_id'))
        batch_op.drop_index(batch_op.f('ix_order_entry_order_id'))

    op.drop_table('order_entry')
    with op.batch_alter_table('mentor_agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_agreement_person_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_agreement_pair_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_agreement_org_id'))

    op.drop_table('mentor_agreement')
    op.drop_table('person_name_forms')
