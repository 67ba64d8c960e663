"""Volunteers on a case (spec 3.12 and 10): assigning one, stepping them down, and what a
volunteer sees.

Who assigns: the case's caseworker, a team leader of the case's team, or an admin, while the
case is open. Whom: an active volunteer of the case's own team, not already on it, whose vetting
is received when the person is a child or a vulnerable adult (the same rule as for caseworkers,
casework.staff.vetting.refusal_for_case). Stepping down takes a reason and is done by the same
people or by the volunteer themselves; it is version-checked, and the volunteer loses sight of
the case at once (casework.access.can_view_case reads only current assignments). A closed case
is read only. Every change is audited under the person of the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casework.access import can_view_case, is_admin, refuse, visible_cases_clause
from casework.audit import Origin, record_event
from casework.cases.loading import viewable_case
from casework.cases.models import Case
from casework.db import refuse_stale
from casework.errors import NotFound, ValidationError
from casework.staff.models import Staff
from casework.staff.vetting import refusal_for_case
from casework.support.models import CaseVolunteer

MAX_NOTE = 500
MAX_REASON = 500


def may_assign_volunteers(actor, case: Case) -> bool:
    """The case's caseworker, a team leader of its team and admins assign volunteers to an open
    case they may see."""
    if case is None or case.status != "open" or not can_view_case(actor, case):
        return False
    if is_admin(actor) or (case.caseworker_id is not None and case.caseworker_id == actor.id):
        return True
    return actor.role == "team_leader" and actor.team_id == case.team_id


def may_step_down(actor, link: CaseVolunteer) -> bool:
    """Those who assign, and the volunteer themselves, step a volunteer down."""
    if link.stepped_down_at is not None:
        return False
    if link.volunteer_id == getattr(actor, "id", None) and actor.role == "volunteer":
        return link.case.status == "open" and can_view_case(actor, link.case)
    return may_assign_volunteers(actor, link.case)


def current_volunteers(session, case: Case) -> list[CaseVolunteer]:
    """The case's volunteers now, longest-serving first."""
    return list(
        session.scalars(
            sa.select(CaseVolunteer)
            .where(CaseVolunteer.case_id == case.id, CaseVolunteer.stepped_down_at.is_(None))
            .options(joinedload(CaseVolunteer.volunteer), joinedload(CaseVolunteer.assigned_by))
            .order_by(CaseVolunteer.assigned_at, CaseVolunteer.id)
        )
    )


def past_volunteers(session, case: Case) -> list[CaseVolunteer]:
    """The case's volunteers who stepped down, most recent first."""
    return list(
        session.scalars(
            sa.select(CaseVolunteer)
            .where(CaseVolunteer.case_id == case.id, CaseVolunteer.stepped_down_at.is_not(None))
            .options(joinedload(CaseVolunteer.volunteer), joinedload(CaseVolunteer.stepped_down_by))
            .order_by(CaseVolunteer.stepped_down_at.desc(), CaseVolunteer.id.desc())
        )
    )


def assignable_volunteers(session, case: Case, actor) -> list[Staff]:
    """The volunteers ``actor`` may put on this case: active volunteers of the case's team not
    on it now (vetting is checked when assigning, and said then)."""
    if not may_assign_volunteers(actor, case):
        return []
    on_case = sa.select(CaseVolunteer.volunteer_id).where(
        CaseVolunteer.case_id == case.id, CaseVolunteer.stepped_down_at.is_(None)
    )
    return list(
        session.scalars(
            sa.select(Staff)
            .where(
                Staff.role == "volunteer",
                Staff.active.is_(True),
                Staff.team_id == case.team_id,
                Staff.id.not_in(on_case),
            )
            .order_by(Staff.name, Staff.id)
        )
    )


def volunteer_role_on(session, case: Case, volunteer) -> CaseVolunteer | None:
    """``volunteer``'s current assignment to ``case``, or None."""
    return session.scalars(
        sa.select(CaseVolunteer).where(
            CaseVolunteer.case_id == case.id,
            CaseVolunteer.volunteer_id == getattr(volunteer, "id", None),
            CaseVolunteer.stepped_down_at.is_(None),
        )
    ).first()


@dataclass(frozen=True)
class MyCase:
    """One of a volunteer's cases, as their home page lists it."""

    case: Case
    role_note: str | None
    assigned_at: datetime


def my_cases(session, volunteer) -> list[MyCase]:
    """The cases a volunteer is assigned to now, newest assignment first; nothing else."""
    if getattr(volunteer, "role", None) != "volunteer":
        return []
    rows = session.execute(
        sa.select(Case, CaseVolunteer.role_note, CaseVolunteer.assigned_at)
        .join(CaseVolunteer, CaseVolunteer.case_id == Case.id)
        .where(
            CaseVolunteer.volunteer_id == volunteer.id,
            CaseVolunteer.stepped_down_at.is_(None),
            visible_cases_clause(volunteer),
        )
        .options(joinedload(Case.person), joinedload(Case.caseworker))
        .order_by(CaseVolunteer.assigned_at.desc(), Case.id.desc())
    )
    return [MyCase(case, note, at) for case, note, at in rows]


