"""Sweeps find what is due by index

The scheduler's every-minute sweeps read partial indexes that hold only what may be due:
message obligations not yet met, booked appointments, messages a sender has claimed; and
open staff sessions by last activity; a referral's obligations by status. Plain CREATE INDEX on both engines (no batch rebuild).

Revision ID: 5d2c7e9a1f40
Revises: 957e652da5b8
Create Date: 2026-11-22 06:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5d2c7e9a1f40"
down_revision = "957e652da5b8"
branch_labels = None
depends_on = None

MESSAGES_UNMET = (
    "met_at IS NULL AND kind IN ('initial_message', 'home_visit_offer', 'final_letter')"
)


def upgrade():
    # A referral's obligations by status too, for its place in the queue after each change.
    op.drop_index("ix_obligation_referral_id", table_name="obligation")
    op.create_index(
        "ix_obligation_referral_status", "obligation", ["referral_id", "status"], unique=False
    )
    op.create_index(
        "ix_obligation_message_unmet",
        "obligation",
        ["kind", "status"],
        unique=False,
        sqlite_where=sa.text(MESSAGES_UNMET),
        postgresql_where=sa.text(MESSAGES_UNMET),
    )
    op.create_index(
        "ix_obligation_booked",
        "obligation",
        ["status", "booked_at"],
        unique=False,
        sqlite_where=sa.text("booked_at IS NOT NULL"),
        postgresql_where=sa.text("booked_at IS NOT NULL"),
    )
    op.create_index(
        "ix_outbound_message_sending",
        "outbound_message",
        ["status", "claimed_at"],
        unique=False,
        sqlite_where=sa.text("status = 'sending'"),
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.create_index(
        "ix_staff_session_open", "staff_session", ["ended_at", "last_seen_at"], unique=False
    )


def downgrade():
    op.drop_index("ix_staff_session_open", table_name="staff_session")
    op.drop_index("ix_outbound_message_sending", table_name="outbound_message")
    op.drop_index("ix_obligation_booked", table_name="obligation")
    op.drop_index("ix_obligation_message_unmet", table_name="obligation")
    op.drop_index("ix_obligation_referral_status", table_name="obligation")
    op.create_index("ix_obligation_referral_id", "obligation", ["referral_id"], unique=False)
