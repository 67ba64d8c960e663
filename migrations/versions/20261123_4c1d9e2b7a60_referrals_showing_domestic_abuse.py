"""Each person's referrals that may show domestic abuse, by a partial index (issue 9)

Revision ID: 4c1d9e2b7a60
Revises: 1ebac223ed1e
Create Date: 2026-11-23 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c1d9e2b7a60'
down_revision = '1ebac223ed1e'
branch_labels = None
depends_on = None

# As casework/referrals/models.py has it, written out: a migration keeps the text it was
# written with, whatever the model says later.
MAY_SHOW_DOMESTIC_ABUSE_SQL = (
    "pathway = 'domestic_abuse'"
    " OR CAST(flags AS TEXT) LIKE '%DOMESTIC_ABUSE%'"
    " OR CAST(priority_reasons AS TEXT) LIKE '%\"domestic abuse%'"
)


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(
            'ix_referral_domestic_abuse',
            ['person_id'],
            unique=False,
            sqlite_where=sa.text(MAY_SHOW_DOMESTIC_ABUSE_SQL),
            postgresql_where=sa.text(MAY_SHOW_DOMESTIC_ABUSE_SQL),
        )


def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_domestic_abuse')
