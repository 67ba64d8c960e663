"""Sweep: messages left mid-send by a crash are flagged for a person, never resent."""

from casework.messages.dispatch import flag_stuck_messages as flag_stuck


def flag_stuck_messages(session, ctx, *, now):
    """Flag messages stuck in 'sending'."""
    return flag_stuck(session, now=now)
