"""Approvals as records (issue 13 part 7), built once for every use: a request with a reason,
decided (approved or refused, with a reason) by a team leader of its team. ``kind`` says what is
asked (a case closure now; restorative justice exceptions and hardship payments later) and
``detail`` carries what the request needs to be carried out when approved."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db

APPROVAL_STATUSES = {
    "pending": "Waiting for a decision",
    "approved": "Approved",
    "refused": "Refused",
    "withdrawn": "Withdrawn",
}


class Approval(db.Model):
    """One request for a team leader's approval."""

    __tablename__ = "approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    # The team whose team leaders decide it, and the case it is about (if any).
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(1000))
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    requested_by = relationship("Staff", foreign_keys=[requested_by_id])
    decided_by = relationship("Staff", foreign_keys=[decided_by_id])
    case = relationship("Case")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        # A team leader's list: their team's pending requests, oldest first.
        sa.Index("ix_approval_team_status_requested", "team_id", "status", "requested_at"),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'withdrawn')", name="status"
        ),
    )
