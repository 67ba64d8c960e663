"""A record's audit rows by time

A case's timeline and access log read a page of a record's audit rows, newest first, and
their count: the index on (record_type, record_id) grows to (record_type, record_id, at,
action) so both come from the index alone. It still serves every lookup by record. Plain
CREATE and DROP INDEX on both engines (no batch rebuild: audit_event keeps its triggers).

Revision ID: e043ca4f8cd1
Revises: 50ca39cbd5d3
Create Date: 2026-11-22 08:21:16.965627

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e043ca4f8cd1"
down_revision = "50ca39cbd5d3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_audit_event_record_at",
        "audit_event",
        ["record_type", "record_id", "at", "action"],
        unique=False,
    )
    op.drop_index("ix_audit_event_record", table_name="audit_event")


def downgrade():
    op.create_index(
        "ix_audit_event_record", "audit_event", ["record_type", "record_id"], unique=False
    )
    op.drop_index("ix_audit_event_record_at", table_name="audit_event")
