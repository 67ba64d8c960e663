"""Birth date and address checks; upload jobs run by the scheduler

A police download's doubtful birth date is stored unknown with why (dob_problem); a postcode
that is not a UK postcode flags the address (address_needs_checking). An uploaded download is
spooled to disk (import_job.path) and imported by the scheduler process, which records where
the upload came from (ip, user_agent) in the audit trail.

Revision ID: 957e652da5b8
Revises: 150641167bfe
Create Date: 2026-11-22 05:11:54.599573

"""

from alembic import op
import sqlalchemy as sa

import casework.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = "957e652da5b8"
down_revision = "150641167bfe"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on both engines: a batch rebuild of referral on SQLite would recreate
    # its indexes from reflection and lose ix_referral_queue's "risk_score DESC".
    op.add_column("import_job", sa.Column("path", sa.String(length=500), nullable=True))
    op.add_column("import_job", sa.Column("ip", sa.String(length=64), nullable=True))
    op.add_column("import_job", sa.Column("user_agent", sa.String(length=256), nullable=True))
    op.add_column("referral", sa.Column("dob_problem", sa.String(length=100), nullable=True))
    op.add_column(
        "referral",
        sa.Column(
            "address_needs_checking", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )


def downgrade():
    # DROP COLUMN needs SQLite 3.35 or later; it leaves the other indexes as they are.
    op.drop_column("referral", "address_needs_checking")
    op.drop_column("referral", "dob_problem")
    op.drop_column("import_job", "user_agent")
    op.drop_column("import_job", "ip")
    op.drop_column("import_job", "path")
