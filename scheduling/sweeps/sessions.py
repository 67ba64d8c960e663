"""Sweep: staff sessions past their idle or absolute limit end."""

from casework.staff.sign_in import end_expired_sessions as end_expired


def end_expired_sessions(session, ctx, *, now):
    """End expired staff sessions."""
    return end_expired(session, now=now, policy=ctx.session_policy)
