"""The Support tab's group sessions section: the sessions this case's young person attended,
with a link to the team's group sessions; for an adult, that group sessions are for young
people (spec 3.8)."""

from __future__ import annotations

from app.extensions import db
from app.support.routes import section
from casework.db import utcnow
from casework.staff.vetting import local_today
from casework.support.groups import YOUNG_UNDER, sessions_attended, young_on


@section("support/_groups.html")
def group_sessions(case) -> dict:
    """What the section shows: the sessions attended, and whether the person is young."""
    return {
        "attended": sessions_attended(db.session, case),
        "young": young_on(case.person, local_today(utcnow())),
        "born_known": case.person.date_of_birth is not None,
        "under": YOUNG_UNDER,
    }
