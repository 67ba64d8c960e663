"""Sweep: people past the retention period are anonymised, and so are the professionals on
the HSB line's advice contacts past the line's own retention years (a setting)."""

from casework.audit import Origin
from casework.hsb.retention import anonymise_expired_contacts
from casework.people.retention import anonymise_expired as anonymise


def anonymise_expired(session, ctx, *, now):
    """Remove the personal details of everyone past RETENTION_YEARS, and of professionals
    whose advice contacts are past the line's retention years: how many referrals and advice
    contacts were anonymised, together."""
    origin = Origin.command_line("scheduler")
    referrals = anonymise(session, now=now, years=ctx.retention_years, origin=origin)
    return referrals + anonymise_expired_contacts(session, now=now, origin=origin)
