"""Who may see and change which record: one function per record type, used everywhere.

Views load records through these, and list queries are filtered in SQL by the same rule, so a
person can never reach a record by guessing its id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import sqlalchemy as sa
from sqlalchemy.orm import object_session

from casework.audit import record_event
from casework.errors import NotFound
from casework.staff.models import Staff, Team


@dataclass(frozen=True)
class ViewerKey:
    """All that the SQL visibility clauses below read of a staff member (role, id, team), as a
    key: a statement built from a viewer depends on nothing else, so one built for a key may be
    kept and run again for the same key (building and keying a statement costs SQLAlchemy more
    than SQLite takes to run a small one). It holds no data; a changed role or team is another
    key."""

    role: str | None
    id: int | None
    team_id: int | None
    in_hsb_team: bool = False

    @classmethod
    def of(cls, viewer) -> ViewerKey:
        role, team_id = getattr(viewer, "role", None), getattr(viewer, "team_id", None)
        return cls(role, getattr(viewer, "id", None), team_id, in_hsb_team(viewer))


def in_hsb_team(viewer) -> bool:
    """Whether ``viewer`` (a staff member or a ViewerKey) belongs to a team of the HSB line."""
    known = getattr(viewer, "in_hsb_team", None)
    if known is not None:
        return known
    team = getattr(viewer, "team", None)
    return team is not None and team.service == "hsb"


def refuse(session, *, actor, origin, record_type: str, record_id, now) -> NoReturn:
    """Record a refused access in the audit trail and answer as if the record did not exist,
    so nobody learns by guessing ids which records are there."""
    record_event(
        session,
        action="access.denied",
        outcome="failed",
        actor=actor,
        origin=origin,
        record_type=record_type,
        record_id=record_id,
        at=now,
    )
    session.commit()
    raise NotFound(record_id)


def only_on_the_advice_line(viewer) -> bool:
    """Staff of an HSB team other than admins: the advice line's pages are theirs, and none of
    the victim service's (its queue, referrals, cases, imports, letters, funds and returns),
    whatever their role."""
    return getattr(viewer, "role", None) != "admin" and in_hsb_team(viewer)


def is_admin(viewer) -> bool:
    """Administrators see and manage every record."""
    return getattr(viewer, "role", None) == "admin"


def can_view_staff(viewer, staff: Staff) -> bool:
    """Admins see every account; team leaders their own team; everyone sees themselves."""
    if viewer is None or staff is None:
        return False
    if is_admin(viewer) or viewer.id == staff.id:
        return True
    return (
        viewer.role == "team_leader"
        and viewer.team_id is not None
        and viewer.team_id == staff.team_id
    )


def visible_staff_clause(viewer):
    """The SQL form of :func:`can_view_staff`, for lists."""
    if is_admin(viewer):
        return sa.true()
    if viewer.role == "team_leader" and viewer.team_id is not None:
        return sa.or_(Staff.team_id == viewer.team_id, Staff.id == viewer.id)
    return Staff.id == viewer.id


def can_manage_staff(viewer) -> bool:
    """Adding, editing and deactivating accounts and teams is for admins."""
    return is_admin(viewer)


def can_search_audit(viewer) -> bool:
    """The audit trail is searched by admins."""
    return is_admin(viewer)


# --- referrals ---------------------------------------------------------------------------

REFERRAL_ROLES = {"caseworker", "team_leader", "admin"}


def serves_victims(viewer) -> bool:
    """Victims' referrals, cases and people are for the victim service's caseworkers and team
    leaders, and admins: never for the HSB line's staff (its team leaders included)."""
    if viewer is None or viewer.role not in REFERRAL_ROLES:
        return False
    return viewer.role == "admin" or not in_hsb_team(viewer)


def can_view_referral(viewer, referral) -> bool:
    """Caseworkers see the unallocated queue and their own cases; team leaders also see cases
    allocated to their team; admins see all. Nobody else sees a victim's referral."""
    if referral is None or not serves_victims(viewer):
        return False
    if viewer.role == "admin" or referral.allocated_to_id in (None, viewer.id):
        return True
    if viewer.role == "team_leader" and viewer.team_id is not None:
        allocated = referral.allocated_to
        return allocated is not None and allocated.team_id == viewer.team_id
    return False


