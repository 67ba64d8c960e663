"""The team leader's "My team": each caseworker of their team with their open cases, open
referrals and overdue deadlines, and the way into one caseworker's caseload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from casework.access import is_admin, refuse
from casework.audit import Origin, record_event
from casework.caseloads.listing import UNMET, referral_rows_clause
from casework.cases.models import Case
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from casework.staff.models import Staff, Team
from casework.staff.vetting import LONDON


@dataclass(frozen=True)
class TeamMemberLoad:
    """One caseworker's load as the team view shows it."""

    id: int
    name: str
    open_cases: int
    open_referrals: int
    overdue: int
    # Support plan actions past their due date, and cases due a plan for reducing support.
    overdue_actions: int = 0
    resilience_due: int = 0


def caseworkers_clause(viewer, team_id: int | None = None):
    """Caseworkers whose caseloads ``viewer`` may open: a team leader's own team's; an admin's,
    any victim-service team's (or ``team_id``'s)."""
    base = Staff.role == "caseworker"
    if is_admin(viewer):
        return sa.and_(base, Staff.team_id == team_id) if team_id is not None else base
    if viewer.role == "team_leader" and viewer.team_id is not None:
        return sa.and_(base, Staff.team_id == viewer.team_id)
    return sa.false()


def team_loads(session, viewer, *, team_id: int | None, now: datetime) -> list[TeamMemberLoad]:
    """Each active caseworker of the team with their open cases, open referrals (not in one of
    their cases), overdue deadlines (unmet past their due time, on either), overdue support plan
    actions and cases due a plan for reducing support: six queries whatever the team's size."""
    from casework.plans.overview import overdue_actions_by_worker
    from casework.plans.resilience import opened_before_clause

    members = session.execute(
        sa.select(Staff.id, Staff.name)
        .where(caseworkers_clause(viewer, team_id), Staff.active.is_(True))
        .order_by(Staff.name, Staff.id)
    ).all()
    ids = [m.id for m in members]
    if not ids:
        return []
    today = now.astimezone(LONDON).date()
    # Open cases, and of them those due a plan for reducing support, in one pass.
    cases, resilience = {}, {}
    for worker, count, due in session.execute(
        sa.select(
            Case.caseworker_id,
            sa.func.count(),
            sa.func.sum(sa.case((opened_before_clause(today), 1), else_=0)),
        )
        .where(Case.caseworker_id.in_(ids), Case.status == "open")
        .group_by(Case.caseworker_id)
    ):
        cases[worker], resilience[worker] = count, due or 0
    referrals = dict(
        session.execute(
            sa.select(Referral.allocated_to_id, sa.func.count())
            .where(
                Referral.allocated_to_id.in_(ids),
                referral_rows_clause(Referral.allocated_to_id),
            )
            .group_by(Referral.allocated_to_id)
        ).all()
    )
    late = sa.and_(UNMET, Obligation.due_at < now)
    overdue = dict(
        session.execute(
            sa.select(Case.caseworker_id, sa.func.count())
            .join(Obligation, Obligation.case_id == Case.id)
            .where(Case.caseworker_id.in_(ids), Case.status == "open", late)
            .group_by(Case.caseworker_id)
        ).all()
    )
    for worker, n in session.execute(
        sa.select(Referral.allocated_to_id, sa.func.count())
        .join(Obligation, Obligation.referral_id == Referral.id)
        .where(Referral.allocated_to_id.in_(ids), Referral.status == "open", late)
        .group_by(Referral.allocated_to_id)
    ):
        overdue[worker] = overdue.get(worker, 0) + n
    actions = overdue_actions_by_worker(session, ids, today)
    return [
        TeamMemberLoad(
            m.id,
            m.name,
            cases.get(m.id, 0),
            referrals.get(m.id, 0),
            overdue.get(m.id, 0),
            actions.get(m.id, 0),
            resilience.get(m.id, 0),
        )
        for m in members
    ]


def viewable_teams(session, viewer) -> list[Team]:
    """The victim-service teams whose view ``viewer`` may open: a leader's own; all for admins."""
    query = sa.select(Team).where(Team.service == "victim").order_by(Team.name)
    if not is_admin(viewer):
        query = query.where(Team.id == viewer.team_id)
    return list(session.scalars(query))


def caseworker_for_viewer(
    session, staff_id: int, viewer, *, origin: Origin, now: datetime
) -> Staff:
    """A caseworker whose caseload ``viewer`` opens (a team leader: only their own team's); the
    view is audited. Anyone else, or nobody, is NotFound, and the refusal audited."""
    worker = session.get(Staff, staff_id)
    allowed = worker is not None and session.scalar(
        sa.select(sa.func.count()).where(Staff.id == staff_id, caseworkers_clause(viewer))
    )
    if not allowed:
        refuse(
            session, actor=viewer, origin=origin, record_type="staff", record_id=staff_id, now=now
        )
    record_event(
        session,
        action="caseload.view",
        actor=viewer,
        origin=origin,
        record_type="staff",
        record_id=staff_id,
        at=now,
    )
    session.commit()
    return worker
