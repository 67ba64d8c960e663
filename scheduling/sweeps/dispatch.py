"""Sweep: send the queued SMS and email that are due, each once."""

from casework.messages.dispatch import dispatch_messages as send_due


def dispatch_messages(session, ctx, *, now):
    """Claim and send what is due through the configured senders."""
    return send_due(session, sms=ctx.sms, email=ctx.email, now=now, calendar=ctx.calendar)
