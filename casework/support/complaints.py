"""Complaints about the service (spec 9 "LLR resident focus"): every complaint is recorded,
investigated and decided, action is taken to remedy those upheld, and all complaints and their
actions go in the quarterly monitoring return.

A complaint belongs to a team: the team of the case it is about, or the recorder's team. The
team's leaders and admins record, investigate and decide it; a caseworker may record one they
received (and see what they recorded) but not decide it, since it may be about them. Analysts see
the quarter's counts only, never what a complaint says. To anyone else another team's complaint
does not exist.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casework.access import can_view_case, is_admin, refuse
from casework.audit import Origin, audit_case, record_event
from casework.cases.models import Case
from casework.db import MAX_ID, db, form_key, made_by_key, made_once, refuse_stale
from casework.errors import ValidationError
from casework.staff.models import Staff
from casework.staff.vetting import local_today
from casework.support.models import COMPLAINT_CHANNELS, COMPLAINT_OUTCOMES, Complaint
from casework.support.monitoring_quarter import FinancialQuarter

RECORDING_ROLES = {"caseworker", "team_leader", "admin"}
RETURN_ROLES = {"analyst", "team_leader", "admin"}
NEEDS_ACTION = ("upheld", "partly_upheld")
INVESTIGATOR_ROLES = ("caseworker", "team_leader")
PER_PAGE = 25
MAX_ABOUT, MAX_INVESTIGATION, MAX_ACTION = 4000, 8000, 2000
EARLIEST = date(2018, 4, 1)
OUTCOME_FILTERS = {"open": "Not decided yet", **COMPLAINT_OUTCOMES}


# --- who may see what -------------------------------------------------------------------------


def can_record_complaint(viewer) -> bool:
    """Caseworkers, team leaders and admins record complaints they receive."""
    return getattr(viewer, "role", None) in RECORDING_ROLES


def can_manage_complaint(viewer, complaint: Complaint) -> bool:
    """Investigating and deciding a complaint is for the leaders of its team and admins."""
    if complaint is None or viewer is None:
        return False
    if is_admin(viewer):
        return True
    return (
        viewer.role == "team_leader"
        and viewer.team_id is not None
        and viewer.team_id == complaint.team_id
    )


def can_see_complaint(viewer, complaint: Complaint) -> bool:
    """Those who manage it, and the caseworker who recorded it."""
    if can_manage_complaint(viewer, complaint):
        return True
    return (
        complaint is not None
        and getattr(viewer, "role", None) == "caseworker"
        and complaint.recorded_by_id == viewer.id
    )


def visible_complaints_clause(viewer):
    """The SQL form of :func:`can_see_complaint`, for lists."""
    role = getattr(viewer, "role", None)
    if role == "admin":
        return sa.true()
    if role == "team_leader" and viewer.team_id is not None:
        return Complaint.team_id == viewer.team_id
    if role == "caseworker":
        return Complaint.recorded_by_id == viewer.id
    return sa.false()


def _counted_clause(viewer):
    """Complaints counted in ``viewer``'s return: every team's for analysts and admins, the
    team's for its leaders."""
    role = getattr(viewer, "role", None)
    if role in ("analyst", "admin"):
        return sa.true()
    if role == "team_leader" and viewer.team_id is not None:
        return Complaint.team_id == viewer.team_id
    return sa.false()


def may_see_return(viewer) -> bool:
    """Analysts, team leaders and admins see the quarterly counts."""
    return getattr(viewer, "role", None) in RETURN_ROLES


def may_see_return_lines(viewer) -> bool:
    """Each complaint's line (its dates, channel, outcome and action taken) is for those who
    manage complaints; analysts see the counts only."""
    return getattr(viewer, "role", None) in ("team_leader", "admin")


# --- lists and pages --------------------------------------------------------------------------


