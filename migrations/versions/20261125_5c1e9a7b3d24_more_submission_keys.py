"""Submission keys on group sessions, hardship payments, restorative-justice requests, onward
referrals and contact attempts: the same form sent twice (a double click, a resend, Back and
send again) records one session, pays once, makes one request, referral or attempt

Revision ID: 5c1e9a7b3d24
Revises: 2e8c4b7d1f03
Create Date: 2026-11-25 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e9a7b3d24'
down_revision = '2e8c4b7d1f03'
branch_labels = None
depends_on = None


TABLES = (
    'group_session', 'hardship_payment', 'restorative_justice', 'onward_referral', 'contact_attempt'
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(
                batch_op.f(f'uq_{table}_submission_key'), ['submission_key']
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_submission_key'), type_='unique')
            batch_op.drop_column('submission_key')
