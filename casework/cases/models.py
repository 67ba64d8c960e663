"""Cases as records: one period of support for a person by the victim service, from "further
support" to closure (DESIGN.md Records and Lifecycle).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db

if TYPE_CHECKING:  # relationships name their classes; the mapper registry resolves them
    from casework.obligations.models import Obligation
    from casework.people.models import Person
    from casework.referrals.models import Referral

CASE_STATUSES = {"open": "Open", "closed": "Closed"}

# Why a case was opened.
OPENED_BY = {
    "further_support": "First conversation ended in further support",
    "team_leader": "Opened by a team leader",
}


class Case(db.Model):
    """One period of support: its caseworker, its status and how it opened and closed."""

    __tablename__ = "support_case"  # CASE is an SQL keyword

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    # The team whose case it is (who may see it), and its caseworker within that team.
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    opened_how: Mapped[str] = mapped_column(sa.String(20))
    opened_reason: Mapped[str | None] = mapped_column(sa.String(500))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    person: Mapped[Person] = relationship(back_populates="cases")
    caseworker = relationship("Staff", foreign_keys=[caseworker_id])
    opened_by = relationship("Staff", foreign_keys=[opened_by_id])
    team = relationship("Team")
    referrals: Mapped[list[Referral]] = relationship(back_populates="case", order_by="Referral.id")
    obligations: Mapped[list[Obligation]] = relationship(
        back_populates="case", order_by="Obligation.due_at"
    )

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        # A person has at most one open case of the victim service (DESIGN.md Records).
        sa.Index(
            "ux_support_case_open_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        # A team's open cases per caseworker, and those opened before a day (the team view).
        sa.Index("ix_support_case_worker_status_opened", "caseworker_id", "status", "opened_at"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
    )


# The records a case's relationships name, registered whichever module is imported first.
import casework.obligations.models  # noqa: E402, F401
import casework.people.models  # noqa: E402, F401
import casework.referrals.models  # noqa: E402, F401
