"""Two-step verification for staff: turning it on with a code from their app, and an
administrator's reset.
"""

from __future__ import annotations

from datetime import datetime

from casework.audit import Origin
from casework.errors import NotFound, ValidationError
from casework.staff import totp
from casework.staff.accounts import audit_staff_event, end_all_sessions
from casework.staff.models import Staff
from casework.staff.sealed import SecretBox


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
    audit_staff_event(session, "auth.two_step_on", staff, actor=staff, origin=origin, now=now)
    session.commit()


def reset_two_step(session, staff_id: int, *, actor, origin: Origin, now: datetime) -> Staff:
    """An administrator clears someone's two-step verification (a lost or replaced phone).
    Their sessions end; they set it up again when they next sign in."""
    staff = session.get(Staff, staff_id)
    if staff is None or actor.role != "admin":
        raise NotFound(staff_id)
    staff.totp_secret = staff.totp_enabled_at = staff.totp_last_step = None
    staff.updated_at = now
    end_all_sessions(session, staff.id, "two_step_reset", now)
    audit_staff_event(session, "auth.two_step_reset", staff, actor=actor, origin=origin, now=now)
    session.commit()
    return staff