def list_complaints(
    session,
    viewer,
    *,
    quarter: FinancialQuarter | None,
    outcome: str | None,
    page: int,
    origin: Origin,
    now: datetime,
    per_page: int = PER_PAGE,
):
    """The complaints ``viewer`` may see, those not yet decided first, then newest received;
    of ``quarter`` (by the date received) and ``outcome`` (a COMPLAINT_OUTCOMES key, or "open")
    when given. A page of Flask-SQLAlchemy's Pagination; the view is audited."""
    query = (
        sa.select(Complaint)
        .options(joinedload(Complaint.case), joinedload(Complaint.team))
        .where(visible_complaints_clause(viewer))
        .order_by(
            Complaint.outcome.is_not(None),
            Complaint.received_on.desc(),
            Complaint.id.desc(),
        )
    )
    if quarter is not None:
        query = query.where(
            Complaint.received_on >= quarter.start, Complaint.received_on < quarter.end
        )
    if outcome == "open":
        query = query.where(Complaint.outcome.is_(None))
    elif outcome in COMPLAINT_OUTCOMES:
        query = query.where(Complaint.outcome == outcome)
    found = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    record_event(
        session,
        action="complaint.list",
        actor=viewer,
        origin=origin,
        record_type="complaint",
        at=now,
        detail={"quarter": quarter.code if quarter else None, "outcome": outcome, "page": page},
    )
    session.commit()
    return found


def get_complaint(
    session,
    complaint_id: int,
    viewer,
    *,
    origin: Origin,
    now: datetime,
    audit_view: bool = True,
) -> Complaint:
    """A complaint ``viewer`` may see, the view audited (``complaint.view``, filed under the
    case's person when it is linked to a case; not on the case's timeline, as a case's own
    views are not); a missing one and another team's are the same NotFound, the refusal
    audited. Services that load it to change it pass ``audit_view=False``: the change is
    audited instead."""
    complaint = session.get(Complaint, complaint_id) if 0 < complaint_id <= MAX_ID else None
    if complaint is None or not can_see_complaint(viewer, complaint):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="complaint",
            record_id=complaint_id,
            now=now,
        )
    if audit_view:
        record_event(
            session,
            action="complaint.view",
            actor=viewer,
            origin=origin,
            record_type="complaint",
            record_id=complaint.id,
            person_id=complaint.case.person_id if complaint.case is not None else None,
            at=now,
        )
        session.commit()
    return complaint


def case_complaints(session, case: Case) -> list[Complaint]:
    """The complaints linked to a case, newest received first."""
    return list(
        session.scalars(
            sa.select(Complaint)
            .where(Complaint.case_id == case.id)
            .order_by(Complaint.received_on.desc(), Complaint.id.desc())
        )
    )


def investigator_choices(session, complaint: Complaint) -> list[Staff]:
    """Who may investigate: the active caseworkers and team leaders of the complaint's team."""
    return list(
        session.scalars(
            sa.select(Staff)
            .where(
                Staff.team_id == complaint.team_id,
                Staff.active.is_(True),
                Staff.role.in_(INVESTIGATOR_ROLES),
            )
            .order_by(Staff.name, Staff.id)
        )
    )


def _audit(session, complaint: Complaint, action: str, *, actor, origin, now, detail: dict):
    """A change to a complaint: on its case's timeline when it is linked to one (no text of
    the complaint, just what happened), else under the complaint."""
    detail = {"complaint_id": complaint.id, **detail}
    if complaint.case is not None:
        audit_case(
            session, complaint.case, action, actor=actor, origin=origin, at=now, detail=detail
        )
    else:
        record_event(
            session,
            action=action,
            actor=actor,
            origin=origin,
            record_type="complaint",
            record_id=complaint.id,
            at=now,
            detail=detail,
        )


# --- recording --------------------------------------------------------------------------------


def _received_on(received_on: date | None, now: datetime, errors: dict) -> None:
    if received_on is None:
        errors["received_on"] = "Enter the date the complaint was received"
    elif received_on > local_today(now):
        errors["received_on"] = "The date the complaint was received cannot be in the future"
    elif received_on < EARLIEST:
        errors["received_on"] = f"The date received cannot be before {EARLIEST:%-d %B %Y}"


