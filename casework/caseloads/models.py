"""Caseload records: a team's caseload settings, and each reassignment of a case (who moved it
from whom to whom, and why) so the new caseworker is told."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db


class TeamCaseloadSetting(db.Model):
    """How a team works its caseloads, set by its team leader or an admin. A team without a
    row has the defaults (caseworkers do not pick up referrals themselves)."""

    __tablename__ = "team_caseload_setting"

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), primary_key=True)
    # Caseworkers may allocate unallocated open referrals to themselves ("Pick up").
    caseworkers_pick_up: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Days between support plan reviews (D10).
    plan_review_days: Mapped[int] = mapped_column(sa.Integer, default=28, server_default="28")
    # A team leader must approve each closure of the team's cases.
    closure_needs_approval: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class CaseReassignment(db.Model):
    """A team leader moved a case to another caseworker of the team, with a reason. The new
    caseworker sees it on their caseload ("New to you") until they open the case."""

    __tablename__ = "case_reassignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"))
    from_worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    to_worker_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    by = relationship("Staff", foreign_keys=[by_id])
    from_worker = relationship("Staff", foreign_keys=[from_worker_id])

    # A caseload page reads the latest reassignment of its cases by case.
    __table_args__ = (sa.Index("ix_case_reassignment_case_at", "case_id", "at"),)
