"""Finding staff and teams for the pages that list them, filtered by who is looking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa

from casework.access import ViewerKey, can_view_staff, refuse, visible_staff_clause
from casework.audit import Origin, record_event
from casework.db import MAX_ID, db
from casework.staff.models import ROLES, SPECIALISMS, Staff, Team


@dataclass(frozen=True)
class StaffFilters:
    """The staff list's filters as an administrator set them; empty means any."""

    role: str = ""
    team: str = ""
    status: str = "active"
    q: str = ""


def teams_by_name(session) -> list[Team]:
    """Every team, by name."""
    return list(session.scalars(sa.select(Team).order_by(Team.name)))


def team_named(session, name: str) -> Team | None:
    """The team with this name, whatever its case."""
    return session.scalar(sa.select(Team).where(sa.func.lower(Team.name) == name.lower()))


def staff_page(filters: StaffFilters, *, page: int, per_page: int):
    """One page of staff accounts matching ``filters``, by name."""
    query = sa.select(Staff).order_by(Staff.name)
    if filters.role in ROLES:
        query = query.where(Staff.role == filters.role)
    team = filters.team
    # ASCII digits only ("²" is a digit to isdigit, not to int), and no longer than an id.
    if team.isascii() and team.isdigit() and len(team) <= 10 and int(team) <= MAX_ID:
        query = query.where(Staff.team_id == int(team))
    if filters.status == "active":
        query = query.where(Staff.active.is_(True))
    elif filters.status == "inactive":
        query = query.where(Staff.active.is_(False))
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(
            sa.or_(sa.func.lower(Staff.name).like(like), sa.func.lower(Staff.email).like(like))
        )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def active_members_per_team(session) -> dict[int | None, int]:
    """How many active staff each team has (None: those in no team)."""
    return dict(
        session.execute(
            sa.select(Staff.team_id, sa.func.count())
            .where(Staff.active.is_(True))
            .group_by(Staff.team_id)
        ).all()
    )


def get_staff(session, staff_id: int) -> Staff | None:
    """A staff account by id, for administrators (who may see every account)."""
    return session.get(Staff, staff_id)


def visible_colleagues(session, viewer) -> list[Staff]:
    """The active staff ``viewer`` may see (a team leader: their team), by name."""
    return list(
        session.scalars(
            sa.select(Staff)
            .where(visible_staff_clause(viewer), Staff.active.is_(True))
            .order_by(Staff.name)
        )
    )


@dataclass(frozen=True)
class Colleague:
    """A staff member as a list of staff shows them."""

    id: int
    name: str
    role: str
    specialisms: list | None
    npa: str | None

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def specialism_labels(self) -> list[str]:
        return [SPECIALISMS.get(s, s) for s in self.specialisms or []]


def team_colleagues(session, viewer, team_id: int) -> list[Colleague]:
    """The active staff of team ``team_id`` whom ``viewer`` may see, by name: the team view's
    staff list, read as the few columns it shows rather than whole accounts."""
    rows = session.execute(_team_colleagues_statement(ViewerKey.of(viewer)), {"team_id": team_id})
    return [Colleague(*row) for row in rows]


@lru_cache(maxsize=512)
def _team_colleagues_statement(viewer: ViewerKey):
    return (
        sa.select(Staff.id, Staff.name, Staff.role, Staff.specialisms, Staff.npa)
        .where(
            visible_staff_clause(viewer),
            Staff.active.is_(True),
            Staff.team_id == sa.bindparam("team_id"),
        )
        .order_by(Staff.name)
    )


def view_staff_profile(session, staff_id: int, *, viewer, origin: Origin, now: datetime) -> Staff:
    """One staff member's profile as ``viewer`` may see it, audited; another team's id is
    refused exactly as a missing one is (NotFound)."""
    staff = session.get(Staff, staff_id)
    if staff is None or not can_view_staff(viewer, staff):
        refuse(
            session, actor=viewer, origin=origin, record_type="staff", record_id=staff_id, now=now
        )
    record_event(
        session,
        action="staff.view",
        actor=viewer,
        origin=origin,
        record_type="staff",
        record_id=staff.id,
        at=now,
    )
    session.commit()
    return staff
