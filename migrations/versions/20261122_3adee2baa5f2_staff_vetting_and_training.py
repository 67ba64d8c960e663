"""Staff vetting and training: police vetting, DBS check and Force induction per staff
member, and their training records (spec 12 and 15).

Revision ID: 3adee2baa5f2
Revises: 612c508dd106
Create Date: 2026-11-22 11:08:01.272808

"""

from alembic import op
import sqlalchemy as sa

import casework.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = "3adee2baa5f2"
down_revision = "612c508dd106"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_staff_training_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_training_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_training")),
    )
    with op.batch_alter_table("staff_training", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_training_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "staff_vetting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("nppv_level", sa.String(length=8), nullable=True),
        sa.Column("nppv_granted_on", sa.Date(), nullable=True),
        sa.Column("nppv_expires_on", sa.Date(), nullable=True),
        sa.Column("dbs_level", sa.String(length=20), nullable=True),
        sa.Column("dbs_issued_on", sa.Date(), nullable=True),
        sa.Column("dbs_certificate_last4", sa.String(length=4), nullable=True),
        sa.Column("dbs_recheck_on", sa.Date(), nullable=True),
        sa.Column("induction_on", sa.Date(), nullable=True),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_vetting_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_vetting")),
        sa.UniqueConstraint("staff_id", name=op.f("uq_staff_vetting_staff_id")),
    )
    with op.batch_alter_table("staff_vetting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_vetting_dbs_recheck_on"), ["dbs_recheck_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_vetting_nppv_expires_on"), ["nppv_expires_on"], unique=False
        )


def downgrade():
    with op.batch_alter_table("staff_vetting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_vetting_nppv_expires_on"))
        batch_op.drop_index(batch_op.f("ix_staff_vetting_dbs_recheck_on"))

    op.drop_table("staff_vetting")
    with op.batch_alter_table("staff_training", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_training_staff_id"))

    op.drop_table("staff_training")