def find_case(session, reference: str | None, viewer) -> Case | None:
    """The case with this reference when ``viewer`` may see it, else None (a missing case and
    another team's read the same)."""
    text = (reference or "").strip().upper()
    if not text or len(text) > 20:
        return None
    case = session.scalar(sa.select(Case).where(Case.reference == text))
    return case if case is not None and can_view_case(viewer, case) else None


def record_complaint(
    session,
    *,
    received_on: date | None,
    channel: str | None,
    about: str | None,
    case_reference: str | None,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
) -> Complaint:
    """Record a complaint received: when, how and what it is about, and the case it concerns
    when there is one (a case the recorder may see). Its team is the case's, else the
    recorder's. The same form sent twice (``submission_token``) records one complaint."""
    if not can_record_complaint(actor):
        raise ValidationError({"": "Only caseworkers, team leaders and admins record complaints"})
    key = form_key(f"complaint:{actor.id}", submission_token)
    if (earlier := made_by_key(session, Complaint.submission_key, key)) is not None:
        return earlier
    errors: dict[str, str] = {}
    _received_on(received_on, now, errors)
    if channel not in COMPLAINT_CHANNELS:
        errors["channel"] = "Select how the complaint was received"
    about = (about or "").strip()
    if not about:
        errors["about"] = "Enter what the complaint is about"
    elif len(about) > MAX_ABOUT:
        errors["about"] = f"What the complaint is about must be {MAX_ABOUT} characters or fewer"
    case = None
    if (case_reference or "").strip():
        case = find_case(session, case_reference, actor)
        if case is None:
            errors["case_reference"] = "No case you can see has that reference"
    elif actor.team_id is None:
        errors["case_reference"] = (
            "Enter the case it is about: your account has no team to handle it"
        )
    if errors:
        raise ValidationError(errors)

    def record() -> Complaint:
        complaint = Complaint(
            team_id=case.team_id if case else actor.team_id,
            case_id=case.id if case else None,
            received_on=received_on,
            channel=channel,
            about=about,
            recorded_by_id=actor.id,
            created_at=now,
            updated_at=now,
            submission_key=key,
        )
        complaint.case = case
        session.add(complaint)
        session.flush()
        _audit(
            session,
            complaint,
            "complaint.record",
            actor=actor,
            origin=origin,
            now=now,
            detail={"channel": channel, "received_on": received_on.isoformat()},
        )
        session.commit()
        return complaint

    return made_once(session, Complaint.submission_key, key, record)


def _stale() -> ValidationError:
    return ValidationError(
        {
            "": "Someone changed this complaint after you opened this page. Your changes have "
            "not been saved. The page now shows it as it is: check it, then save again."
        }
    )


