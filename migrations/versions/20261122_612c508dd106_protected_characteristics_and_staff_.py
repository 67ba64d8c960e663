"""Protected characteristics on the person and the referral; staff-entered self-referrals
(the route, the community event and who entered it).

Revision ID: 612c508dd106
Revises: d5d502d78ee4
Create Date: 2026-11-22 11:06:34.228218

Plain ADD COLUMNs, so SQLite does not rebuild the referral table (a rebuild would lose the
descending queue index). SQLite adds the foreign key inline with the column, which it allows
for a column whose default is NULL.
"""

import sqlalchemy as sa
from alembic import op

import casework.db  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "612c508dd106"
down_revision = "d5d502d78ee4"
branch_labels = None
depends_on = None

# The nine protected characteristics (triage.equality), on both tables, with their lengths.
CHARACTERISTICS = (
    ("age_band", 20),
    ("disability", 20),
    ("gender_reassignment", 20),
    ("marital_status", 20),
    ("pregnancy_maternity", 20),
    ("ethnic_group", 40),
    ("religion", 20),
    ("sex", 20),
    ("sexual_orientation", 20),
)
ROUTE_COLUMNS = ("self_route", "event_name", "event_on", "entered_by_id")


def upgrade():
    for table in ("person", "referral"):
        for name, length in CHARACTERISTICS:
            op.add_column(table, sa.Column(name, sa.String(length=length), nullable=True))
    op.add_column("referral", sa.Column("self_route", sa.String(length=20), nullable=True))
    op.add_column("referral", sa.Column("event_name", sa.String(length=200), nullable=True))
    op.add_column("referral", sa.Column("event_on", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE referral ADD COLUMN entered_by_id INTEGER REFERENCES staff (id)")
    else:
        op.add_column("referral", sa.Column("entered_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_referral_entered_by_id_staff", "referral", "staff", ["entered_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("referral", schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint("fk_referral_entered_by_id_staff", type_="foreignkey")
        for name in reversed(ROUTE_COLUMNS):
            batch_op.drop_column(name)
        for name, _ in reversed(CHARACTERISTICS):
            batch_op.drop_column(name)
    with op.batch_alter_table("person", schema=None) as batch_op:
        for name, _ in reversed(CHARACTERISTICS):
            batch_op.drop_column(name)
