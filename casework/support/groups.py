"""Young people's group sessions (spec 3.8 "Group support for young people"): a team's sessions,
who facilitated them, and which young people on the team's caseloads attended; the quarterly
return's "number of group support sessions held" and "number of young people attending" (spec 7).

A young person is the person of an open case who is under 18 on the day of the session (spec 3.1
"victims who are under the age of 18"); a person whose date of birth is not known is not offered.
Sessions belong to a team: its caseworkers and team leaders, and admins, see and run them; to
anyone else another team's session does not exist. Attendance names a young person only to those
who may see their case (a caseworker sees their own caseload; a colleague's young person shows as
a case reference without a name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from casework.access import can_view_case, is_admin, refuse, visible_cases_clause
from casework.audit import Origin, audit_case, record_event
from casework.cases.models import Case
from casework.db import MAX_ID, db, form_key, made_by_key, made_once, refuse_stale
from casework.errors import ValidationError
from casework.people.models import Person
from casework.staff.models import Staff, Team
from casework.staff.vetting import local_today
from casework.support.models import GroupAttendance, GroupSession
from casework.support.monitoring_quarter import FinancialQuarter
from triage.enhanced import age_on

GROUP_ROLES = {"caseworker", "team_leader", "admin"}
FACILITATOR_ROLES = ("caseworker", "team_leader")
YOUNG_UNDER = 18  # spec 3.1: victims under the age of 18
PER_PAGE = 25
MAX_PLACE, MAX_TOPIC, MAX_NOTE = 200, 200, 2000
EARLIEST = date(2018, 4, 1)  # the contract's first financial year
AHEAD = timedelta(days=366)  # sessions may be planned up to a year ahead


# --- who may see what -------------------------------------------------------------------------


def can_use_groups(viewer) -> bool:
    """Group sessions are run by caseworkers and team leaders, and seen by admins."""
    return getattr(viewer, "role", None) in GROUP_ROLES


def can_see_group_session(viewer, group: GroupSession) -> bool:
    """A session is its team's: the team's caseworkers and team leaders, and admins."""
    if group is None or not can_use_groups(viewer):
        return False
    return is_admin(viewer) or (viewer.team_id is not None and viewer.team_id == group.team_id)


def visible_sessions_clause(viewer):
    """The SQL form of :func:`can_see_group_session`, for lists and the return."""
    if not can_use_groups(viewer):
        return sa.false()
    if is_admin(viewer):
        return sa.true()
    if viewer.team_id is None:
        return sa.false()
    return GroupSession.team_id == viewer.team_id


def facilitator_choices(session, actor) -> list[Staff]:
    """Who may facilitate a session ``actor`` records: the active caseworkers and team leaders
    of their team (an admin: of any victim-service team)."""
    query = (
        sa.select(Staff)
        .join(Team, Team.id == Staff.team_id)
        .where(Staff.active.is_(True), Staff.role.in_(FACILITATOR_ROLES), Team.service == "victim")
        .order_by(Staff.name, Staff.id)
    )
    if not is_admin(actor):
        if not can_use_groups(actor) or actor.team_id is None:
            return []
        query = query.where(Staff.team_id == actor.team_id)
    return list(session.scalars(query))


# --- sessions ---------------------------------------------------------------------------------


def list_sessions(
    session,
    viewer,
    *,
    quarter: FinancialQuarter | None,
    page: int,
    origin: Origin,
    now: datetime,
    per_page: int = PER_PAGE,
):
    """The team's sessions, newest first, those of ``quarter`` only when given. A page of
    Flask-SQLAlchemy's Pagination; the view is audited."""
    query = (
        sa.select(GroupSession)
        .options(
            joinedload(GroupSession.facilitator),
            joinedload(GroupSession.team),
            selectinload(GroupSession.attendance),
        )
        .where(visible_sessions_clause(viewer))
        .order_by(GroupSession.held_on.desc(), GroupSession.id.desc())
    )
    if quarter is not None:
        query = query.where(
            GroupSession.held_on >= quarter.start, GroupSession.held_on < quarter.end
        )
    found = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    record_event(
        session,
        action="group_session.list",
        actor=viewer,
        origin=origin,
        record_type="group_session",
        at=now,
        detail={"quarter": quarter.code if quarter else None, "page": page},
    )
    session.commit()
    return found