@refuse_stale(_stale)
def update_complaint(
    session,
    complaint_id: int,
    *,
    investigation: str | None,
    investigated_by_id: int | None,
    outcome: str | None,
    outcome_on: date | None,
    action_taken: str | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> Complaint:
    """Record the investigation (notes, investigator) and, when decided, the outcome, its date
    (not before the complaint was received, not in the future) and the action taken (required
    when upheld or partly upheld, spec 9). A save over a change made since the page was
    opened is refused; a later change of outcome is allowed and audited."""
    complaint = get_complaint(
        session, complaint_id, actor, origin=origin, now=now, audit_view=False
    )
    if not can_manage_complaint(actor, complaint):
        raise ValidationError(
            {"": "Only a team leader of the complaint's team can investigate and decide it"}
        )
    if expected_version is None or complaint.version != expected_version:
        raise _stale()
    errors: dict[str, str] = {}
    investigation = (investigation or "").strip() or None
    if investigation and len(investigation) > MAX_INVESTIGATION:
        errors["investigation"] = (
            f"The investigation notes must be {MAX_INVESTIGATION} characters or fewer"
        )
    investigator = None
    if investigated_by_id:
        chosen = {s.id: s for s in investigator_choices(session, complaint)}
        investigator = chosen.get(investigated_by_id)
        if investigator is None and investigated_by_id != complaint.investigated_by_id:
            errors["investigated_by_id"] = "Choose the investigator from the list"
    action_taken = (action_taken or "").strip() or None
    if action_taken and len(action_taken) > MAX_ACTION:
        errors["action_taken"] = f"The action taken must be {MAX_ACTION} characters or fewer"
    if outcome in (None, ""):
        outcome = None
        if outcome_on is not None:
            errors["outcome"] = "Select the outcome, or leave the date of the outcome blank"
    elif outcome not in COMPLAINT_OUTCOMES:
        errors["outcome"] = "Select the outcome"
    else:
        if outcome_on is None:
            errors["outcome_on"] = "Enter the date of the outcome"
        elif outcome_on > local_today(now):
            errors["outcome_on"] = "The date of the outcome cannot be in the future"
        elif outcome_on < complaint.received_on:
            errors["outcome_on"] = (
                "The date of the outcome cannot be before the complaint was received "
                f"({complaint.received_on:%-d %B %Y})"
            )
        if outcome in NEEDS_ACTION and not action_taken:
            errors["action_taken"] = (
                "Enter the action taken to put things right: the complaint is "
                f"{COMPLAINT_OUTCOMES[outcome].lower()}"
            )
    if errors:
        raise ValidationError(errors)
    new = {
        "investigation": investigation,
        "investigated_by_id": investigated_by_id or None,
        "outcome": outcome,
        "outcome_on": outcome_on,
        "action_taken": action_taken,
    }
    changed = sorted(k for k, v in new.items() if getattr(complaint, k) != v)
    if not changed:
        session.rollback()
        return complaint
    before = complaint.outcome
    for key, value in new.items():
        setattr(complaint, key, value)
    complaint.updated_at = now
    session.flush()  # a concurrent save is refused by refuse_stale
    if outcome != before:
        action = "complaint.decided" if before is None else "complaint.outcome_changed"
        detail = {"outcome": outcome, "before": before}
    else:
        action, detail = "complaint.investigation", {"changed": changed}
    _audit(session, complaint, action, actor=actor, origin=origin, now=now, detail=detail)
    session.commit()
    return complaint


# --- the quarterly return ---------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintLine:
    """One complaint as the return shows it: dates, channel, outcome and the action taken (the
    commissioner asks for every complaint and its action, spec 9); never what it says about
    anyone, nor its case."""

    complaint_id: int
    received_on: date
    channel: str
    outcome: str | None
    outcome_on: date | None
    action_taken: str | None


@dataclass(frozen=True)
class ComplaintReturn:
    """The quarter's complaints (by the date received): counts by channel and by outcome
    ("open" for those not yet decided), and each one's line for those who may see it."""

    quarter: FinancialQuarter
    total: int
    by_channel: dict[str, int]
    by_outcome: dict[str, int]
    lines: list[ComplaintLine]


def complaint_return(
    session, viewer, quarter: FinancialQuarter, *, origin: Origin, now: datetime
) -> ComplaintReturn:
    """The quarterly return's complaints for ``viewer``: analysts and admins count every
    team's, a team leader their team's; the lines are left out for analysts. Audited."""
    found = list(
        session.scalars(
            sa.select(Complaint)
            .where(
                _counted_clause(viewer),
                Complaint.received_on >= quarter.start,
                Complaint.received_on < quarter.end,
            )
            .order_by(Complaint.received_on, Complaint.id)
        )
    )
    channels = Counter(c.channel for c in found)
    outcomes = Counter(c.outcome or "open" for c in found)
    lines = (
        [
            ComplaintLine(
                complaint_id=c.id,
                received_on=c.received_on,
                channel=c.channel,
                outcome=c.outcome,
                outcome_on=c.outcome_on,
                action_taken=c.action_taken,
            )
            for c in found
        ]
        if may_see_return_lines(viewer)
        else []
    )
    record_event(
        session,
        action="complaint.export",
        actor=viewer,
        origin=origin,
        record_type="complaint",
        at=now,
        detail={"quarter": quarter.code},
    )
    session.commit()
    return ComplaintReturn(
        quarter=quarter,
        total=len(found),
        by_channel={k: channels.get(k, 0) for k in COMPLAINT_CHANNELS},
        by_outcome={k: outcomes.get(k, 0) for k in OUTCOME_FILTERS},
        lines=lines,
    )
