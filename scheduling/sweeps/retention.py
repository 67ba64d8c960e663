"""Sweep: people past the retention period are anonymised."""

from casework.audit import Origin
from casework.people.retention import anonymise_expired as anonymise


def anonymise_expired(session, ctx, *, now):
    """Remove the personal details of everyone past RETENTION_YEARS."""
    return anonymise(
        session, now=now, years=ctx.retention_years, origin=Origin.command_line("scheduler")
    )
