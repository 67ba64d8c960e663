"""Held letters decided by staff (post, another channel or none, with who and why), who
sent a message from a case, and the text and email templates staff send from a case

Revision ID: 39338b17742d
Revises: ab07f68c453e
Create Date: 2026-11-22 11:07:34.880033

"""

from alembic import op
import sqlalchemy as sa

import casework.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = "39338b17742d"
down_revision = "ab07f68c453e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casework.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("channel IN ('sms', 'email')", name=op.f("ck_message_template_channel")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff.id"], name=op.f("fk_message_template_updated_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_template")),
        sa.UniqueConstraint("name", name=op.f("uq_message_template_name")),
    )
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("decision_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("decided_at", casework.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("sent_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbound_message_sent_by_id_staff"), "staff", ["sent_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbound_message_decided_by_id_staff"),
            "staff",
            ["decided_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbound_message_decided_by_id_staff"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_outbound_message_sent_by_id_staff"), type_="foreignkey"
        )
        batch_op.drop_column("sent_by_id")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("decision_reason")
        batch_op.drop_column("decision")

    op.drop_table("message_template")
