"""The team leader's "My team": each caseworker of their team with their open cases, open
referrals and overdue deadlines, and the way into one caseworker's caseload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

import sqlalchemy as sa

from casework.access import ViewerKey, is_admin, refuse
from casework.audit import Origin, record_event
from casework.caseloads.listing import UNMET, referral_rows_clause
from casework.cases.models import Case
from casework.obligations.models import Obligation
from casework.plans.resilience import resilience_cutoff
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
    actions and cases due a plan for reducing support: two statements whatever the team's size
    (its members, then every count in one UNION ALL, each part an index search per caseworker
    or per open case)."""
    members = session.execute(_members_statement(ViewerKey.of(viewer), team_id)).all()
    ids = [m.id for m in members]
    if not ids:
        return []
    counts: dict[str, dict[int, int]] = {name: {} for name in _COUNTS}
    today = now.astimezone(LONDON).date()
    values = {"ids": ids, "now": now, "today": today, "cutoff": resilience_cutoff(today)}
    for name, worker, n in session.execute(_counts_statement(), values):
        counts[name][worker] = n or 0
    return [
        TeamMemberLoad(
            m.id,
            m.name,
            counts["cases"].get(m.id, 0),
            counts["referrals"].get(m.id, 0),
            counts["case_overdue"].get(m.id, 0)
            + counts["referral_overdue"].get(m.id, 0)
            + counts["closed_referral_overdue"].get(m.id, 0),
            counts["actions"].get(m.id, 0),
            counts["resilience"].get(m.id, 0),
        )
        for m in members
    ]


@lru_cache(maxsize=512)
def _members_statement(viewer: ViewerKey, team_id: int | None):
    """The active caseworkers whose loads ``viewer`` sees, by name (built once per viewer)."""
    return (
        sa.select(Staff.id, Staff.name)
        .where(caseworkers_clause(viewer, team_id), Staff.active.is_(True))
        .order_by(Staff.name, Staff.id)
    )


_COUNTS = (
    "cases",
    "resilience",
    "referrals",
    "case_overdue",
    "referral_overdue",
    "closed_referral_overdue",
    "actions",
)


@cache
def _counts_statement():
    """(count name, caseworker id, count) rows for the team view, in one statement, built once
    with the caseworkers (``ids``), the moment (``now``), the UK day (``today``) and the
    resilience cutoff (``cutoff``) left as parameters: building and keying a statement this
    size cost SQLAlchemy more than SQLite takes to run it."""
    from casework.plans.models import PlanAction
    from casework.plans.overview import OPEN_ACTION
    from casework.plans.resilience import opened_before_clause

    ids = sa.bindparam("ids", expanding=True)
    open_case = sa.and_(Case.caseworker_id.in_(ids), Case.status == "open")
    now = sa.bindparam("now")
    late = sa.and_(UNMET, Obligation.due_at < now)
    # The referrals' overdue deadlines: the due time compared through coalesce() so that SQLite,
    # which keeps no statistics, probes the obligations of each of the team's open referrals
    # rather than reading every overdue obligation of the service through its due-time index
    # (0.3 ms with no referrals at all in the benchmark, and growing with the whole queue).
    late_on_referral = sa.and_(UNMET, sa.func.coalesce(Obligation.due_at, Obligation.due_at) < now)

    def per_worker(name: str, worker, *where, join=None, source=None):
        query = sa.select(sa.literal(name).label("name"), worker, sa.func.count())
        if source is not None:
            query = query.select_from(source)
        if join is not None:
            query = query.join(*join)
        return query.where(*where).group_by(worker)

    return sa.union_all(
        per_worker("cases", Case.caseworker_id, open_case, source=Case),
        per_worker(
            "resilience",
            Case.caseworker_id,
            open_case,
            opened_before_clause(sa.bindparam("cutoff")),
        ),
        per_worker(
            "referrals",
            Referral.allocated_to_id,
            Referral.allocated_to_id.in_(ids),
            referral_rows_clause(Referral.allocated_to_id),
            source=Referral,
        ),
        per_worker(
            "case_overdue",
            Case.caseworker_id,
            open_case,
            late,
            source=Case,
            join=(Obligation, Obligation.case_id == Case.id),
        ),
        per_worker(
            "referral_overdue",
            Referral.allocated_to_id,
            Referral.allocated_to_id.in_(ids),
            Referral.status == "open",
            late_on_referral,
            source=Referral,
            join=(Obligation, Obligation.referral_id == Referral.id),
        ),
        # A first call still owed on a referral closed into the worker's open case (a team
        # leader opened the case from it before anyone called): the caseload shows it overdue.
        per_worker(
            "closed_referral_overdue",
            Case.caseworker_id,
            open_case,
            Referral.status != "open",
            late_on_referral,
            source=sa.join(Case, Referral, Referral.case_id == Case.id).join(
                Obligation, Obligation.referral_id == Referral.id
            ),
        ),
        per_worker(
            "actions",
            Case.caseworker_id,
            open_case,
            OPEN_ACTION,
            PlanAction.due_on < sa.bindparam("today"),
            source=Case,
            join=(PlanAction, PlanAction.case_id == Case.id),
        ),
    )


def viewable_teams(session, viewer) -> list[Team]:
    """The victim-service teams whose view ``viewer`` may open: a leader's own; all for admins."""
    return list(session.scalars(_viewable_teams_statement(ViewerKey.of(viewer))))


@lru_cache(maxsize=512)
def _viewable_teams_statement(viewer: ViewerKey):
    query = sa.select(Team).where(Team.service == "victim").order_by(Team.name)
    if not is_admin(viewer):
        query = query.where(Team.id == viewer.team_id)
    return query


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