def visible_referrals_clause(viewer):
    """The SQL form of :func:`can_view_referral`, for the queue and every list."""
    from casework.referrals.models import Referral

    if not serves_victims(viewer):
        return sa.false()
    if viewer.role == "admin":
        return sa.true()
    mine = sa.or_(Referral.allocated_to_id.is_(None), Referral.allocated_to_id == viewer.id)
    if viewer.role == "team_leader" and viewer.team_id is not None:
        team = sa.select(Staff.id).where(Staff.team_id == viewer.team_id)
        return sa.or_(mine, Referral.allocated_to_id.in_(team))
    return mine


def can_manage_referral(viewer, referral) -> bool:
    """Allocating, raising priority and deciding repeat-victim matches are team leaders' calls."""
    return viewer.role in {"team_leader", "admin"} and can_view_referral(viewer, referral)


def allocatable_caseworkers_clause(actor):
    """Whom ``actor`` may allocate a victim's referral to, in SQL: a team leader, the active
    caseworkers of their own victim-service team; an admin, those of any victim-service team."""
    victim_teams = sa.select(Team.id).where(Team.service == "victim")
    base = sa.and_(
        Staff.role == "caseworker", Staff.active.is_(True), Staff.team_id.in_(victim_teams)
    )
    if is_admin(actor):
        return base
    if getattr(actor, "role", None) == "team_leader" and actor.team_id is not None:
        return sa.and_(base, Staff.team_id == actor.team_id)
    return sa.false()


def can_allocate_to(actor, worker) -> bool:
    """The rule of :func:`allocatable_caseworkers_clause` for one caseworker."""
    if worker is None or worker.role != "caseworker" or not worker.active:
        return False
    if worker.team is None or worker.team.service != "victim":
        return False
    if is_admin(actor):
        return True
    return (
        getattr(actor, "role", None) == "team_leader"
        and actor.team_id is not None
        and worker.team_id == actor.team_id
    )


def can_work_referral(viewer, referral) -> bool:
    """Recording contact is for the allocated caseworker, or a team leader or admin who may
    see the referral (covering for an absent colleague)."""
    if not can_view_referral(viewer, referral):
        return False
    if viewer.role in {"team_leader", "admin"}:
        return True
    return referral.allocated_to_id == viewer.id


# --- cases and people ---------------------------------------------------------------------


def _volunteer_cases(viewer):
    """The ids of the cases ``viewer`` is a volunteer on now (not stepped down), in SQL."""
    from casework.support.models import CaseVolunteer

    return sa.select(CaseVolunteer.case_id).where(
        CaseVolunteer.volunteer_id == viewer.id, CaseVolunteer.stepped_down_at.is_(None)
    )


def is_volunteer_on(viewer, case) -> bool:
    """Whether ``viewer`` is a volunteer assigned to ``case`` now (spec 3.12): a volunteer's
    whole view of the service, lost the moment they step down."""
    if getattr(viewer, "role", None) != "volunteer" or case is None or case.id is None:
        return False
    from casework.support.models import CaseVolunteer

    session = object_session(case)
    mine = _volunteer_cases(viewer).where(CaseVolunteer.case_id == case.id)
    return session is not None and session.scalar(sa.select(mine.exists())) is True


def can_view_case(viewer, case) -> bool:
    """A case is seen by its caseworker, the leaders of the team it belongs to, and admins,
    and, while it is open, by the volunteers assigned to it now (only the few pages open to
    volunteers); nobody
    outside the victim service's roles sees it."""
    if viewer is not None and getattr(viewer, "role", None) == "volunteer":
        # A volunteer supports a person while the case is open: its closing ends their view.
        return case is not None and case.status == "open" and is_volunteer_on(viewer, case)
    if case is None or not serves_victims(viewer):
        return False
    if viewer.role == "admin" or case.caseworker_id == viewer.id:
        return True
    return (
        viewer.role == "team_leader"
        and viewer.team_id is not None
        and (viewer.team_id == case.team_id)
    )


def visible_cases_clause(viewer):
    """The SQL form of :func:`can_view_case`, for lists and searches."""
    from casework.cases.models import Case

    if viewer.role == "volunteer":
        return sa.and_(Case.id.in_(_volunteer_cases(viewer)), Case.status == "open")
    if not serves_victims(viewer):
        return sa.false()
    if viewer.role == "admin":
        return sa.true()
    mine = Case.caseworker_id == viewer.id
    if viewer.role == "team_leader" and viewer.team_id is not None:
        return sa.or_(mine, Case.team_id == viewer.team_id)
    return mine


