"""The one place that asks "may this caseworker take this case or referral?" when work moves to
them outside allocation: picking up a referral, and a team leader reassigning a case.

Staff vetting (spec 12 and 15) is asked here too: a worker whose vetting is not yet received
does not take a child's or a vulnerable adult's case, and the refusal says why.
"""

from __future__ import annotations

from datetime import datetime

from casework.staff.vetting import refusal_for_case, refusal_for_referral


def refusal_to_take(session, worker, *, now: datetime, referral=None, case=None) -> str | None:
    """Why ``worker`` may not take this referral or case, in words for the person deciding; None
    when they may. An active caseworker of a victim-service team, of the case's own team, with
    their vetting received if the person is a child or a vulnerable adult."""
    if worker is None or worker.role != "caseworker" or not worker.active:
        return "Select an active caseworker"
    if worker.team is None or worker.team.service != "victim":
        return "Only caseworkers of a victim-service team can take victims' cases"
    if case is not None and worker.team_id != case.team_id:
        return "Select a caseworker in the case's team"
    if case is not None:
        return refusal_for_case(session, case, worker, now=now)
    if referral is not None:
        return refusal_for_referral(session, referral, worker, now=now)
    return None
