"""Closures as records (issue 13 part 6): each time a case closed, why, by whom, and, if it was
reopened, when, by whom and why, so reopening keeps the history."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db


class CaseClosure(db.Model):
    """One closure of a case (a code of triage.closure.CLOSURE_REASONS and any words)."""

    __tablename__ = "case_closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(32))
    words: Mapped[str | None] = mapped_column(sa.String(500))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    # The approval it needed, when the team requires closures to be approved.
    approval_id: Mapped[int | None] = mapped_column(sa.ForeignKey("approval.id"))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    reopen_reason: Mapped[str | None] = mapped_column(sa.String(500))

    closed_by = relationship("Staff", foreign_keys=[closed_by_id])
    reopened_by = relationship("Staff", foreign_keys=[reopened_by_id])
    approval = relationship("Approval")
