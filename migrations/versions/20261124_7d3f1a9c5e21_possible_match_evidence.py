"""The keys an offer of a second person rests on, hashed, so a later download offers the same
two people again only with new evidence (issue 9)

Revision ID: 7d3f1a9c5e21
Revises: 4c1d9e2b7a60
Create Date: 2026-11-24 00:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3f1a9c5e21'
down_revision = '4c1d9e2b7a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('possible_match', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('possible_match', schema=None) as batch_op:
        batch_op.drop_column('evidence')
