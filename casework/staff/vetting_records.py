"""Recording staff vetting and training (spec 12 and 15): police vetting, the DBS check, the
Force induction and training records, each validated, version-checked and audited."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from casework.audit import Origin, record_event
from casework.db import form_key, made_by_key, made_once
from casework.errors import NotFound, ValidationError
from casework.staff.models import Staff
from casework.staff.vetting import get_vetting, local_today
from casework.staff.vetting_models import StaffVetting, TrainingRecord
from triage.vetting import DBS_LEVELS, NPPV_LEVELS

# No clearance, check or course Waypoint records is older than this, or lasts longer.
OLDEST_YEARS = 30
LONGEST_YEARS = 10
STALE = (
    "Someone else changed this staff member's vetting since you opened the form. "
    "Nothing was saved: check the record and try again."
)


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
    submission_token: str | None = None,
) -> TrainingRecord:
    """Add a completed course to a staff member's training record (spec 15 training plan).
    The same form sent twice (``submission_token``: a double click, a resend) adds one."""
    staff = _staff(session, staff_id)
    key = form_key(f"training:{getattr(actor, 'id', None)}:{staff.id}", submission_token)
    if (added := made_by_key(session, TrainingRecord.submission_key, key)) is not None:
        return added
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

    def add() -> TrainingRecord:
        record = TrainingRecord(
            staff_id=staff.id,
            course=course,
            completed_on=completed_on,
            expires_on=expires_on,
            created_at=now,
            created_by_id=getattr(actor, "id", None),
            submission_key=key,
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

    return made_once(session, TrainingRecord.submission_key, key, add)


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