def get_session(
    session,
    session_id: int,
    viewer,
    *,
    origin: Origin,
    now: datetime,
    audit_view: bool = True,
) -> GroupSession:
    """A session ``viewer`` may see, the view audited (``group_session.view``); a missing one
    and another team's are the same NotFound, the refusal audited. Services that load it to
    change it pass ``audit_view=False``: the change is audited instead."""
    group = session.get(GroupSession, session_id) if 0 < session_id <= MAX_ID else None
    if group is None or not can_see_group_session(viewer, group):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="group_session",
            record_id=session_id,
            now=now,
        )
    if audit_view:
        record_event(
            session,
            action="group_session.view",
            actor=viewer,
            origin=origin,
            record_type="group_session",
            record_id=group.id,
            at=now,
        )
        session.commit()
    return group


def _details(session, actor, *, held_on, place, facilitator_id, topic, note, now) -> dict:
    errors: dict[str, str] = {}
    today = local_today(now)
    if held_on is None:
        errors["held_on"] = "Enter the date of the session"
    elif held_on < EARLIEST:
        errors["held_on"] = f"The date of the session cannot be before {EARLIEST:%-d %B %Y}"
    elif held_on > today + AHEAD:
        errors["held_on"] = "The date of the session must be within the next year"
    place = (place or "").strip()
    if not place:
        errors["place"] = "Enter where the session is held"
    elif len(place) > MAX_PLACE:
        errors["place"] = f"Where the session is held must be {MAX_PLACE} characters or fewer"
    topic = (topic or "").strip()
    if not topic:
        errors["topic"] = "Enter the topic of the session"
    elif len(topic) > MAX_TOPIC:
        errors["topic"] = f"The topic must be {MAX_TOPIC} characters or fewer"
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        errors["note"] = f"The note must be {MAX_NOTE} characters or fewer"
    chosen = {s.id: s for s in facilitator_choices(session, actor)}.get(facilitator_id)
    if chosen is None:
        errors["facilitator_id"] = "Choose the facilitator from the list"
    if errors:
        raise ValidationError(errors)
    return {
        "held_on": held_on,
        "place": place,
        "topic": topic,
        "note": note,
        "facilitator_id": chosen.id,
        "team_id": chosen.team_id,
    }


def create_session(
    session,
    *,
    held_on: date | None,
    place: str | None,
    facilitator_id: int | None,
    topic: str | None,
    note: str | None,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
) -> GroupSession:
    """Record a group session; it belongs to the facilitator's team (for a caseworker or team
    leader, always their own). The same form sent twice (``submission_token``: a double click,
    a resend after a slow answer) records one session, shown again."""
    if not can_use_groups(actor):
        raise ValidationError({"": "Only caseworkers, team leaders and admins record sessions"})
    key = form_key(f"group:{actor.id}", submission_token)
    if (earlier := made_by_key(session, GroupSession.submission_key, key)) is not None:
        return earlier
    details = _details(
        session,
        actor,
        held_on=held_on,
        place=place,
        facilitator_id=facilitator_id,
        topic=topic,
        note=note,
        now=now,
    )

    def record() -> GroupSession:
        group = GroupSession(
            **details, created_by_id=actor.id, created_at=now, updated_at=now, submission_key=key
        )
        session.add(group)
        session.flush()
        record_event(
            session,
            action="group_session.create",
            actor=actor,
            origin=origin,
            record_type="group_session",
            record_id=group.id,
            at=now,
            detail={"held_on": held_on.isoformat(), "team_id": group.team_id},
        )
        session.commit()
        return group

    return made_once(session, GroupSession.submission_key, key, record)


def _stale() -> ValidationError:
    return ValidationError(
        {
            "": "Someone changed this session after you opened this page. Your changes have not "
            "been saved. The page now shows it as it is: check it, then save again."
        }
    )


