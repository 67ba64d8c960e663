"""Sweep: police downloads uploaded through the web page."""

from casework.referrals.import_jobs import import_uploads as import_uploaded


def import_uploads(session, ctx, *, now):
    """Fail stuck import jobs, then import the queued ones, one at a time."""
    return import_uploaded(
        session,
        calendar=ctx.calendar,
        stuck_after=ctx.import_job_stuck,
        match_key_limit=ctx.match_key_limit,
        now=now,
    )
