"""Target hardening (Lot 2): what follows when a referral to the contractor is made, and what the
contractor reports back (attendance, service level, items and cost, refusal, satisfaction, the
12-month follow-up, an additional need fed back with consent)."""

from __future__ import annotations

from datetime import datetime

from casework.obligations import lifecycle
from casework.onward.models import OnwardReferral
from triage.onward import th_attendance_due


def on_referral_made(session, referral: OnwardReferral, *, calendar, now: datetime) -> None:
    """A target-hardening referral was made (emailed or phoned): the case owes D7, the
    contractor's visit (5 working days; an emergency within 4 hours of the call)."""
    details = referral.target_hardening
    made_at = (
        details.phoned_at
        if details.urgency == "emergency" and details.phoned_at
        else (referral.made_at)
    )
    due = th_attendance_due(made_at, details.urgency, calendar)
    lifecycle.add(session, referral.case, due, now, unique=False)