@refuse_stale(_stale)
def edit_session(
    session,
    session_id: int,
    *,
    held_on: date | None,
    place: str | None,
    facilitator_id: int | None,
    topic: str | None,
    note: str | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> GroupSession:
    """Change a session's details; a save over a change made since the page was opened is
    refused. It stays with its team: the facilitator must be one of that team."""
    group = get_session(session, session_id, actor, origin=origin, now=now, audit_view=False)
    if expected_version is None or group.version != expected_version:
        raise _stale()
    details = _details(
        session,
        actor,
        held_on=held_on,
        place=place,
        facilitator_id=facilitator_id,
        topic=topic,
        note=note,
        now=now,
    )
    if details.pop("team_id") != group.team_id:
        raise ValidationError({"facilitator_id": "Choose a facilitator from the session's team"})
    if group.attendance and details["held_on"] != group.held_on:
        raise ValidationError(
            {"held_on": "Attendance has been recorded, so the date of the session cannot change"}
        )
    changed = sorted(k for k, v in details.items() if getattr(group, k) != v)
    if not changed:
        session.rollback()
        return group
    for key, value in details.items():
        setattr(group, key, value)
    group.updated_at = now
    session.flush()  # a concurrent save is refused by refuse_stale
    record_event(
        session,
        action="group_session.edit",
        actor=actor,
        origin=origin,
        record_type="group_session",
        record_id=group.id,
        at=now,
        detail={"changed": changed},
    )
    session.commit()
    return group


@refuse_stale(_stale)
def cancel_session(
    session,
    session_id: int,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> dict:
    """Cancel a session that did not take place (or will not): those who may change it may
    cancel it while no attendance is recorded, and it is deleted, so it never counts in the
    return. Nothing about anyone is lost; the audit (``group_session.cancel``) keeps its date,
    topic, place, facilitator and team. A cancel over a change made since the page was opened
    is refused. Returns what the session was."""
    group = get_session(session, session_id, actor, origin=origin, now=now, audit_view=False)
    if expected_version is None or group.version != expected_version:
        raise _stale()
    recorded = session.scalar(
        sa.select(sa.func.count())
        .select_from(GroupAttendance)
        .where(GroupAttendance.session_id == group.id)
    )
    if recorded:
        raise ValidationError(
            {"": "Attendance has been recorded for this session, so it cannot be cancelled"}
        )
    was = {
        "held_on": group.held_on.isoformat(),
        "topic": group.topic,
        "place": group.place,
        "facilitator_id": group.facilitator_id,
        "team_id": group.team_id,
    }
    session.delete(group)
    try:
        session.flush()  # a concurrent change is refused by refuse_stale
    except IntegrityError:  # attendance recorded at the same moment
        session.rollback()
        raise ValidationError(
            {"": "Attendance has been recorded for this session, so it cannot be cancelled"}
        ) from None
    record_event(
        session,
        action="group_session.cancel",
        actor=actor,
        origin=origin,
        record_type="group_session",
        record_id=session_id,
        at=now,
        detail=was,
    )
    session.commit()
    return was


# --- attendance -------------------------------------------------------------------------------


def _born_after(day: date) -> date:
    """Everyone under 18 on ``day`` was born after this date (a day early for 29 February,
    which :func:`young_on` settles exactly)."""
    try:
        return day.replace(year=day.year - YOUNG_UNDER)
    except ValueError:  # 29 February
        return date(day.year - YOUNG_UNDER, 2, 28)


def young_on(person: Person, day: date) -> bool:
    """Under 18 on ``day`` (spec 3.1); not known to be when the date of birth is missing."""
    born = person.date_of_birth
    return born is not None and age_on(born, day) < YOUNG_UNDER


def young_people(session, group: GroupSession, viewer) -> list[Case]:
    """The young people who may be recorded at ``group``: the open cases of its team that
    ``viewer`` may see, whose person is under 18 on the day, not recorded there already."""
    recorded = sa.select(GroupAttendance.case_id).where(GroupAttendance.session_id == group.id)
    cases = session.scalars(
        sa.select(Case)
        .join(Person, Person.id == Case.person_id)
        .options(joinedload(Case.person))
        .where(
            Case.team_id == group.team_id,
            Case.status == "open",
            visible_cases_clause(viewer),
            Person.date_of_birth > _born_after(group.held_on) - timedelta(days=1),
            Case.id.not_in(recorded),
        )
        .order_by(Case.reference)
    )
    return [c for c in cases if young_on(c.person, group.held_on)]


@dataclass(frozen=True)
class AttendanceRow:
    """One young person recorded at a session, as ``viewer`` may see them."""

    attendance: GroupAttendance
    reference: str
    name: str | None  # None: a colleague's young person, whose case the viewer may not open
    case_id: int | None


def attendance_rows(session, group: GroupSession, viewer) -> list[AttendanceRow]:
    """Who was recorded at ``group``, by case reference; names only of the cases ``viewer``
    may see."""
    found = session.scalars(
        sa.select(GroupAttendance)
        .options(joinedload(GroupAttendance.case).joinedload(Case.person))
        .where(GroupAttendance.session_id == group.id)
    )
    rows = []
    for a in found:
        visible = can_view_case(viewer, a.case)
        rows.append(
            AttendanceRow(
                attendance=a,
                reference=a.case.reference,
                name=a.case.person.name if visible else None,
                case_id=a.case_id if visible else None,
            )
        )
    return sorted(rows, key=lambda r: r.reference)


def record_attendance(
    session,
    session_id: int,
    *,
    case_id: int | None,
    attended: bool | None,
    actor,
    origin: Origin,
    now: datetime,
) -> GroupAttendance:
    """Record whether a young person attended a session held on or before today: once for each
    young person (to the case's timeline, under its person). Another team's case, a closed
    case, an adult's and one the actor may not see are refused alike."""
    group = get_session(session, session_id, actor, origin=origin, now=now, audit_view=False)
    if group.held_on > local_today(now):
        raise ValidationError({"": "Attendance can be recorded once the session has been held"})
    errors: dict[str, str] = {}
    if attended is None:
        errors["attended"] = "Select whether they attended"
    case = session.get(Case, case_id) if case_id and 0 < case_id <= MAX_ID else None
    if (
        case is None
        or case.team_id != group.team_id
        or case.status != "open"
        or not can_view_case(actor, case)
        or not young_on(case.person, group.held_on)
    ):
        errors["case_id"] = "Choose a young person from the list"
    elif any(a.case_id == case.id for a in group.attendance):
        errors["case_id"] = "Attendance for this young person is already recorded"
    if errors:
        raise ValidationError(errors)
    row = GroupAttendance(
        session_id=group.id,
        case_id=case.id,
        attended=attended,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # recorded at the same moment by someone else
        session.rollback()
        raise ValidationError(
            {"case_id": "Attendance for this young person is already recorded"}
        ) from None
    audit_case(
        session,
        case,
        "group_session.attendance",
        actor=actor,
        origin=origin,
        at=now,
        detail={
            "session_id": group.id,
            "attended": attended,
            "held_on": group.held_on.isoformat(),
        },
    )
    session.commit()
    return row


def sessions_attended(session, case: Case) -> list[GroupSession]:
    """The group sessions this case's young person attended, newest first."""
    return list(
        session.scalars(
            sa.select(GroupSession)
            .join(GroupAttendance, GroupAttendance.session_id == GroupSession.id)
            .where(GroupAttendance.case_id == case.id, GroupAttendance.attended.is_(True))
            .order_by(GroupSession.held_on.desc(), GroupSession.id.desc())
        )
    )


# --- the quarterly return ---------------------------------------------------------------------


@dataclass(frozen=True)
class SessionLine:
    """One session of the quarter, as the return shows it: no names."""

    session_id: int
    held_on: date
    team: str
    topic: str
    attended: int
    did_not_attend: int
    references: tuple[str, ...]


@dataclass(frozen=True)
class GroupReturn:
    """The quarter's group sessions: how many were held (on or before today, UK date) and how
    many young people attended; ``planned`` counts those of the quarter still to come, which
    are not held and have no line."""

    quarter: FinancialQuarter
    lines: list[SessionLine]
    planned: int = 0

    @property
    def sessions_held(self) -> int:
        """Sessions held in the quarter, up to today."""
        return len(self.lines)

    @property
    def attendances(self) -> int:
        """Attendances, counting a young person once for each session."""
        return sum(line.attended for line in self.lines)

    @property
    def young_people(self) -> int:
        """Different young people attending at least one session."""
        return len({r for line in self.lines for r in line.references})


def group_return(
    session, viewer, quarter: FinancialQuarter, *, origin: Origin, now: datetime
) -> GroupReturn:
    """The sessions ``viewer`` may see held in ``quarter`` (dated on or before today, UK date),
    with attendance counts and the case references of those who attended (for the quarterly
    return: no names), and how many of the quarter's sessions are still planned. A cancelled
    session is deleted, so never counts. Audited."""
    today = local_today(now)
    groups = list(
        session.scalars(
            sa.select(GroupSession)
            .options(
                joinedload(GroupSession.team),
                joinedload(GroupSession.attendance).joinedload(GroupAttendance.case),
            )
            .where(
                visible_sessions_clause(viewer),
                GroupSession.held_on >= quarter.start,
                GroupSession.held_on < quarter.end,
            )
            .order_by(GroupSession.held_on, GroupSession.id)
        ).unique()
    )
    lines = [
        SessionLine(
            session_id=g.id,
            held_on=g.held_on,
            team=g.team.name,
            topic=g.topic,
            attended=sum(1 for a in g.attendance if a.attended),
            did_not_attend=sum(1 for a in g.attendance if not a.attended),
            references=tuple(sorted(a.case.reference for a in g.attendance if a.attended)),
        )
        for g in groups
        if g.held_on <= today
    ]
    planned = sum(1 for g in groups if g.held_on > today)
    record_event(
        session,
        action="group_session.export",
        actor=viewer,
        origin=origin,
        record_type="group_session",
        at=now,
        detail={"quarter": quarter.code},
    )
    session.commit()
    return GroupReturn(quarter=quarter, lines=lines, planned=planned)
