"""The Support tab's complaints section: complaints linked to this case, with their outcome.
Everyone who may see the case sees that they exist and how they ended; what a complaint says is
on its own page, for those who manage complaints (spec 9)."""

from __future__ import annotations

from flask_login import current_user

from app.extensions import db
from app.support.routes import section
from casework.support.complaints import can_record_complaint, can_see_complaint, case_complaints
from casework.support.models import COMPLAINT_CHANNELS, COMPLAINT_OUTCOMES


@section("support/_complaints.html")
def complaints(case) -> dict:
    """What the section shows: the case's complaints, and which the viewer may open."""
    found = case_complaints(db.session, case)
    return {
        "complaints": [(c, can_see_complaint(current_user, c)) for c in found],
        "channels": COMPLAINT_CHANNELS,
        "outcomes": COMPLAINT_OUTCOMES,
        "may_record": can_record_complaint(current_user),
    }
