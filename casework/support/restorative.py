"""Restorative justice on a case (issue 15; spec 3.10; DESIGN.md Triage rules): a
victim-initiated request, its sensitive categories (those the police data shows, and any the
worker declares), the exceptional-circumstances approval a sensitive case needs, the facilitator,
the sessions held and the outcome.

Whether it may go ahead is triage.restorative's rule; a session, or an outcome that says it was
completed, is refused while the rule says it may not. The approval is a request of kind
"rj_exception" in the approvals registry: a team leader of the case's team (never the person who
asked) approves or refuses it on /approvals. The facilitator of a sensitive case (one holding
the restorative justice specialism, recorded as experienced) is chosen before asking, and the
approval covers the justification, the categories and the facilitator as they were when it was
asked: changing any of them afterwards needs asking again. A refusal or withdrawal puts the
request back to preparing.

Who: anyone who may work the case (its caseworker, a team leader of its team, an admin); a closed
case is read only; another team's case and its requests are NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casework.access import refuse
from casework.approvals import requests as approvals
from casework.approvals.models import Approval
from casework.audit import Origin, audit_case
from casework.cases.loading import (
    before_case_began,
    case_work_refusal,
    viewable_case,
    workable_case,
)
from casework.cases.models import Case
from casework.db import form_key, made_by_key, made_once, refuse_stale
from casework.errors import ValidationError
from casework.staff.models import Staff
from casework.staff.vetting import local_today
from casework.support.models import (
    RJ_OUTCOMES,
    RJ_SENSITIVE,
    RJ_TYPES,
    RestorativeJustice,
    RestorativeSession,
)
from triage.restorative import (
    RestorativeFacts,
    combined_sensitive,
    may_go_ahead,
    missing,
    police_sensitive,
    sensitive_words,
)

KIND = "rj_exception"
# The justification is the approval request's reason, which holds 1,000 characters.
MAX_JUSTIFICATION = approvals.MAX_REASON
MAX_NOTE = 2000
FACILITATOR_ROLES = ("caseworker", "team_leader")
SPECIALISM = "restorative_justice"
FINISHED = ("completed", "not_proceeding")
COMPLETED_OUTCOMES = ("agreement", "completed")
STALE = (
    "Someone changed this restorative justice request after you opened this page. Your "
    "changes have not been saved. The page now shows it as it is: check it, then save again."
)


def _conflict() -> ValidationError:
    return ValidationError({"": STALE})


@dataclass(frozen=True)
class RequestDetails:
    """What the worker records about a request for restorative contact."""

    requested_on: date | None
    offender_admitted_guilt: bool | None
    offender_accepted_responsibility: bool | None
    rj_type: str | None
    # Sensitive categories the worker declares (added to those the police data shows).
    declared: tuple[str, ...] = ()
    exceptional_justification: str | None = None


def work_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not start or change the case's restorative justice, or None."""
    return case_work_refusal(
        viewer,
        case,
        closed="its restorative justice can be read but not changed.",
        only="record restorative justice on it.",
    )


# --- the rules, for one request ----------------------------------------------------------


def police_categories(case: Case) -> tuple[str, ...]:
    """The sensitive categories the case's referrals (police flags and offence) show."""
    referrals = list(case.referrals)
    flags = {flag for r in referrals for flag in (r.flags or [])}
    return police_sensitive([r.offence for r in referrals], flags)


def exception_approved(rj: RestorativeJustice) -> bool:
    """A team leader approved the exceptional circumstances as they are recorded now: the
    justification and the facilitator unchanged and no category added since it was asked."""
    approval = rj.approval
    if approval is None or approval.status != "approved":
        return False
    detail = approval.detail or {}
    return (
        detail.get("justification") == rj.exceptional_justification
        and set(rj.sensitive or []) <= set(detail.get("sensitive") or [])
        and detail.get("facilitator_id") == rj.facilitator_id
    )


def is_specialist(staff: Staff | None) -> bool:
    """Whether ``staff`` holds the restorative justice specialism."""
    return staff is not None and SPECIALISM in (staff.specialisms or [])


