"""The scheduler's sweeps. Each is short, idempotent and safe to run twice or late.

The database holds the truth (every obligation is a row with its ``due_at``); a sweep only
reads rows that are due and acts on them, so a missed or repeated run loses and repeats nothing.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from casework.staff import SessionPolicy, StaffSession


def end_expired_sessions(session, *, now: datetime, policy: SessionPolicy) -> int:
    """Close staff sessions past their idle or absolute limit; returns how many were closed."""
    idle = session.execute(
        sa.update(StaffSession)
        .where(StaffSession.ended_at.is_(None), StaffSession.last_seen_at < now - policy.idle)
        .values(ended_at=now, ended_reason="idle_timeout")
    ).rowcount
    absolute = session.execute(
        sa.update(StaffSession)
        .where(StaffSession.ended_at.is_(None), StaffSession.created_at < now - policy.absolute)
        .values(ended_at=now, ended_reason="absolute_timeout")
    ).rowcount
    session.commit()
    return idle + absolute
