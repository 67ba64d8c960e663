"""The one place that asks "may this caseworker take this case or referral?" when work moves to
them outside allocation: picking up a referral, and a team leader reassigning a case.

Staff vetting (issue 12, part 6) plugs in here: a worker whose vetting is not yet received must
not take a child's or a vulnerable adult's case, and the refusal says why.
"""

from __future__ import annotations


def refusal_to_take(session, worker, *, referral=None, case=None) -> str | None:
    """Why ``worker`` may not take this referral or case, in words for the person deciding; None
    when they may. An active caseworker of a victim-service team, of the case's own team."""
    if worker is None or worker.role != "caseworker" or not worker.active:
        return "Select an active caseworker"
    if worker.team is None or worker.team.service != "victim":
        return "Only caseworkers of a victim-service team can take victims' cases"
    if case is not None and worker.team_id != case.team_id:
        return "Select a caseworker in the case's team"
    return None
