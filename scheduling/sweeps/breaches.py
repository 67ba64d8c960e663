"""Sweep: deadlines passed unmet are breached once, and the team leaders told."""

from casework.obligations.breaches import mark_breaches as breach_and_alert


def mark_breaches(session, ctx, *, now):
    """Mark what is overdue as breached and queue the alert emails."""
    return breach_and_alert(session, wording=ctx.wording, tz=ctx.calendar.tz, now=now)
