"""A team's caseload settings: whether its caseworkers may pick up unallocated referrals
themselves, how often support plans are reviewed (D10), and whether a team leader approves every
case closure. Set by the team's leader or an admin, audited with each value's from and to, a
stale form refused."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from casework.access import is_admin, refuse
from casework.audit import Origin, record_event
from casework.caseloads.models import TeamCaseloadSetting
from casework.errors import ValidationError
from casework.staff.models import Team
from triage.plans import review_days_problem

STALE = "Someone else changed these settings while you were editing. Check them and try again."


def can_manage_team_settings(viewer, team) -> bool:
    """A team's settings are its team leader's to change, or an admin's."""
    if viewer is None or team is None:
        return False
    if is_admin(viewer):
        return True
    return viewer.role == "team_leader" and viewer.team_id is not None and viewer.team_id == team.id


# Read on every team view and many case changes: built once (session.get builds its query each
# time, which cost more than running it).
_SETTINGS = sa.select(TeamCaseloadSetting).where(
    TeamCaseloadSetting.team_id == sa.bindparam("team_id")
)


def team_settings(session, team_id: int | None) -> TeamCaseloadSetting:
    """The team's settings, or the defaults (nothing stored) when it has none."""
    found = None
    if team_id is not None:
        with session.no_autoflush:  # as session.get: reading settings flushes nothing
            found = session.scalar(_SETTINGS, {"team_id": team_id})
    return found or TeamCaseloadSetting(
        team_id=team_id,
        caseworkers_pick_up=False,
        plan_review_days=28,
        closure_needs_approval=False,
        version=0,
    )


def settings_team(session, team_id: int, viewer, *, origin: Origin, now: datetime) -> Team:
    """The team whose settings ``viewer`` opens; another team's, or none, is NotFound (audited)."""
    team = session.get(Team, team_id)
    if team is None or team.service != "victim" or not can_manage_team_settings(viewer, team):
        refuse(session, actor=viewer, origin=origin, record_type="team", record_id=team_id, now=now)
    return team


def set_pick_up(
    session,
    team_id: int,
    *,
    caseworkers_pick_up: bool,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    plan_review_days: int | str | None = None,
    closure_needs_approval: bool | None = None,
) -> TeamCaseloadSetting:
    """Set a team's caseload settings: "caseworkers may pick up unallocated referrals", and,
    when given, the days between support plan reviews (whole days, 7 to 91) and "team leaders
    approve every case closure". ``version`` is the one the form showed: a change made since is
    refused, not overwritten."""
    settings_team(session, team_id, actor, origin=origin, now=now)
    current = session.get(TeamCaseloadSetting, team_id)
    if (current.version if current else 0) != version:
        raise ValidationError({"caseworkers_pick_up": STALE})
    if plan_review_days is not None:
        problem = review_days_problem(plan_review_days)
        if problem:
            raise ValidationError({"plan_review_days": problem})
        plan_review_days = int(str(plan_review_days).strip())
    before = team_settings(session, team_id)
    was = {
        "caseworkers_pick_up": bool(before.caseworkers_pick_up),
        "plan_review_days": before.plan_review_days or 28,
        "closure_needs_approval": bool(before.closure_needs_approval),
    }
    if current is None:
        current = TeamCaseloadSetting(
            team_id=team_id, plan_review_days=28, closure_needs_approval=False
        )
        session.add(current)
    wanted = {
        "caseworkers_pick_up": bool(caseworkers_pick_up),
        "plan_review_days": was["plan_review_days"]
        if plan_review_days is None
        else plan_review_days,
        "closure_needs_approval": was["closure_needs_approval"]
        if closure_needs_approval is None
        else bool(closure_needs_approval),
    }
    for name, value in wanted.items():
        setattr(current, name, value)
    current.updated_at, current.updated_by_id = now, actor.id
    changed = {k: {"from": was[k], "to": v} for k, v in wanted.items() if was[k] != v}
    record_event(
        session,
        action="team.caseload_settings",
        actor=actor,
        origin=origin,
        record_type="team",
        record_id=team_id,
        at=now,
        detail=changed
        or {
            "caseworkers_pick_up": {
                "from": was["caseworkers_pick_up"],
                "to": wanted["caseworkers_pick_up"],
            }
        },
    )
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ValidationError({"caseworkers_pick_up": STALE}) from None
    return current
