"""Sweep: the D2 initial message, D3 home-visit offer and D1b final letter, queued once."""

from casework.messages.contact_messages import queue_contact_messages as queue_due
from scheduling.messaging.content import DEFAULT_LETTERS


def queue_contact_messages(session, ctx, *, now):
    """Queue every contact message an open obligation asks for and has not got."""
    return queue_due(
        session,
        wording=ctx.wording,
        calendar=ctx.calendar,
        default_letters=DEFAULT_LETTERS,
        now=now,
    )
