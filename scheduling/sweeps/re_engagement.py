"""Sweep: re-engagement prompts the working day before a key date (D9)."""

from casework.obligations.re_engagement import queue_re_engagement_prompts as queue_due


def queue_re_engagement_prompts(session, ctx, *, now):
    """Queue today's re-engagement prompts to caseworkers."""
    return queue_due(session, wording=ctx.wording, calendar=ctx.calendar, now=now)
