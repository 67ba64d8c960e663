"""Submission keys on support-plan actions, training records, advice-line resources, practice
evidence, partner contacts and restorative-justice sessions: the same form sent twice (a double
click, a resend, Back and send again) adds one action, course, resource, piece of evidence,
contact or session

Revision ID: 8e2f4a6c1b37
Revises: 5c1e9a7b3d24
Create Date: 2026-11-25 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e2f4a6c1b37'
down_revision = '5c1e9a7b3d24'
branch_labels = None
depends_on = None


TABLES = (
    'plan_action',
    'staff_training',
    'advice_resource',
    'practice_evidence',
    'partner_contact',
    'restorative_session',
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
