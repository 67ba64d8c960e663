"""Staff accounts and teams as administrators manage them: create, edit, set a password,
(de)activate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from casework.audit import Origin, record_event
from casework.errors import NotFound, ValidationError
from casework.staff import passwords
from casework.staff.models import ROLES, SERVICES, SPECIALISMS, Staff, StaffSession, Team

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class StaffDetails:
    """What an admin enters for a staff member."""

    email: str
    name: str
    role: str
    team_id: int | None = None
    specialisms: tuple[str, ...] = ()
    npa: str | None = None
    gender: str | None = None
    languages: tuple[str, ...] = ()


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _validate_details(session, details: StaffDetails, staff_id: int | None) -> StaffDetails:
    errors: dict[str, str] = {}
    email = (details.email or "").strip().lower()
    name = (details.name or "").strip()
    if not EMAIL_PATTERN.match(email):
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    elif session.scalar(
        sa.select(Staff.id).where(Staff.email == email, Staff.id != (staff_id or 0))
    ):
        errors["email"] = "A staff account with this email address already exists"
    if not name:
        errors["name"] = "Enter the staff member's full name"
    elif len(name) > 120:
        errors["name"] = "Name must be 120 characters or fewer"
    if details.role not in ROLES:
        errors["role"] = "Select a role"
    if details.team_id is not None and session.get(Team, details.team_id) is None:
        errors["team_id"] = "Select a team that exists"
    unknown = [s for s in details.specialisms if s not in SPECIALISMS]
    if unknown:
        errors["specialisms"] = "Select specialisms from the list"
    if errors:
        raise ValidationError(errors)
    return StaffDetails(
        email=email,
        name=name,
        role=details.role,
        team_id=details.team_id,
        specialisms=tuple(dict.fromkeys(details.specialisms)),
        npa=_clean(details.npa),
        gender=_clean(details.gender),
        languages=tuple(x.strip() for x in details.languages if x.strip()),
    )


def _apply(staff: Staff, details: StaffDetails) -> dict:
    changes = {}
    for field in ("email", "name", "role", "team_id", "npa", "gender"):
        new = getattr(details, field)
        if getattr(staff, field) != new:
            changes[field] = new
            setattr(staff, field, new)
    for field in ("specialisms", "languages"):
        new = list(getattr(details, field))
        if list(getattr(staff, field) or []) != new:
            changes[field] = new
            setattr(staff, field, new)
    return changes


def create_team(session, *, name: str, service: str, actor, origin: Origin, now: datetime) -> Team:
    """Add a team of the victim service or the HSB line."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Enter the team's name"
    elif session.scalar(sa.select(Team.id).where(sa.func.lower(Team.name) == name.lower())):
        errors["name"] = "A team with this name already exists"
    if service not in SERVICES:
        errors["service"] = "Select the service the team works in"
    if errors:
        raise ValidationError(errors)
    team = Team(name=name, service=service, created_at=now)
    session.add(team)
    session.flush()
    record_event(
        session,
        action="team.create",
        actor=actor,
        origin=origin,
        record_type="team",
        record_id=team.id,
        detail={"name": name, "service": service},
        at=now,
    )
    session.commit()
    return team


def create_staff(
    session, details: StaffDetails, *, password: str, actor, origin: Origin, now: datetime
) -> Staff:
    """Add a staff account. Refuses a duplicate email, an unknown role or a weak password."""
    clean = _validate_details(session, details, None)
    problem = passwords.password_problem(password or "")
    if problem:
        raise ValidationError({"password": problem})
    staff = Staff(
        password_hash=passwords.hash_password(password),
        active=True,
        failed_logins=0,
        created_at=now,
        updated_at=now,
        specialisms=[],
        languages=[],
    )
    _apply(staff, clean)
    session.add(staff)
    session.flush()
    record_event(
        session,
        action="staff.create",
        actor=actor,
        origin=origin,
        record_type="staff",
        record_id=staff.id,
        detail={"email": staff.email, "role": staff.role},
        at=now,
    )
    session.commit()
    return staff


def update_staff(
    session, staff_id: int, details: StaffDetails, *, actor, origin: Origin, now: datetime
) -> Staff:
    """Change a staff member's details; records which fields changed."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(staff_id)
    clean = _validate_details(session, details, staff_id)
    changes = _apply(staff, clean)
    if changes:
        staff.updated_at = now
        record_event(
            session,
            action="staff.update",
            actor=actor,
            origin=origin,
            record_type="staff",
            record_id=staff.id,
            detail={"changed": sorted(changes)},
            at=now,
        )
        session.commit()
    return staff


def set_password(session, staff_id: int, password: str, *, actor, origin: Origin, now: datetime):
    """Give a staff member a new password; every session they have is ended."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(staff_id)
    problem = passwords.password_problem(password or "")
    if problem:
        raise ValidationError({"password": problem})
    staff.password_hash = passwords.hash_password(password)
    staff.failed_logins = 0
    staff.locked_until = None
    staff.updated_at = now
    end_all_sessions(session, staff.id, "password_changed", now)
    audit_staff_event(session, "staff.password_set", staff, actor=actor, origin=origin, now=now)
    session.commit()
    return staff


def set_staff_active(
    session, staff_id: int, active: bool, *, actor, origin: Origin, now: datetime
) -> Staff:
    """Deactivate (ending every session at once) or reactivate a staff account."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(staff_id)
    if actor is not None and actor.id == staff.id and not active:
        raise ValidationError({"active": "You cannot deactivate your own account"})
    if staff.active == active:
        return staff
    staff.active = active
    staff.updated_at = now
    if not active:
        end_all_sessions(session, staff.id, "deactivated", now)
    else:
        staff.failed_logins = 0
        staff.locked_until = None
    record_event(
        session,
        action="staff.activate" if active else "staff.deactivate",
        actor=actor,
        origin=origin,
        record_type="staff",
        record_id=staff.id,
        at=now,
    )
    session.commit()
    return staff


def audit_staff_event(session, action: str, staff: Staff, *, actor, origin: Origin, now: datetime):
    """An audit row about a staff account."""
    record_event(
        session,
        action=action,
        actor=actor,
        origin=origin,
        record_type="staff",
        record_id=staff.id,
        at=now,
    )


def end_all_sessions(session, staff_id: int, reason: str, now: datetime) -> None:
    """End every signed-in session of a staff member (deactivation, new password, reset)."""
    session.execute(
        sa.update(StaffSession)
        .where(StaffSession.staff_id == staff_id, StaffSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
    )
