"""Vetting due to expire (spec 12): active staff whose police vetting or DBS check expires
within 60 days, or already has, soonest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from casework.staff.models import Staff
from casework.staff.vetting import facts_of
from casework.staff.vetting_models import StaffVetting
from triage.vetting import EXPIRY_WARNING_DAYS, expiry_within, format_day


@dataclass(frozen=True)
class ExpiringRow:
    """A staff member whose vetting or DBS check expires soon (or has)."""

    staff: Staff
    soonest: date
    nppv_expires_on: date | None
    dbs_recheck_on: date | None
    what: tuple[str, ...]


def _soonest_expr():
    a, b = StaffVetting.nppv_expires_on, StaffVetting.dbs_recheck_on
    return sa.case((a.is_(None), b), (b.is_(None), a), (a <= b, a), else_=b)


def _expiring_query(today: date, days: int):

    limit = today + timedelta(days=days)
    return (
        sa.select(StaffVetting)
        .join(Staff, Staff.id == StaffVetting.staff_id)
        .where(
            Staff.active.is_(True),
            sa.or_(StaffVetting.nppv_expires_on <= limit, StaffVetting.dbs_recheck_on <= limit),
        )
        .order_by(_soonest_expr(), Staff.name, Staff.id)
    )


def _row(vetting: StaffVetting, today: date, days: int) -> ExpiringRow:
    facts = facts_of(vetting.staff, vetting)
    what = []
    for label, day in (
        ("police vetting", vetting.nppv_expires_on),
        ("DBS check", vetting.dbs_recheck_on),
    ):
        if day is not None and (day - today).days <= days:
            verb = "expired" if day <= today else "expires"
            what.append(f"{label} {verb} {format_day(day)}")
    return ExpiringRow(
        vetting.staff,
        expiry_within(facts, today, days),
        vetting.nppv_expires_on,
        vetting.dbs_recheck_on,
        tuple(what),
    )


def expiring_vetting(session, today: date, days: int = EXPIRY_WARNING_DAYS) -> list[ExpiringRow]:
    """Active staff whose police vetting or DBS check expires within ``days`` of ``today``,
    or already has, soonest first (spec 12: admins see vetting due to expire)."""
    return [_row(v, today, days) for v in session.scalars(_expiring_query(today, days))]


def expiring_vetting_page(
    session, today: date, *, page: int, per_page: int, days: int = EXPIRY_WARNING_DAYS
):
    """One page of :func:`expiring_vetting`: (Flask-SQLAlchemy pagination, its rows)."""
    from casework.db import db

    pagination = db.paginate(
        _expiring_query(today, days), page=page, per_page=per_page, error_out=False
    )
    return pagination, [_row(v, today, days) for v in pagination.items]


def staff_without_vetting(session) -> int:
    """How many active staff have no police vetting recorded at all."""
    recorded = sa.select(StaffVetting.staff_id).where(StaffVetting.nppv_level.is_not(None))
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Staff)
        .where(Staff.active.is_(True), Staff.id.not_in(recorded))
    )
