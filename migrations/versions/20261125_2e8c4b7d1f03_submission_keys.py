"""Submission keys on case notes, advice contacts and complaints: the same form sent twice (a
note, a call, email or chat an advisor logs by hand, a complaint) makes one record

Revision ID: 2e8c4b7d1f03
Revises: 7d3f1a9c5e21
Create Date: 2026-11-25 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2e8c4b7d1f03'
down_revision = '7d3f1a9c5e21'
branch_labels = None
depends_on = None


TABLES = ('case_note', 'advice_contact', 'complaint')


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
