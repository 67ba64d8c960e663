"""Staff, their teams and their signed-in sessions, and the services that change them."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from casework import passwords, totp
from casework.audit import Origin, record_event
from casework.db import UTCDateTime, db
from casework.errors import NotFound, ValidationError
from casework.sealed import SecretBox, Unreadable

ROLES = {
    "caseworker": "Caseworker",
    "team_leader": "Team leader",
    "hsb_advisor": "HSB advisor",
    "analyst": "Analyst",
    "admin": "Administrator",
}

SPECIALISMS = {
    "children_young_people": "Children and young people",
    "restorative_justice": "Restorative justice",
    "hate_crime": "Hate crime",
    "domestic_abuse": "Domestic abuse",
    "sexual_violence": "Sexual violence",
    "fraud_cyber": "Fraud and cyber crime",
    "bereaved": "Bereaved by crime",
    "mental_health": "Mental health",
}

SERVICES = {"victim": "Victim service", "hsb": "HSB advice line"}

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Team(db.Model):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    service: Mapped[str] = mapped_column(sa.String(16), default="victim")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    members: Mapped[list[Staff]] = relationship(back_populates="team")


class Staff(db.Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(20), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"), index=True)
    specialisms: Mapped[list] = mapped_column(sa.JSON, default=list)
    npa: Mapped[str | None] = mapped_column(sa.String(100))
    gender: Mapped[str | None] = mapped_column(sa.String(20))
    languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-step verification (casework/totp.py): the shared secret, when it was turned on, and
    # the last time step used, so no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))  # sealed (casework.sealed)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    team: Mapped[Team | None] = relationship(back_populates="members")

    @property
    def two_step_on(self) -> bool:
        return self.totp_enabled_at is not None

    # Flask-Login protocol. The id Flask-Login keeps in the cookie is the session token,
    # not the staff id, so ending the session server-side really signs the person out.
    session_token = None

    @property
    def is_authenticated(self) -> bool:
        return self.session_token is not None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def specialism_labels(self) -> list[str]:
        return [SPECIALISMS.get(s, s) for s in self.specialisms or []]


class StaffSession(db.Model):
    """One signed-in browser. Only a hash of its token is stored."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(sa.String(32))
    ip: Mapped[str | None] = mapped_column(sa.String(64))

    staff: Mapped[Staff] = relationship()

    # The scheduler ends idle and expired sessions every minute: it reads open ones only.
    __table_args__ = (sa.Index("ix_staff_session_open", "ended_at", "last_seen_at"),)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta
    max_failures: int
    lockout: timedelta


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


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
    _end_all_sessions(session, staff.id, "password_changed", now)
    _staff_event(session, "staff.password_set", staff, actor=actor, origin=origin, now=now)
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
        _end_all_sessions(session, staff.id, "deactivated", now)
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


def _staff_event(session, action: str, staff: Staff, *, actor, origin: Origin, now: datetime):
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


def _end_all_sessions(session, staff_id: int, reason: str, now: datetime) -> None:
    session.execute(
        sa.update(StaffSession)
        .where(StaffSession.staff_id == staff_id, StaffSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
    )


SECOND_STEP = "second_step"


def _count_failure(session, staff: Staff, *, policy: SessionPolicy, origin: Origin, now: datetime):
    """A wrong password or code: enough of them in a row lock the account for a while."""
    staff.failed_logins = (staff.failed_logins or 0) + 1
    if staff.failed_logins >= policy.max_failures:
        staff.locked_until = now + policy.lockout
        staff.failed_logins = 0
        record_event(
            session,
            action="auth.lockout",
            actor=staff,
            origin=origin,
            record_type="staff",
            record_id=staff.id,
            at=now,
            detail={"until": staff.locked_until.isoformat()},
        )


def _refuse_sign_in(session, staff, email, reason: str, *, origin: Origin, now: datetime):
    record_event(
        session,
        action="auth.sign_in",
        outcome="failed",
        actor=staff,
        actor_email=(email or "")[:254] or None,
        origin=origin,
        at=now,
        detail={"reason": reason},
    )
    session.commit()
    return None, reason


def authenticate(
    session, email: str, password: str, *, origin: Origin, now: datetime, policy: SessionPolicy
) -> tuple[Staff | None, str | None]:
    """Check a sign-in's email and password.

    Returns the staff member with a fresh ``session_token`` set; or, when they use two-step
    verification, the staff member with no session yet and ``SECOND_STEP`` (call
    :func:`verify_second_step` with their code); or ``None`` and the reason (kept for the audit
    trail only: the person is always told the same thing).
    """
    email = (email or "").strip().lower()
    staff = session.scalar(sa.select(Staff).where(Staff.email == email)) if email else None
    password_ok = passwords.verify_password(staff.password_hash if staff else None, password or "")
    reason = None
    if staff is None:
        reason = "unknown_user"
    elif not staff.active:
        reason = "inactive"
    elif staff.locked_until is not None and staff.locked_until > now:
        reason = "locked"
    elif not password_ok:
        reason = "bad_password"
        _count_failure(session, staff, policy=policy, origin=origin, now=now)
    if reason:
        return _refuse_sign_in(session, staff, email, reason, origin=origin, now=now)
    if staff.two_step_on:
        _staff_event(session, "auth.password_accepted", staff, actor=staff, origin=origin, now=now)
        session.commit()
        return staff, SECOND_STEP
    return _start_session(session, staff, origin=origin, now=now), None


def verify_second_step(
    session,
    staff_id: int,
    code: str,
    *,
    box: SecretBox,
    origin: Origin,
    now: datetime,
    policy: SessionPolicy,
) -> tuple[Staff | None, str | None]:
    """The code from the authenticator app, after the password: start the session, or return
    ``None`` and the reason. Wrong codes count towards the lockout like wrong passwords.
    ``box`` opens the stored key (sealed under the TWO_STEP_KEY setting)."""
    staff = session.get(Staff, staff_id)
    reason, step = None, None
    if staff is None or not staff.active:
        reason = "inactive"
    elif staff.locked_until is not None and staff.locked_until > now:
        reason = "locked"
    elif not staff.two_step_on:
        reason = "two_step_reset"
    else:
        try:
            secret = box.open(staff.totp_secret)
        except Unreadable:  # the key setting changed: an administrator must reset it
            reason = "two_step_key_unreadable"
        else:
            step = totp.matching_step(secret, code, now, after=staff.totp_last_step)
            if step is None:
                reason = "bad_code"
                _count_failure(session, staff, policy=policy, origin=origin, now=now)
    if reason:
        return _refuse_sign_in(
            session, staff, staff.email if staff else None, reason, origin=origin, now=now
        )
    staff.totp_last_step = step
    return _start_session(session, staff, origin=origin, now=now), None


def _start_session(session, staff: Staff, *, origin: Origin, now: datetime) -> Staff:
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            staff_id=staff.id,
            token_hash=_hash_token(token),
            created_at=now,
            last_seen_at=now,
            ip=origin.ip and origin.ip[:64],
        )
    )
    _staff_event(session, "auth.sign_in", staff, actor=staff, origin=origin, now=now)
    session.commit()
    staff.session_token = token
    return staff


