"""A submission key on group sessions: the same new-session form sent twice records one session

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


def upgrade():
    with op.batch_alter_table('group_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_group_session_submission_key'), ['submission_key']
        )


def downgrade():
    with op.batch_alter_table('group_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_group_session_submission_key'), type_='unique')
        batch_op.drop_column('submission_key')
