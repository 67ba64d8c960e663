"""Signing in and out: passwords, lockout, the second step, and server-side sessions with idle and
absolute limits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casework.audit import Origin, record_event
from casework.staff import passwords, totp
from casework.staff.accounts import audit_staff_event
from casework.staff.models import Staff, StaffSession
from casework.staff.sealed import SecretBox, Unreadable


@dataclass(frozen=True)
class SessionPolicy:
    """How long a signed-in session may be idle or last, and when failures lock an account."""

    idle: timedelta
    absolute: timedelta
    max_failures: int
    lockout: timedelta

    @classmethod
    def from_settings(cls, settings) -> SessionPolicy:
        """The policy the settings give (SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS,
        LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_MINUTES), for the web and the scheduler alike."""
        return cls(
            idle=timedelta(minutes=settings["SESSION_IDLE_MINUTES"]),
            absolute=timedelta(hours=settings["SESSION_ABSOLUTE_HOURS"]),
            max_failures=settings["LOGIN_MAX_FAILURES"],
            lockout=timedelta(minutes=settings["LOGIN_LOCKOUT_MINUTES"]),
        )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
        audit_staff_event(
            session, "auth.password_accepted", staff, actor=staff, origin=origin, now=now
        )
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
    audit_staff_event(session, "auth.sign_in", staff, actor=staff, origin=origin, now=now)
    session.commit()
    staff.session_token = token
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
    audit_staff_event(session, "auth.sign_out", staff, actor=staff, origin=origin, now=now)
    session.commit()
    staff.session_token = None


# Asked every minute, so built once: building a statement costs more than running it.
_IDLE = (StaffSession.ended_at.is_(None), StaffSession.last_seen_at < sa.bindparam("idle_since"))
_TOO_OLD = (
    StaffSession.ended_at.is_(None),
    StaffSession.created_at < sa.bindparam("started_before"),
)
_ANY_EXPIRED = sa.select(sa.or_(sa.exists().where(*_IDLE), sa.exists().where(*_TOO_OLD)))


def end_expired_sessions(session, *, now: datetime, policy: SessionPolicy) -> int:
    """Close staff sessions past their idle or absolute limit; returns how many were closed."""
    limits = {"idle_since": now - policy.idle, "started_before": now - policy.absolute}
    if not session.scalar(_ANY_EXPIRED, limits):
        session.commit()
        return 0
    idle = session.execute(
        sa.update(StaffSession)
        .where(*_IDLE)
        .values(ended_at=now, ended_reason="idle_timeout")
        .execution_options(synchronize_session=False),
        limits,
    ).rowcount
    absolute = session.execute(
        sa.update(StaffSession)
        .where(*_TOO_OLD)
        .values(ended_at=now, ended_reason="absolute_timeout")
        .execution_options(synchronize_session=False),
        limits,
    ).rowcount
    session.commit()
    return idle + absolute