def facts_of(rj: RestorativeJustice) -> RestorativeFacts:
    """The request as the rules see it."""
    return RestorativeFacts(
        requested_on=rj.requested_on,
        offender_admitted_guilt=bool(rj.offender_admitted_guilt),
        offender_accepted_responsibility=bool(rj.offender_accepted_responsibility),
        sensitive=tuple(rj.sensitive or ()),
        exceptional_justification=rj.exceptional_justification,
        approved=exception_approved(rj),
        facilitator_chosen=rj.facilitator_id is not None,
        facilitator_experienced=bool(rj.facilitator_experienced),
        facilitator_specialist=is_specialist(rj.facilitator),
    )


def missing_for(rj: RestorativeJustice) -> tuple[str, ...]:
    """What is missing before this request may go ahead, in words."""
    return missing(facts_of(rj))


def waiting_approval(rj: RestorativeJustice) -> bool:
    """Its exceptional circumstances wait for a team leader's decision."""
    return rj.approval is not None and rj.approval.status == "pending"


def status_of(rj: RestorativeJustice) -> str:
    """Where the request stands (RJ_STATUSES): before any session, worked out from the rules
    and the approval (a refusal decided on /approvals leaves it preparing)."""
    if rj.status in ("in_progress", *FINISHED):
        return rj.status
    if waiting_approval(rj):
        return "awaiting_approval"
    return "ready" if may_go_ahead(facts_of(rj)) else "preparing"


def _refresh_status(rj: RestorativeJustice) -> None:
    rj.status = status_of(rj)


# --- reading -----------------------------------------------------------------------------


def case_requests(session, case_id: int) -> list[RestorativeJustice]:
    """The case's restorative justice requests, newest first."""
    return list(
        session.scalars(
            sa.select(RestorativeJustice)
            .options(
                joinedload(RestorativeJustice.approval),
                joinedload(RestorativeJustice.facilitator),
            )
            .where(RestorativeJustice.case_id == case_id)
            .order_by(RestorativeJustice.created_at.desc(), RestorativeJustice.id.desc())
        )
    )


def request_of_case(
    session, case_id: int, rj_id: int, viewer, *, origin: Origin, now: datetime
) -> RestorativeJustice:
    """One of the case's requests, when ``viewer`` may see the case; else NotFound (audited)."""
    case = viewable_case(session, case_id, viewer, origin, now)
    rj = session.get(RestorativeJustice, rj_id)
    if rj is None or rj.case_id != case.id:
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="restorative_justice",
            record_id=rj_id,
            now=now,
        )
    return rj


def view_request(
    session, case_id: int, rj_id: int, viewer, *, origin: Origin, now: datetime
) -> RestorativeJustice:
    """A request to show, its view audited."""
    rj = request_of_case(session, case_id, rj_id, viewer, origin=origin, now=now)
    audit_case(
        session,
        rj.case,
        "restorative.view",
        actor=viewer,
        origin=origin,
        at=now,
        detail={"restorative_id": rj.id},
    )
    session.commit()
    return rj


def facilitator_choices(session, case: Case) -> list[Staff]:
    """Who may facilitate: the active caseworkers and team leaders of the case's team, those
    with the restorative justice specialism first, then by name."""
    found = session.scalars(
        sa.select(Staff).where(
            Staff.team_id == case.team_id,
            Staff.role.in_(FACILITATOR_ROLES),
            Staff.active.is_(True),
        )
    )
    return sorted(found, key=lambda s: (not is_specialist(s), s.name, s.id))


# --- starting and editing ----------------------------------------------------------------


