"""A team's caseload settings: whether its caseworkers may pick up unallocated referrals
themselves. Set by the team's leader or an admin, audited, a stale form refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.exc import StaleDataError

from casework.access import is_admin, refuse
from casework.audit import Origin, record_event
from casework.caseloads.models import TeamCaseloadSetting
from casework.errors import ValidationError
from casework.staff.models import Team

STALE = "Someone else changed these settings while you were editing. Check them and try again."


def can_manage_team_settings(viewer, team) -> bool:
    """A team's settings are its team leader's to change, or an admin's."""
    if viewer is None or team is None:
        return False
    if is_admin(viewer):
        return True
    return viewer.role == "team_leader" and viewer.team_id is not None and viewer.team_id == team.id


def team_settings(session, team_id: int | None) -> TeamCaseloadSetting:
    """The team's settings, or the defaults (nothing stored) when it has none."""
    found = session.get(TeamCaseloadSetting, team_id) if team_id is not None else None
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
) -> TeamCaseloadSetting:
    """Turn "caseworkers may pick up unallocated referrals" on or off for a team. ``version`` is
    the one the form showed: a change made since is refused, not overwritten."""
    settings_team(session, team_id, actor, origin=origin, now=now)
    current = session.get(TeamCaseloadSetting, team_id)
    if (current.version if current else 0) != version:
        raise ValidationError({"caseworkers_pick_up": STALE})
    before = bool(current and current.caseworkers_pick_up)
    if current is None:
        current = TeamCaseloadSetting(team_id=team_id)
        session.add(current)
    current.caseworkers_pick_up = bool(caseworkers_pick_up)
    current.updated_at, current.updated_by_id = now, actor.id
    record_event(
        session,
        action="team.caseload_settings",
        actor=actor,
        origin=origin,
        record_type="team",
        record_id=team_id,
        at=now,
        detail={"caseworkers_pick_up": {"from": before, "to": bool(caseworkers_pick_up)}},
    )
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ValidationError({"caseworkers_pick_up": STALE}) from None
    return current
