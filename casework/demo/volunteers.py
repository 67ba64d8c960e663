"""``demo seed``'s volunteer (spec 3.12 and 10): the demo volunteer, vetted like every demo
account, befriends the person of the City team's longest-running open case, and that case's
plan for reducing support names them."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from casework.audit import Origin
from casework.cases.models import Case
from casework.plans.resilience import record_resilience_plan
from casework.staff.models import Staff
from casework.support.models import CaseVolunteer
from casework.support.volunteers import assign_volunteer

DEMO_VOLUNTEER = "val.volunteer@waypoint.example"


def seed_demo_volunteers(session, now: datetime) -> dict[str, int]:
    """Assign the demo volunteer to their team's longest-running open case (through the real
    services, by the case's caseworker) and record the case's plan for reducing support naming
    them. Added once: nothing when the volunteer has ever been assigned, or is not there."""
    volunteer = session.scalar(sa.select(Staff).where(Staff.email == DEMO_VOLUNTEER))
    if volunteer is None or session.scalar(
        sa.select(CaseVolunteer.id).where(CaseVolunteer.volunteer_id == volunteer.id).limit(1)
    ):
        return {}
    case = session.scalar(
        sa.select(Case)
        .where(
            Case.status == "open",
            Case.team_id == volunteer.team_id,
            Case.caseworker_id.is_not(None),
        )
        .order_by(Case.opened_at, Case.id)
        .limit(1)
    )
    if case is None:
        return {}
    origin = Origin.command_line("demo seed")
    worker = case.caseworker
    # A few days ago, after the case opened: the volunteer has been calling for a while.
    assigned = max(case.opened_at, now - timedelta(days=12))
    assign_volunteer(
        session,
        case.id,
        volunteer.id,
        "Weekly befriending calls, and going along to the first group session",
        actor=worker,
        origin=origin,
        now=assigned,
    )
    record_resilience_plan(
        session,
        case.id,
        plan=(
            "Weekly calls from the caseworker for the next month, then fortnightly; the "
            "volunteer keeps up weekly befriending calls as the caseworker steps back."
        ),
        volunteer="Weekly befriending calls until the person feels ready to stop.",
        volunteer_id=volunteer.id,
        actor=worker,
        origin=origin,
        now=now,
    )
    return {"on a case": 1}