def _text(value, limit: int, errors: dict, name: str, what: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        errors[name] = f"{what} must be {limit:,} characters or fewer"
    return text or None


def _checked(details: RequestDetails, case: Case, now: datetime) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    if details.requested_on is None:
        errors["requested_on"] = "Enter the date the victim asked for restorative contact"
    elif details.requested_on > local_today(now):
        errors["requested_on"] = "The date the victim asked cannot be in the future"
    elif early := before_case_began(details.requested_on, case):
        errors["requested_on"] = f"The date the victim asked {early}"
    if details.offender_admitted_guilt is None:
        errors["offender_admitted_guilt"] = "Select whether the offender has admitted guilt"
    if details.offender_accepted_responsibility is None:
        errors["offender_accepted_responsibility"] = (
            "Select whether the offender has accepted responsibility for the harm caused"
        )
    if details.rj_type not in RJ_TYPES:
        errors["rj_type"] = "Select the kind of restorative contact the victim wants"
    if any(k not in RJ_SENSITIVE for k in details.declared):
        errors["declared"] = "Select the categories from the list"
    justification = _text(
        details.exceptional_justification,
        MAX_JUSTIFICATION,
        errors,
        "exceptional_justification",
        "The exceptional circumstances",
    )
    return {"justification": justification}, errors


def _finished_refusal(rj: RestorativeJustice) -> None:
    if rj.status in FINISHED:
        raise ValidationError(
            {"": "This restorative process has finished: it can be read but not changed"}
        )


def _detail(rj: RestorativeJustice) -> dict:
    return {
        "restorative_id": rj.id,
        "rj_type": rj.rj_type,
        "sensitive": list(rj.sensitive or []),
        "status": rj.status,
    }


def check_request(details: RequestDetails, case: Case, now: datetime) -> None:
    """What starting or editing a request would refuse in these details (a ValidationError),
    storing nothing: so a form with problems of its own shows these too, all at once."""
    errors = _checked(details, case, now)[1]
    if errors:
        raise ValidationError(errors)


def start_request(
    session,
    case_id: int,
    details: RequestDetails,
    *,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
) -> RestorativeJustice:
    """Record a victim's request for restorative contact on a case the actor may work, its
    sensitive categories those the police data shows and any the worker declares. Refused with
    the problems, nothing stored, when anything is wrong. The same form sent twice
    (``submission_token``: a double click, a resend, two at once) makes one request."""
    case = workable_case(session, case_id, actor, origin, now, work_refusal)
    key = form_key(f"restorative:{actor.id}:{case.id}", submission_token)
    if (earlier := made_by_key(session, RestorativeJustice.submission_key, key)) is not None:
        return earlier
    tidy, errors = _checked(details, case, now)
    if errors:
        raise ValidationError(errors)
    police = police_categories(case)

    def start() -> RestorativeJustice:
        rj = RestorativeJustice(
            case_id=case.id,
            requested_on=details.requested_on,
            offender_admitted_guilt=details.offender_admitted_guilt,
            offender_accepted_responsibility=details.offender_accepted_responsibility,
            rj_type=details.rj_type,
            sensitive=list(combined_sensitive(police, details.declared)),
            sensitive_from_police=list(police),
            exceptional_justification=tidy["justification"],
            facilitator_experienced=False,
            created_by_id=actor.id,
            created_at=now,
            updated_at=now,
            submission_key=key,
        )
        rj.case = case
        session.add(rj)
        _refresh_status(rj)
        session.flush()
        audit_case(
            session,
            case,
            "restorative.start",
            actor=actor,
            origin=origin,
            at=now,
            detail={**_detail(rj), "from_police": list(police)},
        )
        session.commit()
        return rj

    return made_once(session, RestorativeJustice.submission_key, key, start)


def _workable_request(session, case_id, rj_id, actor, origin, now, expected_version):
    case = workable_case(session, case_id, actor, origin, now, work_refusal)
    rj = request_of_case(session, case.id, rj_id, actor, origin=origin, now=now)
    _finished_refusal(rj)
    if expected_version is not None and rj.version != expected_version:
        raise _conflict()
    return case, rj


@refuse_stale(_conflict)
def edit_request(
    session,
    case_id: int,
    rj_id: int,
    details: RequestDetails,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> RestorativeJustice:
    """Change what is recorded about a request. Sensitive categories are only added (never a
    police one, nor any other, taken away); the justification and categories cannot change
    while a team leader is deciding on them. A save over a change made since the page was
    opened is refused."""
    if expected_version is None:
        raise _conflict()
    case, rj = _workable_request(session, case_id, rj_id, actor, origin, now, expected_version)
    tidy, errors = _checked(details, case, now)
    if errors:
        raise ValidationError(errors)
    police = police_categories(case)
    sensitive = list(
        combined_sensitive(police, rj.sensitive_from_police, rj.sensitive, details.declared)
    )
    from_police = list(combined_sensitive(police, rj.sensitive_from_police))
    if waiting_approval(rj) and (
        tidy["justification"] != rj.exceptional_justification or sensitive != rj.sensitive
    ):
        raise ValidationError(
            {
                "exceptional_justification": "A team leader is deciding on the exceptional "
                "circumstances as they were asked: wait for their decision before changing the "
                "justification or the categories"
            }
        )
    if (
        rj.requested_on == details.requested_on
        and rj.offender_admitted_guilt == details.offender_admitted_guilt
        and rj.offender_accepted_responsibility == details.offender_accepted_responsibility
        and rj.rj_type == details.rj_type
        and rj.sensitive == sensitive
        and rj.sensitive_from_police == from_police
        and rj.exceptional_justification == tidy["justification"]
    ):
        session.rollback()
        return rj
    added = [k for k in sensitive if k not in (rj.sensitive or [])]
    rj.requested_on = details.requested_on
    rj.offender_admitted_guilt = details.offender_admitted_guilt
    rj.offender_accepted_responsibility = details.offender_accepted_responsibility
    rj.rj_type = details.rj_type
    rj.sensitive, rj.sensitive_from_police = sensitive, from_police
    rj.exceptional_justification = tidy["justification"]
    rj.updated_at = now
    _refresh_status(rj)
    session.flush()
    audit_case(
        session,
        case,
        "restorative.edit",
        actor=actor,
        origin=origin,
        at=now,
        detail={**_detail(rj), "added": added},
    )
    session.commit()
    return rj


# --- the exceptional-circumstances approval ------------------------------------------------


@refuse_stale(_conflict)
def ask_for_approval(
    session,
    case_id: int,
    rj_id: int,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> Approval:
    """Ask a team leader of the case's team to approve the exceptional circumstances of a
    sensitive case and its facilitator, as the justification, categories and facilitator stand
    now. The form's version is needed: asking about a request changed since the page was
    opened is refused."""
    if expected_version is None:
        raise _conflict()
    case, rj = _workable_request(session, case_id, rj_id, actor, origin, now, expected_version)
    if not rj.sensitive:
        raise ValidationError(
            {"": "This request is not in a sensitive category, so it needs no approval"}
        )
    if not rj.exceptional_justification:
        raise ValidationError(
            {
                "": "Record the exceptional circumstances (why restorative contact should go "
                "ahead in this case) before asking for approval"
            }
        )
    if rj.facilitator is None:
        raise ValidationError(
            {
                "": "Choose the facilitator (one with the restorative justice specialism, "
                "experienced and skilled enough for a sensitive case) before asking for approval"
            }
        )
    if not is_specialist(rj.facilitator):
        raise ValidationError(
            {
                "": f"{rj.facilitator.name} does not hold the restorative justice specialism: "
                "choose a facilitator who does before asking for approval"
            }
        )
    if not rj.facilitator_experienced:
        raise ValidationError(
            {
                "": "The facilitator is not recorded as experienced: a sensitive case needs an "
                "experienced facilitator before asking for approval"
            }
        )
    if waiting_approval(rj):
        raise ValidationError({"": "A team leader is already deciding on this request"})
    if exception_approved(rj):
        raise ValidationError({"": "A team leader has already approved this request"})
    approval = approvals.request(
        session,
        kind=KIND,
        case=case,
        reason=rj.exceptional_justification,
        detail={
            "restorative_id": rj.id,
            "justification": rj.exceptional_justification,
            "sensitive": list(rj.sensitive),
            "facilitator_id": rj.facilitator_id,
        },
        actor=actor,
        origin=origin,
        now=now,
    )
    rj.approval = approval
    rj.updated_at = now
    _refresh_status(rj)
    session.flush()
    audit_case(
        session,
        case,
        "restorative.exception_requested",
        actor=actor,
        origin=origin,
        at=now,
        detail={**_detail(rj), "approval_id": approval.id},
    )
    session.commit()
    return approval


def _on_approved(session, approval: Approval, actor, origin: Origin, now: datetime) -> None:
    """A team leader approved the exceptional circumstances: record it on the request."""
    rj = session.get(RestorativeJustice, (approval.detail or {}).get("restorative_id") or 0)
    if rj is None or rj.case_id != approval.case_id or rj.approval_id != approval.id:
        raise ValidationError({"": "This restorative justice request no longer asks for this."})
    if rj.status in FINISHED:
        raise ValidationError({"": "This restorative process has already finished."})
    if rj.case.status != "open":
        raise ValidationError(
            {
                "": "This case is closed, so its restorative justice cannot go ahead. Refuse "
                "the request, or reopen the case first."
            }
        )
    rj.updated_at = now
    _refresh_status(rj)
    session.flush()
    audit_case(
        session,
        rj.case,
        "restorative.exception_approved",
        actor=actor,
        origin=origin,
        at=now,
        detail={**_detail(rj), "approval_id": approval.id},
    )


def _on_closed(session, approval: Approval, actor, origin: Origin, now: datetime) -> None:
    """The request was refused or withdrawn: a request still preparing for its first session
    goes back to preparing (it may ask again), and the case's timeline says so."""
    rj = session.get(RestorativeJustice, (approval.detail or {}).get("restorative_id") or 0)
    if rj is None or rj.case_id != approval.case_id or rj.approval_id != approval.id:
        return
    if rj.status not in ("in_progress", *FINISHED):
        rj.updated_at = now
        _refresh_status(rj)
        session.flush()
    audit_case(
        session,
        rj.case,
        f"restorative.exception_{approval.status}",
        actor=actor,
        origin=origin,
        at=now,
        detail={**_detail(rj), "approval_id": approval.id},
    )


def _describe(approval: Approval) -> str:
    words = sensitive_words((approval.detail or {}).get("sensitive") or [])
    reference = approval.case.reference if approval.case is not None else "a case"
    return f"Restorative justice in a case of {words or 'a sensitive category'} ({reference})"


approvals.register(KIND, _on_approved, _describe, _on_closed)


# --- the facilitator ---------------------------------------------------------------------


@refuse_stale(_conflict)
def choose_facilitator(
    session,
    case_id: int,
    rj_id: int,
    *,
    facilitator_id: int | None,
    experienced: bool | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> RestorativeJustice:
    """Choose the facilitator (a caseworker or team leader of the case's team) and record
    whether they are experienced and skilled enough for a sensitive case. In a sensitive case
    the facilitator must hold the restorative justice specialism; changing the facilitator
    while a team leader decides on them is refused, and after their approval needs asking
    again."""
    if expected_version is None:
        raise _conflict()
    case, rj = _workable_request(session, case_id, rj_id, actor, origin, now, expected_version)
    errors: dict[str, str] = {}
    chosen = next((s for s in facilitator_choices(session, case) if s.id == facilitator_id), None)
    if chosen is None:
        errors["facilitator_id"] = "Choose a facilitator from the case's team"
    if experienced is None:
        errors["experienced"] = "Select whether the facilitator is experienced"
    if errors:
        raise ValidationError(errors)
    if rj.facilitator_id == chosen.id and rj.facilitator_experienced == experienced:
        session.rollback()
        return rj
    if waiting_approval(rj):
        raise ValidationError(
            {
                "facilitator_id": "A team leader is deciding on this facilitator as they were "
                "asked: wait for their decision before changing the facilitator"
            }
        )
    if rj.sensitive and not is_specialist(chosen):
        raise ValidationError(
            {
                "facilitator_id": "This is a sensitive case: choose a facilitator with the "
                "restorative justice specialism"
            }
        )
    rj.facilitator, rj.facilitator_experienced = chosen, experienced
    rj.facilitator_id = chosen.id  # read by exception_approved before the flush
    rj.updated_at = now
    _refresh_status(rj)
    session.flush()
    audit_case(
        session,
        case,
        "restorative.facilitator",
        actor=actor,
        origin=origin,
        at=now,
        detail={**_detail(rj), "facilitator_id": chosen.id, "experienced": experienced},
    )
    session.commit()
    return rj


# --- sessions and the outcome ------------------------------------------------------------


def _day_errors(day: date | None, rj: RestorativeJustice, now: datetime, name: str, what: str):
    if day is None:
        return {name: f"Enter the date {what}"}
    if day > local_today(now):
        return {name: f"The date {what} cannot be in the future"}
    if day < rj.requested_on:
        return {
            name: f"The date {what} cannot be before the victim asked for restorative contact "
            f"({rj.requested_on:%-d %B %Y})"
        }
    return {}


def _not_yet(rj: RestorativeJustice, what: str) -> None:
    reasons = missing_for(rj)
    if reasons:
        raise ValidationError({"": f"{what} until it may go ahead: " + "; ".join(reasons)})


@refuse_stale(_conflict)
def record_session(
    session,
    case_id: int,
    rj_id: int,
    *,
    held_on: date | None,
    kind: str | None,
    note: str | None,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
) -> RestorativeSession:
    """Record a session held (a conference, a call, a shuttle visit); refused while the
    process may not go ahead, and after it finished. The same form sent twice
    (``submission_token``: a double click, a resend) records one session."""
    case, rj = _workable_request(session, case_id, rj_id, actor, origin, now, None)
    key = form_key(f"rj_session:{actor.id}:{rj.id}", submission_token)
    if (earlier := made_by_key(session, RestorativeSession.submission_key, key)) is not None:
        return earlier
    _not_yet(rj, "No session can be recorded")
    errors = _day_errors(held_on, rj, now, "held_on", "the session was held")
    if kind not in RJ_TYPES:
        errors["kind"] = "Select the kind of session"
    text = _text(note, MAX_NOTE, errors, "note", "The note")
    if errors:
        raise ValidationError(errors)

    def record() -> RestorativeSession:
        held = RestorativeSession(
            held_on=held_on,
            kind=kind,
            note=text,
            recorded_by_id=actor.id,
            recorded_at=now,
            submission_key=key,
        )
        rj.sessions.append(held)
        rj.status = "in_progress"
        rj.updated_at = now
        session.flush()
        detail = {**_detail(rj), "session_id": held.id, "kind": kind, "held_on": str(held_on)}
        audit_case(
            session, case, "restorative.session", actor=actor, origin=origin, at=now, detail=detail
        )
        session.commit()
        return held

    return made_once(session, RestorativeSession.submission_key, key, record)


@refuse_stale(_conflict)
def record_outcome(
    session,
    case_id: int,
    rj_id: int,
    *,
    outcome: str | None,
    outcome_on: date | None,
    note: str | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> RestorativeJustice:
    """Record how the process ended (RJ_OUTCOMES): completed (with or without an agreement)
    only when it may go ahead and a session was held; withdrawn or unsuitable at any point."""
    if expected_version is None:
        raise _conflict()
    case, rj = _workable_request(session, case_id, rj_id, actor, origin, now, expected_version)
    errors: dict[str, str] = {}
    if outcome not in RJ_OUTCOMES:
        errors["outcome"] = "Select the outcome"
    errors.update(_day_errors(outcome_on, rj, now, "outcome_on", "of the outcome"))
    text = _text(note, MAX_NOTE, errors, "note", "The note")
    if errors:
        raise ValidationError(errors)
    if outcome in COMPLETED_OUTCOMES:
        _not_yet(rj, "It cannot be recorded as completed")
        if not rj.sessions:
            raise ValidationError(
                {"outcome": "Record the sessions held before recording it as completed"}
            )
    rj.outcome, rj.outcome_on, rj.outcome_note = outcome, outcome_on, text
    rj.status = "completed" if outcome in COMPLETED_OUTCOMES else "not_proceeding"
    rj.updated_at = now
    session.flush()
    audit_case(
        session,
        case,
        "restorative.outcome",
        actor=actor,
        origin=origin,
        at=now,
        detail={**_detail(rj), "outcome": outcome},
    )
    session.commit()
    return rj
