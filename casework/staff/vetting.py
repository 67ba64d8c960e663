"""Recording staff vetting and training, and what it decides (spec 12 and 15).

Admins record police vetting, the DBS check, the Force induction and training records. Nobody
works with children or vulnerable adults until their vetting is received:
:func:`allocation_refusal` is what every allocation (a referral, a case opened or reassigned)
asks before giving such a person to a worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from casework.audit import Origin, record_event
from casework.errors import NotFound, ValidationError
from casework.staff.models import Staff
from casework.staff.vetting_models import StaffVetting, TrainingRecord
from triage.vetting import (
    DBS_LEVELS,
    EXPIRY_WARNING_DAYS,
    NPPV_LEVELS,
    PersonFacts,
    VettingFacts,
    VettingStatus,
    expiry_within,
    format_day,
    required_nppv,
    vetting_needs,
    vetting_status,
)

LONDON = ZoneInfo("Europe/London")
# No clearance, check or course Waypoint records is older than this, or lasts longer.
OLDEST_YEARS = 30
LONGEST_YEARS = 10
STALE = (
    "Someone else changed this staff member's vetting since you opened the form. "
    "Nothing was saved: check the record and try again."
)


def local_today(now: datetime) -> date:
    """The date in the UK at ``now``: vetting counts by UK calendar day."""
    return now.astimezone(LONDON).date()


def get_vetting(session, staff_id: int) -> StaffVetting | None:
    """A staff member's vetting record, if any has been recorded."""
    return session.scalar(sa.select(StaffVetting).where(StaffVetting.staff_id == staff_id))


def facts_of(staff: Staff, vetting: StaffVetting | None) -> VettingFacts:
    """The plain facts the vetting rules read."""
    if vetting is None:
        return VettingFacts(role=staff.role)
    return VettingFacts(
        role=staff.role,
        nppv_level=vetting.nppv_level,
        nppv_granted_on=vetting.nppv_granted_on,
        nppv_expires_on=vetting.nppv_expires_on,
        dbs_level=vetting.dbs_level,
        dbs_issued_on=vetting.dbs_issued_on,
        dbs_recheck_on=vetting.dbs_recheck_on,
    )


def staff_vetting_status(session, staff: Staff, today: date) -> VettingStatus:
    """Whether ``staff``'s vetting is received on ``today``, and why not."""
    return vetting_status(facts_of(staff, get_vetting(session, staff.id)), today)


@dataclass(frozen=True)
class VettingOverview:
    """Everything the staff page shows about one person's vetting and training."""

    staff: Staff
    vetting: StaffVetting | None
    status: VettingStatus
    required_level: str
    training: list[TrainingRecord]
    today: date

    @property
    def version(self) -> int:
        """The vetting record's version a form carries (0 before anything is recorded)."""
        return self.vetting.version if self.vetting else 0


def vetting_overview(session, staff: Staff, today: date) -> VettingOverview:
    """A staff member's vetting, its status on ``today`` and their training, newest first."""
    vetting = get_vetting(session, staff.id)
    training = list(
        session.scalars(
            sa.select(TrainingRecord)
            .where(TrainingRecord.staff_id == staff.id)
            .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
        )
    )
    return VettingOverview(
        staff,
        vetting,
        vetting_status(facts_of(staff, vetting), today),
        NPPV_LEVELS[required_nppv(staff.role)],
        training,
        today,
    )


# --- recording --------------------------------------------------------------------------


