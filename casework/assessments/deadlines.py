"""What a complete needs assessment does to a case's deadlines (DESIGN.md D4 and D6), through
the obligation lifecycle and nothing else.

A complete assessment meets the case's open needs assessment (D4): on time when it was held on
or before D4's due day, late (counted as breached) after. It meets any open reassessment (D6)
the same way, and the next reassessment falls due 182 days after the latest complete assessment
(triage.reassessment.reassessment_due).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from casework.assessments.models import NeedsAssessment
from casework.obligations import lifecycle
from triage.deadlines import DueObligation
from triage.reassessment import reassessment_due

MET_BY_ASSESSMENT = ("needs_assessment", "reassessment")


def _unmet(obligation) -> bool:
    return obligation.met_at is None and obligation.status in ("due", "breached")


def meet_deadlines(
    session, case, assessment: NeedsAssessment, *, now: datetime, calendar
) -> dict[str, str]:
    """Meet the case's open D4 and D6 with this complete assessment and set the next D6.
    Returns what was met and whether on time (``{"needs_assessment": "on time"}``)."""
    met = {}
    for obligation in list(case.obligations):
        if obligation.kind in MET_BY_ASSESSMENT and _unmet(obligation):
            late = assessment.held_on > calendar.local_date(obligation.due_at)
            if lifecycle.meet(session, obligation, now, late=late):
                met[obligation.kind] = "late" if late else "on time"
    reschedule_reassessment(session, case, now=now, calendar=calendar)
    return met


def latest_held_on(session, case_id: int):
    """The day the case's most recent complete assessment was held, or None."""
    return session.scalar(
        sa.select(sa.func.max(NeedsAssessment.held_on)).where(
            NeedsAssessment.case_id == case_id, NeedsAssessment.status == "complete"
        )
    )


def reschedule_reassessment(session, case, *, now: datetime, calendar, reopened: bool = False):
    """(Re)create the case's open reassessment (D6) from its latest complete assessment: due
    182 days after it was held (for a case just ``reopened`` past that day, 5 working days from
    now). An open one due at another time is cancelled and replaced; a case never assessed, or
    closed, owes none. Returns the open D6 obligation, or None. Call it when a case is reopened,
    and after anything that changes its latest assessment."""
    session.flush()
    held_on = latest_held_on(session, case.id)
    open_ones = [o for o in case.obligations if o.kind == "reassessment" and _unmet(o)]
    if held_on is None or case.status != "open":
        return None
    due_at = reassessment_due(
        held_on, calendar, reopened_on=calendar.local_date(now) if reopened else None
    )
    keep = next((o for o in open_ones if o.due_at == due_at and o.status == "due"), None)
    for obligation in open_ones:
        if obligation is not keep and obligation.status == "due":
            lifecycle.cancel(session, obligation, now)
    if keep is not None:
        return keep
    return lifecycle.add(
        session, case, DueObligation("reassessment", "appointment", due_at), now, unique=False
    )