def can_work_case(viewer, case) -> bool:
    """Recording on a case (notes, contact) is for its caseworker, or a team leader or admin
    who may see it; a closed case is read only."""
    if not can_view_case(viewer, case) or case.status != "open":
        return False
    return viewer.role in {"team_leader", "admin"} or case.caseworker_id == viewer.id


def can_note_case(viewer, case) -> bool:
    """Adding a case note is for those who may work the case, and for a volunteer assigned to
    it now; a closed case is read only."""
    if can_work_case(viewer, case):
        return True
    return case is not None and case.status == "open" and is_volunteer_on(viewer, case)


def can_manage_case(viewer, case) -> bool:
    """Reallocating and closing a case, and reading who opened it, are team leaders' calls."""
    return viewer.role in {"team_leader", "admin"} and can_view_case(viewer, case)


def can_read_restricted_notes(viewer, case) -> bool:
    """A restricted case note is read only by the case's caseworker, the leaders of the team it
    belongs to, and admins (issue "People and cases", part 6). Anyone else who may see the case
    sees that such a note exists, never its text."""
    if not can_view_case(viewer, case):
        return False
    if is_admin(viewer) or (case.caseworker_id is not None and case.caseworker_id == viewer.id):
        return True
    return (
        viewer.role == "team_leader"
        and viewer.team_id is not None
        and viewer.team_id == case.team_id
    )


def visible_people_clause(viewer):
    """People ``viewer`` may see, in SQL: those with a referral or a case they may open.
    A person merged into another is found as that other person, never on their own. A
    volunteer sees no people's pages: only their cases' pages open to them."""
    from casework.cases.models import Case
    from casework.people.models import Person
    from casework.referrals.models import Referral

    if not serves_victims(viewer):
        return sa.false()
    standing = Person.merged_into_id.is_(None)
    if viewer.role == "admin":
        return standing
    referral = sa.exists().where(Referral.person_id == Person.id, visible_referrals_clause(viewer))
    case = sa.exists().where(Case.person_id == Person.id, visible_cases_clause(viewer))
    return sa.and_(standing, sa.or_(referral, case))


# --- messages to a person -------------------------------------------------------------------


def can_decide_message(viewer, message) -> bool:
    """A held letter is decided by the caseworker of its record (the case's, else the
    referral's allocated worker) or a team leader of that team; admins too (DESIGN.md Deadline
    rules, safe contact)."""
    if viewer is None or message is None:
        return False
    case = message.case
    if case is not None:
        return can_work_case(viewer, case)
    referral = message.referral
    return referral is not None and can_work_referral(viewer, referral)


def can_message_from_case(viewer, case) -> bool:
    """Sending a text or email from a case is for its caseworker, the leaders of its team and
    admins, while the case is open."""
    return can_work_case(viewer, case)


# --- the HSB advice line ----------------------------------------------------------------------


def _hsb_team_leader(viewer) -> bool:
    return viewer.role == "team_leader" and viewer.team is not None and viewer.team.service == "hsb"


def can_use_advice_line(viewer) -> bool:
    """The HSB line's records (advice contacts, callbacks, sessions, feedback, evidence) are
    for its advisors, the team leaders of HSB teams, and admins; the victim service's staff
    never see them."""
    if viewer is None:
        return False
    return viewer.role == "hsb_advisor" or is_admin(viewer) or _hsb_team_leader(viewer)


def can_lead_advice_line(viewer) -> bool:
    """Following up negative feedback and the line's settings: HSB team leaders and admins."""
    if viewer is None:
        return False
    return is_admin(viewer) or _hsb_team_leader(viewer)


def can_maintain_resources(viewer) -> bool:
    """The resource directory is maintained by advisors, HSB team leaders and admins."""
    return can_use_advice_line(viewer)


def can_view_hsb_report(viewer) -> bool:
    """The anonymised monthly monitoring: analysts, admins and the line's own staff."""
    if viewer is None:
        return False
    return viewer.role == "analyst" or can_use_advice_line(viewer)
