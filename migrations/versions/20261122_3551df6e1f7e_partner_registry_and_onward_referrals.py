"""Partner registry (registry fields and contacts) and onward referrals with consent and the target-hardening details (issue 14)

Revision ID: 3551df6e1f7e
Revises: c8267d4b1cfb
Create Date: 2026-11-22 17:53:04.724451

"""
from alembic import op
import sqlalchemy as sa

import casework.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '3551df6e1f7e'
down_revision = 'c8267d4b1cfb'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('partner_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('created_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['partner_agency.id'], name=op.f('fk_partner_contact_agency_id_partner_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_contact'))
    )
    with op.batch_alter_table('partner_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_contact_agency_id'), ['agency_id'], unique=False)

    op.create_table('sharing_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('how', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['partner_agency.id'], name=op.f('fk_sharing_consent_agency_id_partner_agency')),
    sa.ForeignKeyConstraint(['case_id'], ['support_case.id'], name=op.f('fk_sharing_consent_case_id_support_case')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'], name=op.f('fk_sharing_consent_recorded_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_consent'))
    )
    with op.batch_alter_table('sharing_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sharing_consent_case_id'), ['case_id'], unique=False)

    op.create_table('onward_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('shared_fields', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.Column('no_isa_reason', sa.String(length=500), nullable=True),
    sa.Column('sent_to', sa.String(length=254), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('spoke_to', sa.String(length=200), nullable=True),
    sa.Column('made_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome_note', sa.String(length=1000), nullable=True),
    sa.Column('stopped_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['partner_agency.id'], name=op.f('fk_onward_referral_agency_id_partner_agency')),
    sa.ForeignKeyConstraint(['case_id'], ['support_case.id'], name=op.f('fk_onward_referral_case_id_support_case')),
    sa.ForeignKeyConstraint(['consent_id'], ['sharing_consent.id'], name=op.f('fk_onward_referral_consent_id_sharing_consent')),
    sa.ForeignKeyConstraint(['made_by_id'], ['staff.id'], name=op.f('fk_onward_referral_made_by_id_staff')),
    sa.ForeignKeyConstraint(['message_id'], ['outbound_message.id'], name=op.f('fk_onward_referral_message_id_outbound_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onward_referral'))
    )
    with op.batch_alter_table('onward_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onward_referral_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_onward_referral_case_id'), ['case_id'], unique=False)

    op.create_table('target_hardening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('vulnerability_factors', sa.Text(), nullable=False),
    sa.Column('other_agencies', sa.String(length=500), nullable=True),
    sa.Column('phoned_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('visit_agreed_for', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attended_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('service_level', sa.SmallInteger(), nullable=True),
    sa.Column('items', sa.Text(), nullable=True),
    sa.Column('cost_pence', sa.Integer(), nullable=True),
    sa.Column('fitted_on', sa.Date(), nullable=True),
    sa.Column('refused', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('refused_reason', sa.String(length=500), nullable=True),
    sa.Column('satisfaction', sa.SmallInteger(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('follow_up_feels_safer', sa.String(length=8), nullable=True),
    sa.Column('follow_up_is_safer', sa.String(length=8), nullable=True),
    sa.Column('follow_up_at', casework.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('additional_need', sa.Text(), nullable=True),
    sa.Column('additional_need_consent', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['onward_referral.id'], name=op.f('fk_target_hardening_referral_id_onward_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_hardening')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_target_hardening_referral_id'))
    )
    with op.batch_alter_table('partner_agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_registry', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('agency_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('partnership_level', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('provides', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('keyworker_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('mou_signed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('mou_review_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('isa_in_place', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('secure_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', casework.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))




def downgrade():
    
    with op.batch_alter_table('partner_agency', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('notes')
        batch_op.drop_column('phone')
        batch_op.drop_column('secure_email')
        batch_op.drop_column('isa_in_place')
        batch_op.drop_column('mou_review_on')
        batch_op.drop_column('mou_signed_on')
        batch_op.drop_column('keyworker_name')
        batch_op.drop_column('provides')
        batch_op.drop_column('partnership_level')
        batch_op.drop_column('agency_type')
        batch_op.drop_column('in_registry')

    op.drop_table('target_hardening')
    with op.batch_alter_table('onward_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onward_referral_case_id'))
        batch_op.drop_index(batch_op.f('ix_onward_referral_agency_id'))

    op.drop_table('onward_referral')
    with op.batch_alter_table('sharing_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sharing_consent_case_id'))

    op.drop_table('sharing_consent')
    with op.batch_alter_table('partner_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_contact_agency_id'))

    op.drop_table('partner_contact')