def turn_on_two_step(
    session, staff_id: int, secret: str, code: str, *, box: SecretBox, origin: Origin, now: datetime
) -> None:
    """Turn on two-step verification once the person proves their app shows the right code;
    the key is stored sealed by ``box``."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(staff_id)
    if staff.two_step_on:
        raise ValidationError({"code": "Two-step verification is already on"})
    step = totp.matching_step(secret, code, now)
    if step is None:
        raise ValidationError(
            {"code": "Enter the 6-digit code your authenticator app shows now for Waypoint"}
        )
    staff.totp_secret, staff.totp_enabled_at = box.seal(secret), now
    staff.totp_last_step = step
    staff.updated_at = now
    _staff_event(session, "auth.two_step_on", staff, actor=staff, origin=origin, now=now)
    session.commit()


def reset_two_step(session, staff_id: int, *, actor, origin: Origin, now: datetime) -> Staff:
    """An administrator clears someone's two-step verification (a lost or replaced phone).
    Their sessions end; they set it up again when they next sign in."""
    staff = session.get(Staff, staff_id)
    if staff is None or actor.role != "admin":
        raise NotFound(staff_id)
    staff.totp_secret = staff.totp_enabled_at = staff.totp_last_step = None
    staff.updated_at = now
    _end_all_sessions(session, staff.id, "two_step_reset", now)
    _staff_event(session, "auth.two_step_reset", staff, actor=actor, origin=origin, now=now)
    session.commit()
    return staff


# Run on every signed-in request, so built once, with the staff member in the same query.
_SESSION_BY_TOKEN = (
    sa.select(StaffSession)
    .where(StaffSession.token_hash == sa.bindparam("token_hash"))
    .options(joinedload(StaffSession.staff))
)


def load_session(
    session, token: str, *, now: datetime, policy: SessionPolicy, origin: Origin = Origin()
) -> Staff | None:
    """The staff member behind a session token, or None when it is unknown, ended or expired."""
    if not token:
        return None
    row = session.scalar(_SESSION_BY_TOKEN, {"token_hash": _hash_token(token)})
    if row is None or row.ended_at is not None:
        # A cookie for a session that was signed out, expired or never existed here:
        # somebody may be replaying a copied cookie.
        record_event(
            session,
            action="auth.session_rejected",
            outcome="failed",
            actor=row.staff if row else None,
            origin=origin,
            at=now,
            detail={"reason": row.ended_reason if row else "unknown_session"},
        )
        session.commit()
        return None
    expired = None
    if now - row.last_seen_at > policy.idle:
        expired = "idle_timeout"
    elif now - row.created_at > policy.absolute:
        expired = "absolute_timeout"
    elif not row.staff.active:
        expired = "deactivated"
    if expired:
        row.ended_at = now
        row.ended_reason = expired
        record_event(
            session,
            action="auth.session_expired",
            actor=row.staff,
            origin=origin,
            at=now,
            detail={"reason": expired},
        )
        session.commit()
        return None
    # Write the last-seen time at most once a minute, not on every request.
    if now - row.last_seen_at > timedelta(seconds=60):
        row.last_seen_at = now
        session.commit()
    staff = row.staff
    staff.session_token = token
    return staff


def sign_out(session, staff: Staff, *, origin: Origin, now: datetime) -> None:
    """End this browser's session server-side, so a copied cookie stops working too."""
    if staff.session_token:
        session.execute(
            sa.update(StaffSession)
            .where(
                StaffSession.token_hash == _hash_token(staff.session_token),
                StaffSession.ended_at.is_(None),
            )
            .values(ended_at=now, ended_reason="signed_out")
        )
    _staff_event(session, "auth.sign_out", staff, actor=staff, origin=origin, now=now)
    session.commit()
    staff.session_token = None
