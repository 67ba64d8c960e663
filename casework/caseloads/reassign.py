"""A team leader reassigning a case to another caseworker of its team, with a reason: audited
with the old and new caseworker, refused when the form is stale, and the new caseworker told
(a "New to you" line on their caseload, and an email through the outbox)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from casework.access import can_manage_case, refuse
from casework.audit import Origin, audit_referral, record_event
from casework.caseloads.eligibility import refusal_to_take
from casework.caseloads.models import CaseReassignment
from casework.cases.models import Case
from casework.contact.recording import ATTEMPT_KINDS, UNMET_STATUSES
from casework.errors import ValidationError
from casework.messages import outbox
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from casework.staff.models import Staff

STALE = (
    "Someone else changed this case while you were reassigning it. "
    "Check who holds it now and try again."
)


def managed_case(session, case_id: int, actor, *, origin: Origin, now: datetime) -> Case:
    """A case ``actor`` may reassign (its team's leader, or an admin); else NotFound, audited."""
    case = session.get(Case, case_id)
    if case is None or not can_manage_case(actor, case):
        refuse(session, actor=actor, origin=origin, record_type="case", record_id=case_id, now=now)
    return case


def audit_case_view(session, case: Case, viewer, *, origin: Origin, now: datetime) -> None:
    """Record that ``viewer`` opened the case's reassignment page (it shows who it is about)."""
    record_event(
        session,
        action="case.view",
        actor=viewer,
        origin=origin,
        record_type="case",
        record_id=case.id,
        person_id=case.person_id,
        at=now,
        detail={"page": "reassign"},
    )
    session.commit()


def reassignment_choices(session, case: Case) -> list[Staff]:
    """The caseworkers a case may move to: the active caseworkers of its team but its own."""
    return list(
        session.scalars(
            sa.select(Staff)
            .where(
                Staff.role == "caseworker",
                Staff.active.is_(True),
                Staff.team_id == case.team_id,
                Staff.id != sa.func.coalesce(case.caseworker_id, 0),
            )
            .order_by(Staff.name, Staff.id)
        )
    )


def reassign_case(
    session,
    case_id: int,
    *,
    caseworker_id: int | None,
    reason: str,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> CaseReassignment:
    """Move an open case, and its open referrals, to another active caseworker of the case's
    team. ``version`` is the case's version the form showed: a case changed since is refused."""
    case = managed_case(session, case_id, actor, origin=origin, now=now)
    errors = {}
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        errors["reason"] = "Give the reason for reassigning the case"
    elif len(reason) > 500:
        errors["reason"] = "The reason must be 500 characters or fewer"
    if case.status != "open":
        errors["caseworker"] = "This case is closed: it cannot be reassigned"
    elif version != case.version:
        errors["caseworker"] = STALE
    worker = session.get(Staff, caseworker_id) if caseworker_id else None
    if "caseworker" not in errors:
        if worker is None:
            errors["caseworker"] = "Select the caseworker to reassign the case to"
        elif worker.id == case.caseworker_id:
            errors["caseworker"] = "The case is already with this caseworker: select another"
        else:
            problem = refusal_to_take(session, worker, now=now, case=case)
            if problem:
                errors["caseworker"] = problem
    if errors:
        raise ValidationError(errors)
    previous = case.caseworker_id
    case.caseworker_id = worker.id
    case.updated_at = now
    moved = CaseReassignment(
        case_id=case.id,
        from_worker_id=previous,
        to_worker_id=worker.id,
        reason=reason,
        by_id=actor.id,
        at=now,
    )
    session.add(moved)
    # The case's open referrals go with it, and any closed into it that still owe a first call
    # or visit (the case opened from it before anyone had reached the person): the new
    # caseworker makes that call, as their caseload and the deadline view say.
    owed = sa.exists().where(
        Obligation.referral_id == Referral.id,
        Obligation.kind.in_(ATTEMPT_KINDS),
        Obligation.met_at.is_(None),
        Obligation.status.in_(UNMET_STATUSES),
    )
    for referral in session.scalars(
        sa.select(Referral).where(
            Referral.case_id == case.id, sa.or_(Referral.status == "open", owed)
        )
    ):
        referral.allocated_to_id, referral.updated_at = worker.id, now
        audit_referral(
            session,
            referral,
            "referral.allocate",
            actor=actor,
            origin=origin,
            at=now,
            detail={"caseworker_id": worker.id, "with_case": case.id},
        )
    record_event(
        session,
        action="case.reassign",
        actor=actor,
        origin=origin,
        record_type="case",
        record_id=case.id,
        person_id=case.person_id,
        at=now,
        detail={"from": previous, "to": worker.id, "reason": reason},
    )
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise ValidationError({"caseworker": STALE}) from None
    _tell_new_caseworker(session, moved, case, worker, actor, now)
    session.commit()
    return moved


def _tell_new_caseworker(session, moved, case, worker, actor, now: datetime) -> None:
    """An email to the new caseworker through the outbox: which case and who moved it, never
    the person's details or the reason (those are in Waypoint, behind sign-in)."""
    outbox.queue_message(
        session,
        dedupe_key=f"case-reassigned:{moved.id}",
        kind="case_reassigned",
        channel="email",
        recipient=worker.email,
        subject=f"A case is now yours: {case.reference}",
        body=(
            f"{actor.name} has reassigned case {case.reference} to you. It is on your caseload, "
            f"marked New to you, with the reason.\n\nOpen it in Waypoint: /cases/{case.id}\n"
        ),
        now=now,
        send_after=now,
    )