def _audit(session, case: Case, action: str, link: CaseVolunteer, actor, origin, now, **detail):
    record_event(
        session,
        action=action,
        actor=actor,
        origin=origin,
        record_type="case",
        record_id=case.id,
        person_id=case.person_id,
        at=now,
        detail={"case_volunteer_id": link.id, "volunteer": link.volunteer.name, **detail},
    )


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[: limit + 1]


def assign_volunteer(
    session,
    case_id: int,
    volunteer_id: int | None,
    role_note: str | None,
    *,
    actor,
    origin: Origin,
    now: datetime,
) -> CaseVolunteer:
    """Put a volunteer on a case. NotFound for a case the actor may not see; ValidationError,
    nothing stored, when they may not assign or the volunteer may not be assigned."""
    case = viewable_case(session, case_id, actor, origin, now)
    if case.status != "open":
        raise ValidationError({"": "This case is closed: its volunteers cannot be changed."})
    if not may_assign_volunteers(actor, case):
        raise ValidationError(
            {
                "": "Only the case's caseworker, a team leader of its team or an admin can "
                "assign a volunteer."
            }
        )
    volunteer = session.get(Staff, volunteer_id) if volunteer_id else None
    if (
        volunteer is None
        or volunteer.role != "volunteer"
        or not volunteer.active
        or volunteer.team_id != case.team_id
    ):
        raise ValidationError({"volunteer": "Select an active volunteer of the case's team"})
    if volunteer_role_on(session, case, volunteer) is not None:
        raise ValidationError({"volunteer": f"{volunteer.name} is already on this case"})
    note = _clean(role_note, MAX_NOTE)
    if len(note) > MAX_NOTE:
        raise ValidationError({"role_note": f"Keep what they will do to {MAX_NOTE} characters"})
    refusal = refusal_for_case(session, case, volunteer, now=now)
    if refusal:
        raise ValidationError({"volunteer": refusal})
    link = CaseVolunteer(
        case_id=case.id,
        volunteer_id=volunteer.id,
        role_note=note or None,
        assigned_by_id=actor.id,
        assigned_at=now,
    )
    session.add(link)
    session.flush()
    _audit(session, case, "case_volunteer.assign", link, actor, origin, now)
    session.commit()
    return link


def _stale() -> ValidationError:
    return ValidationError(
        {"": "Someone changed this volunteer's assignment since the page was opened: look again."}
    )


@refuse_stale(_stale)
def step_down_volunteer(
    session,
    case_id: int,
    case_volunteer_id: int,
    reason: str | None,
    *,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> CaseVolunteer:
    """End a volunteer's assignment, with the reason; from this moment they no longer see the
    case. ``version`` is the assignment's version the page showed."""
    case = viewable_case(session, case_id, actor, origin, now)
    link = session.get(CaseVolunteer, case_volunteer_id)
    if link is None or link.case_id != case.id:
        refuse(session, actor=actor, origin=origin, record_type="case", record_id=case.id, now=now)
    if case.status != "open":
        raise ValidationError({"": "This case is closed: its volunteers cannot be changed."})
    if link.stepped_down_at is not None:
        raise ValidationError({"": f"{link.volunteer.name} has already stepped down."})
    if not may_step_down(actor, link):
        raise ValidationError(
            {
                "": "Only the volunteer, the case's caseworker, a team leader of its team or an "
                "admin can step a volunteer down."
            }
        )
    if version is None or version != link.version:
        raise _stale()
    text = _clean(reason, MAX_REASON)
    if not text:
        raise ValidationError({"reason": "Enter why the volunteer is stepping down"})
    if len(text) > MAX_REASON:
        raise ValidationError({"reason": f"Keep the reason to {MAX_REASON} characters"})
    link.stepped_down_at = now
    link.stepped_down_by_id = actor.id
    link.step_down_reason = text
    session.flush()
    _audit(session, case, "case_volunteer.step_down", link, actor, origin, now)
    session.commit()
    return link


def volunteers_of(session, case: Case, actor) -> dict:
    """What the Support tab's Volunteers section shows ``actor``."""
    return {
        "current": current_volunteers(session, case),
        "past": past_volunteers(session, case),
        "may_assign": may_assign_volunteers(actor, case),
        "assignable": assignable_volunteers(session, case, actor),
    }


def get_assignment(session, case: Case, case_volunteer_id: int, actor) -> CaseVolunteer:
    """One assignment on a case, for its step-down page: NotFound unless it is the case's and
    still current, and the actor may step it down."""
    link = session.get(CaseVolunteer, case_volunteer_id)
    if link is None or link.case_id != case.id or not may_step_down(actor, link):
        raise NotFound(case_volunteer_id)
    return link
