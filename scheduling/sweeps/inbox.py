"""Sweep: police downloads dropped in the inbox folder."""

from casework.referrals.inbox import import_inbox as import_folder


def import_inbox(session, ctx, *, now):
    """Import every download waiting in the inbox."""
    return import_folder(
        session,
        folder=ctx.inbox,
        calendar=ctx.calendar,
        match_key_limit=ctx.match_key_limit,
        now=now,
    )
