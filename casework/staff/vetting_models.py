"""Staff vetting and training as records (spec 12 and 15): police vetting, the DBS check and
the Force induction on one row per staff member, and their training records."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db
from casework.staff.models import Staff


class StaffVetting(db.Model):
    """One staff member's police vetting, DBS check and Force induction.

    Only the last four digits of the DBS certificate number are kept: enough to match the
    certificate the person shows, not enough to look it up on the DBS update service.
    """

    __tablename__ = "staff_vetting"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), unique=True)
    nppv_level: Mapped[str | None] = mapped_column(sa.String(8))
    nppv_granted_on: Mapped[date | None] = mapped_column(sa.Date)
    nppv_expires_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    dbs_level: Mapped[str | None] = mapped_column(sa.String(20))
    dbs_issued_on: Mapped[date | None] = mapped_column(sa.Date)
    dbs_certificate_last4: Mapped[str | None] = mapped_column(sa.String(4))
    dbs_recheck_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    induction_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    staff: Mapped[Staff] = relationship()

    __mapper_args__ = {"version_id_col": version}


class TrainingRecord(db.Model):
    """A course a staff member completed (the service's training plan, spec 15)."""

    __tablename__ = "staff_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    course: Mapped[str] = mapped_column(sa.String(200))
    completed_on: Mapped[date] = mapped_column(sa.Date)
    expires_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # A hash of the new-training form's one-time token: the same form sent twice adds one course.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
