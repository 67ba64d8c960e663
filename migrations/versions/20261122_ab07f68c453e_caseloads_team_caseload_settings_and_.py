"""caseloads: team caseload settings and case reassignments

A team's setting "caseworkers may pick up unallocated referrals", and each reassignment of a
case with its reason (the new caseworker sees it on their caseload).

Revision ID: ab07f68c453e
Revises: 3adee2baa5f2
Create Date: 2026-11-22 11:06:05.100326

"""
from alembic import op
import sqlalchemy as sa

import casework.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'ab07f68c453e'
down_revision = '3adee2baa5f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('team_caseload_setting',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('caseworkers_pick_up', sa.Boolean(), nullable=False),
    sa.Column('updated_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_caseload_setting_team_id_team')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'], name=op.f('fk_team_caseload_setting_updated_by_id_staff')),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_team_caseload_setting'))
    )
    op.create_table('case_reassignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_worker_id', sa.Integer(), nullable=True),
    sa.Column('to_worker_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['staff.id'], name=op.f('fk_case_reassignment_by_id_staff')),
    sa.ForeignKeyConstraint(['case_id'], ['support_case.id'], name=op.f('fk_case_reassignment_case_id_support_case')),
    sa.ForeignKeyConstraint(['from_worker_id'], ['staff.id'], name=op.f('fk_case_reassignment_from_worker_id_staff')),
    sa.ForeignKeyConstraint(['to_worker_id'], ['staff.id'], name=op.f('fk_case_reassignment_to_worker_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reassignment'))
    )
    op.create_index('ix_case_reassignment_case_at', 'case_reassignment', ['case_id', 'at'])



def downgrade():
    op.drop_index('ix_case_reassignment_case_at', table_name='case_reassignment')

    op.drop_table('case_reassignment')
    op.drop_table('team_caseload_setting')
