"""What an onward referral shared, as it was when made (its values, not only which fields)

Revision ID: a95e3e10144f
Revises: 3551df6e1f7e
Create Date: 2026-11-22 19:04:23.790265

"""

from alembic import op
import sqlalchemy as sa

import casework.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = "a95e3e10144f"
down_revision = "3551df6e1f7e"
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table("onward_referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shared_values", sa.JSON(), nullable=True))


def downgrade():

    with op.batch_alter_table("onward_referral", schema=None) as batch_op:
        batch_op.drop_column("shared_values")