def _staff(session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(staff_id)
    return staff


def _check_past(errors: dict, field: str, day: date | None, today: date, what: str) -> None:
    """A date that has happened: required, not in the future, not absurdly long ago."""
    if day is None:
        errors[field] = f"Enter the date {what}"
    elif day > today:
        errors[field] = f"The date {what} must be today or in the past"
    elif day.year < today.year - OLDEST_YEARS:
        errors[field] = f"The date {what} must be within the last {OLDEST_YEARS} years"


def _check_end(
    errors: dict, field: str, end: date | None, start: date | None, what: str, *, required=True
) -> None:
    """An expiry: after its start, and not more than LONGEST_YEARS after it."""
    if end is None:
        if required:
            errors[field] = f"Enter the {what}"
        return
    if start is None:
        return
    if end <= start:
        errors[field] = f"The {what} must be after the date it started"
    elif end.year - start.year > LONGEST_YEARS:
        errors[field] = f"The {what} must be within {LONGEST_YEARS} years of the date it started"


def _row_for_change(session, staff: Staff, version: int | None, now: datetime) -> StaffVetting:
    """The vetting row to change, refusing a form opened before someone else's change."""
    vetting = get_vetting(session, staff.id)
    current = vetting.version if vetting else 0
    if version is None or version != current:
        raise ValidationError({"": STALE})
    if vetting is None:
        vetting = StaffVetting(staff_id=staff.id, created_at=now, updated_at=now)
        session.add(vetting)
    return vetting


def _save(session, staff: Staff, vetting: StaffVetting, action: str, detail, actor, origin, now):
    vetting.updated_at = now
    try:
        session.flush()  # UPDATE ... WHERE version = the one loaded; a concurrent save fails
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise ValidationError({"": STALE}) from None
    record_event(
        session,
        action=action,
        actor=actor,
        origin=origin,
        record_type="staff",
        record_id=staff.id,
        at=now,
        detail=detail,
    )
    session.commit()
    return vetting


def record_police_vetting(
    session,
    staff_id: int,
    *,
    level: str | None,
    granted_on: date | None,
    expires_on: date | None,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> StaffVetting:
    """Record the police vetting level (NPPV 2 or 3) granted, with its dates (spec 15);
    ``version`` is the record's version the form was opened on (0 when none existed)."""
    staff = _staff(session, staff_id)
    today = local_today(now)
    errors: dict[str, str] = {}
    if level not in NPPV_LEVELS:
        errors["level"] = "Select the police vetting level"
    _check_past(errors, "granted_on", granted_on, today, "vetting was granted")
    _check_end(errors, "expires_on", expires_on, granted_on, "expiry date")
    if errors:
        raise ValidationError(errors)
    vetting = _row_for_change(session, staff, version, now)
    vetting.nppv_level, vetting.nppv_granted_on, vetting.nppv_expires_on = (
        level,
        granted_on,
        expires_on,
    )
    detail = {"level": level, "granted_on": granted_on, "expires_on": expires_on}
    return _save(session, staff, vetting, "staff.vetting.police", detail, actor, origin, now)


CERTIFICATE_DIGITS = re.compile(r"^\d{4}$")


def record_dbs_check(
    session,
    staff_id: int,
    *,
    level: str | None,
    issued_on: date | None,
    certificate_last4: str | None,
    recheck_on: date | None,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> StaffVetting:
    """Record a DBS check: its level, issue date, the last four digits of the certificate
    number and the date it must be rechecked by (spec 12)."""
    staff = _staff(session, staff_id)
    today = local_today(now)
    errors: dict[str, str] = {}
    if level not in DBS_LEVELS:
        errors["level"] = "Select the level of the DBS check"
    _check_past(errors, "issued_on", issued_on, today, "the certificate was issued")
    last4 = (certificate_last4 or "").replace(" ", "") or None
    if last4 is not None and not CERTIFICATE_DIGITS.match(last4):
        errors["certificate_last4"] = "Enter the last 4 digits of the certificate number"
    _check_end(errors, "recheck_on", recheck_on, issued_on, "recheck date")
    if errors:
        raise ValidationError(errors)
    vetting = _row_for_change(session, staff, version, now)
    vetting.dbs_level, vetting.dbs_issued_on = level, issued_on
    vetting.dbs_certificate_last4, vetting.dbs_recheck_on = last4, recheck_on
    detail = {"level": level, "issued_on": issued_on, "recheck_on": recheck_on}
    return _save(session, staff, vetting, "staff.vetting.dbs", detail, actor, origin, now)


def record_induction(
    session,
    staff_id: int,
    *,
    completed_on: date | None,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> StaffVetting:
    """Record the day the staff member attended the Force induction (spec 15)."""
    staff = _staff(session, staff_id)
    errors: dict[str, str] = {}
    _check_past(errors, "completed_on", completed_on, local_today(now), "of the induction")
    if errors:
        raise ValidationError(errors)
    vetting = _row_for_change(session, staff, version, now)
    vetting.induction_on = completed_on
    detail = {"completed_on": completed_on}
    return _save(session, staff, vetting, "staff.vetting.induction", detail, actor, origin, now)


def add_training(
    session,
    staff_id: int,
    *,
    course: str | None,
    completed_on: date | None,
    expires_on: date | None,
    actor,
    origin: Origin,
    now: datetime,
) -> TrainingRecord:
    """Add a completed course to a staff member's training record (spec 15 training plan)."""
    staff = _staff(session, staff_id)
    course = " ".join((course or "").split())
    errors: dict[str, str] = {}
    if len(course) < 2:
        errors["course"] = "Enter the name of the course"
    elif len(course) > 200:
        errors["course"] = "The course name must be 200 characters or fewer"
    _check_past(errors, "completed_on", completed_on, local_today(now), "the course was completed")
    _check_end(errors, "expires_on", expires_on, completed_on, "expiry date", required=False)
    if errors:
        raise ValidationError(errors)
    record = TrainingRecord(
        staff_id=staff.id,
        course=course,
        completed_on=completed_on,
        expires_on=expires_on,
        created_at=now,
        created_by_id=getattr(actor, "id", None),
    )
    session.add(record)
    session.flush()
    record_event(
        session,
        action="staff.training.add",
        actor=actor,
        origin=origin,
        record_type="staff",
        record_id=staff.id,
        at=now,
        detail={"training_id": record.id, "course": course, "completed_on": completed_on},
    )
    session.commit()
    return record


def remove_training(
    session, staff_id: int, training_id: int, *, actor, origin: Origin, now: datetime
) -> TrainingRecord:
    """Remove a training record entered in error (audited with what it said)."""
    record = session.get(TrainingRecord, training_id)
    if record is None or record.staff_id != staff_id:
        raise NotFound(training_id)
    session.delete(record)
    record_event(
        session,
        action="staff.training.remove",
        actor=actor,
        origin=origin,
        record_type="staff",
        record_id=staff_id,
        at=now,
        detail={
            "training_id": training_id,
            "course": record.course,
            "completed_on": record.completed_on,
        },
    )
    session.commit()
    return record


# --- what vetting decides ---------------------------------------------------------------


def referral_vetting_needs(referral, today: date) -> tuple[str, ...]:
    """Why a referral's person needs vetted staff (under 18, vulnerable), or empty."""
    return vetting_needs(
        PersonFacts(
            date_of_birth=referral.date_of_birth,
            occurred_on=referral.occurred_on,
            under_18_at_offence=bool(referral.children_and_young_people),
            flags=frozenset(referral.flags or ()),
            priority_reasons=tuple(referral.priority_reasons or ()),
        ),
        today,
    )


def case_vetting_needs(case, today: date) -> tuple[str, ...]:
    """Why a case's person needs vetted staff: any of the case's referrals shows it."""
    needs: list[str] = []
    for referral in case.referrals:
        for need in referral_vetting_needs(referral, today):
            if need not in needs:
                needs.append(need)
    return tuple(needs)


def vetting_received_ids(session, staff: list[Staff], today: date) -> set[int]:
    """Of ``staff``, the ids whose vetting is received on ``today`` (one query)."""
    ids = [s.id for s in staff]
    if not ids:
        return set()
    rows = {
        v.staff_id: v
        for v in session.scalars(sa.select(StaffVetting).where(StaffVetting.staff_id.in_(ids)))
    }
    return {s.id for s in staff if vetting_status(facts_of(s, rows.get(s.id)), today).received}


def allocation_refusal(
    session, staff: Staff, *, needs_vetting: bool, today: date, needs: tuple[str, ...] = ()
) -> str | None:
    """Why ``staff`` may not be given this person, in words, or None when they may.

    ``needs_vetting`` says the person is a child or a vulnerable adult (see
    :func:`referral_vetting_needs` and :func:`case_vetting_needs`; ``needs`` may pass those
    reasons to name them). Nobody works with them until their vetting is received (spec 12).
    """
    if not needs_vetting:
        return None
    status = staff_vetting_status(session, staff, today)
    if status.received:
        return None
    person = f"this person ({' and '.join(needs)})" if needs else "children or vulnerable adults"
    return (
        f"{staff.name} cannot work with {person} until their vetting is received: "
        + "; ".join(status.reasons)
        + "."
    )


def refusal_for_referral(session, referral, staff: Staff, *, now: datetime) -> str | None:
    """Why ``staff`` may not be given this referral's person (staff vetting), or None."""
    today = local_today(now)
    needs = referral_vetting_needs(referral, today)
    return allocation_refusal(session, staff, needs_vetting=bool(needs), today=today, needs=needs)


def refusal_for_case(session, case, staff: Staff, *, now: datetime) -> str | None:
    """Why ``staff`` may not be this case's caseworker (staff vetting), or None: what a
    reassignment asks before changing anything."""
    today = local_today(now)
    needs = case_vetting_needs(case, today)
    return allocation_refusal(session, staff, needs_vetting=bool(needs), today=today, needs=needs)


# --- expiring -----------------------------------------------------------------------------


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
    from datetime import timedelta

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
