"""Scheduler heartbeat: one row saying when the scheduler last swept (issue 17)

Revision ID: 1ebac223ed1e
Revises: bd9a5db2750d
Create Date: 2026-11-23 06:02:51.077847

"""
from alembic import op
import sqlalchemy as sa

import casework.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '1ebac223ed1e'
down_revision = 'bd9a5db2750d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_heartbeat',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_sweep_at', casework.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_scheduler_heartbeat_one_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_heartbeat'))
    )


def downgrade():
    op.drop_table('scheduler_heartbeat')
