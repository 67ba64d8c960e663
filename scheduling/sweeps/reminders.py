"""Sweep: SMS reminders of booked appointments, the service day before."""

from casework.messages.reminders import queue_reminders as queue_due


def queue_reminders(session, ctx, *, now):
    """Queue today's appointment reminders."""
    return queue_due(session, wording=ctx.wording, calendar=ctx.calendar, now=now)
