"""Closing a case, with its gate, and reopening one (issue 13 part 6; DESIGN.md D6 "before
closure", D9).

Closing asks for a reason (triage.closure.CLOSURE_REASONS). The gate (triage.closure
.closure_problems) refuses it, with nothing stored, while a reassessment it needs has not been
held or support plan actions are still open. When the team asks for closures to be approved
(TeamCaseloadSetting.closure_needs_approval), the request waits as an Approval of kind
"case_closure" and the case closes when a team leader approves it, if the gate still passes then.

Closing cancels the case's open obligations except re-engagement prompts (D9), which still fire
after closure. Every closure is a CaseClosure row, so reopening (with a reason) keeps the history.

Who: closing is asked for by anyone who may work the case (its caseworker, a team leader of its
team, an admin). Reopening is for team leaders of the case's team and admins: it restarts a
period of support and its deadlines, a decision like opening a case by a team leader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from casework.access import can_manage_case, can_view_case, can_work_case
from casework.approvals import requests as approvals
from casework.approvals.models import Approval
from casework.assessments.queries import held_assessments
from casework.audit import Origin, record_event
from casework.caseloads.settings import team_settings
from casework.cases.loading import viewable_case
from casework.cases.models import Case
from casework.closure.models import CaseClosure
from casework.errors import ValidationError
from casework.obligations import lifecycle
from casework.plans.models import OPEN_ACTION_STATUSES, PlanAction
from casework.staff.vetting import local_today
from triage.closure import (
    CLOSURE_REASONS,
    closing_reassessment_held,
    closure_problems,
)

KIND = "case_closure"
# Obligations that outlive the case: re-engagement prompts at court dates, sentencing and
# release still fire after closure (DESIGN.md D9), and the target-hardening follow-up falls 12
# months after the works, long after most cases close (D7).
KEPT_AFTER_CLOSURE = frozenset({"re_engagement", "th_follow_up"})
MAX_REOPEN_REASON = 500


@dataclass(frozen=True)
class ClosureChecklist:
    """What closing needs for one case, for the page to say before the form."""

    assessed: bool
    reassessment_held: bool
    open_actions: int
    needs_approval: bool
    pending: Approval | None
    # Other requests about the case still waiting for a team leader (a restorative justice
    # exception, a hardship payment, an onward referral): the case closes once each is decided.
    others_waiting: list[Approval]


@dataclass(frozen=True)
class ClosureOutcome:
    """What a closure request did: closed the case now, or left it waiting for approval."""

    closed: bool
    closure: CaseClosure | None = None
    approval: Approval | None = None


# --- reading -----------------------------------------------------------------------------


_case = viewable_case


def open_action_count(session, case_id: int) -> int:
    """How many of the case's support plan actions are still open (to do, in progress)."""
    return session.scalar(
        sa.select(sa.func.count(PlanAction.id)).where(
            PlanAction.case_id == case_id, PlanAction.status.in_(OPEN_ACTION_STATUSES)
        )
    )


def closure_checklist(session, case: Case, now: datetime) -> ClosureChecklist:
    """What closing ``case`` needs today (UK date of ``now``)."""
    held = held_assessments(session, case.id)
    return ClosureChecklist(
        assessed=bool(held),
        reassessment_held=closing_reassessment_held(held, local_today(now)),
        open_actions=open_action_count(session, case.id),
        needs_approval=bool(team_settings(session, case.team_id).closure_needs_approval),
        pending=approvals.pending_for_case(session, case.id, KIND),
        others_waiting=others_waiting(session, case.id),
    )


def others_waiting(session, case_id: int) -> list[Approval]:
    """The case's requests other than closure still waiting for a decision, oldest first."""
    return list(
        session.scalars(
            sa.select(Approval)
            .options(joinedload(Approval.requested_by), joinedload(Approval.case))
            .where(Approval.case_id == case_id, Approval.status == "pending", Approval.kind != KIND)
            .order_by(Approval.requested_at, Approval.id)
        )
    )


def closure_history(session, case_id: int) -> list[CaseClosure]:
    """Each time the case closed, newest first, with who reopened it and why."""
    return list(
        session.scalars(
            sa.select(CaseClosure)
            .options(
                joinedload(CaseClosure.closed_by),
                joinedload(CaseClosure.reopened_by),
                joinedload(CaseClosure.approval).joinedload(Approval.decided_by),
            )
            .where(CaseClosure.case_id == case_id)
            .order_by(CaseClosure.closed_at.desc(), CaseClosure.id.desc())
        )
    )


def reason_words(reason: str, words: str | None) -> str:
    """A closure's reason as the case shows it: the words for "other", else the label (and
    any words given)."""
    words = (words or "").strip()
    if reason == "other" or reason not in CLOSURE_REASONS:
        return words or CLOSURE_REASONS.get(reason, reason)
    label = CLOSURE_REASONS[reason]
    return f"{label}: {words}" if words else label


def gate_problems(session, case: Case, reason: str, words: str | None, now: datetime) -> dict:
    """Why ``case`` may not close for ``reason`` now (empty when it may): the rules of
    triage.closure, and any other request about the case still waiting for a decision, which
    closing would leave undecided on the approvals list for a case no one works."""
    problems = closure_problems(
        reason,
        words or "",
        held_assessments(session, case.id),
        open_action_count(session, case.id),
        local_today(now),
    )
    waiting = others_waiting(session, case.id)
    if waiting:
        asked = "; ".join(approvals.describe(approval) for approval in waiting)
        problems[""] = (
            f"A request about this case is still waiting for a team leader's decision ({asked}). "
            "It must be approved, refused or withdrawn before the case closes"
        )
    return problems


# --- closing -----------------------------------------------------------------------------


def close(
    session,
    case: Case,
    *,
    reason: str,
    words: str | None,
    closed_by_id: int,
    actor,
    origin: Origin,
    now: datetime,
    approval: Approval | None = None,
) -> CaseClosure:
    """Close ``case`` now (the gate already passed): status, a CaseClosure row, its open
    obligations cancelled but re-engagement prompts kept (D9); audited. The caller commits."""
    if case.status != "open":
        raise ValidationError({"reason": "This case is already closed"})
    words = (words or "").strip() or None
    shown = reason_words(reason, words)[:500]
    case.status, case.closed_at, case.closure_reason, case.updated_at = "closed", now, shown, now
    closure = CaseClosure(
        case_id=case.id,
        reason=reason,
        words=words,
        closed_at=now,
        closed_by_id=closed_by_id,
        approval_id=approval.id if approval is not None else None,
    )
    session.add(closure)
    cancelled = []
    # A first call or visit still owed on a referral closed into the case (the case opened
    # from it before anyone had reached the person) ends with the case too.
    owed_on_referrals = [
        o for r in case.referrals if r.status != "open" for o in r.obligations if not o.case_id
    ]
    for obligation in [*case.obligations, *owed_on_referrals]:
        if obligation.kind in KEPT_AFTER_CLOSURE:
            continue
        if obligation.met_at is None and obligation.status == "due":
            cancelled.append(obligation.id)
        lifecycle.cancel(session, obligation, now)
    record_event(
        session,
        action="case.close",
        actor=actor,
        origin=origin,
        record_type="case",
        record_id=case.id,
        person_id=case.person_id,
        at=now,
        detail={
            "reason": reason,
            "words": words,
            "cancelled_obligations": cancelled,
            **({"approval_id": approval.id} if approval is not None else {}),
        },
    )
    session.flush()
    return closure


def request_closure(
    session,
    case_id: int,
    *,
    reason: str,
    words: str | None,
    actor,
    origin: Origin,
    now: datetime,
) -> ClosureOutcome:
    """Ask to close a case: refused with the gate's problems on their fields (nothing stored);
    else closed now, or, when its team asks for approval, waiting for a team leader."""
    case = _case(session, case_id, actor, origin, now)
    if not can_work_case(actor, case):
        raise ValidationError(
            {
                "reason": "This case is already closed"
                if case.status != "open"
                else "Only the case's caseworker or a team leader can ask to close it"
            }
        )
    if approvals.pending_for_case(session, case.id, KIND) is not None:
        raise ValidationError({"": "A request to close this case is already waiting for approval"})
    problems = gate_problems(session, case, reason, words, now)
    if problems:
        raise ValidationError(problems)
    words = (words or "").strip() or None
    if team_settings(session, case.team_id).closure_needs_approval:
        approval = approvals.request(
            session,
            kind=KIND,
            case=case,
            reason=reason_words(reason, words),
            detail={"reason": reason, "words": words},
            actor=actor,
            origin=origin,
            now=now,
        )
        session.commit()
        return ClosureOutcome(closed=False, approval=approval)
    closure = close(
        session,
        case,
        reason=reason,
        words=words,
        closed_by_id=actor.id,
        actor=actor,
        origin=origin,
        now=now,
    )
    session.commit()
    return ClosureOutcome(closed=True, closure=closure)


def withdraw_closure_request(
    session, case_id: int, *, actor, origin: Origin, now: datetime
) -> Approval:
    """The person who asked takes back a closure request still waiting for approval."""
    case = _case(session, case_id, actor, origin, now)
    pending = approvals.pending_for_case(session, case.id, KIND)
    if pending is None:
        raise ValidationError({"": "No closure request is waiting for this case"})
    if pending.requested_by_id != actor.id:
        raise ValidationError({"": "Only the person who asked to close the case can withdraw it"})
    return approvals.withdraw(session, pending.id, actor=actor, origin=origin, now=now)


def _on_approved(session, approval: Approval, actor, origin: Origin, now: datetime) -> None:
    """A team leader approved a closure: close the case, if the gate still passes."""
    case = session.get(Case, approval.case_id)
    if case is None or case.status != "open":
        raise ValidationError({"": "This case is already closed. Refuse or leave the request."})
    reason, words = approval.detail.get("reason"), approval.detail.get("words")
    problems = gate_problems(session, case, reason, words, now)
    if problems:
        raise ValidationError(
            {"": "This closure can no longer be approved: " + "; ".join(problems.values())}
        )
    close(
        session,
        case,
        reason=reason,
        words=words,
        closed_by_id=approval.requested_by_id,
        actor=actor,
        origin=origin,
        now=now,
        approval=approval,
    )


def _describe(approval: Approval) -> str:
    reference = approval.case.reference if approval.case is not None else "a case"
    return f"Close case {reference}"


approvals.register(KIND, _on_approved, _describe)


# --- reopening ---------------------------------------------------------------------------


def reopen_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not reopen this case, or None when they may."""
    if case.status == "open":
        return "This case is open"
    if not can_manage_case(viewer, case):
        return "Only a team leader of the case's team can reopen it"
    return None


def _reschedule_after_reopen(session, case: Case, now: datetime, calendar) -> None:
    """Restart the reopened case's deadlines: its reassessment (D6) from its latest assessment
    (5 working days from now when that is already past) and, with a plan, its next plan review
    (D10), the first of the plan's cycle still to come."""
    from casework.assessments.deadlines import reschedule_reassessment
    from casework.plans.reviews import reschedule_plan_review

    reschedule_reassessment(session, case, now=now, calendar=calendar, reopened=True)
    reschedule_plan_review(session, case, now=now, calendar=calendar)


def reopen_case(
    session, case_id: int, *, reason: str, actor, origin: Origin, now: datetime, calendar
) -> Case:
    """Reopen a closed case with a reason (team leaders of its team, admins). Refused when the
    person has another open case. The closure stays in the history with who reopened it, when
    and why."""
    case = _case(session, case_id, actor, origin, now)
    refusal = reopen_refusal(actor, case)
    if refusal:
        raise ValidationError({"reopen_reason": refusal})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reopen_reason": "Give the reason for reopening the case"})
    if len(reason) > MAX_REOPEN_REASON:
        raise ValidationError(
            {"reopen_reason": f"The reason must be {MAX_REOPEN_REASON} characters or fewer"}
        )
    other = _other_open_case(session, case)
    if other is not None:
        raise ValidationError({"reopen_reason": _other_open_message(other, actor)})
    last = session.scalar(
        sa.select(CaseClosure)
        .where(CaseClosure.case_id == case.id, CaseClosure.reopened_at.is_(None))
        .order_by(CaseClosure.closed_at.desc(), CaseClosure.id.desc())
    )
    if last is not None:
        last.reopened_at, last.reopened_by_id, last.reopen_reason = now, actor.id, reason
    case.status, case.closed_at, case.closure_reason, case.updated_at = "open", None, None, now
    record_event(
        session,
        action="case.reopen",
        actor=actor,
        origin=origin,
        record_type="case",
        record_id=case.id,
        person_id=case.person_id,
        at=now,
        detail={"reason": reason, "closure_id": last.id if last is not None else None},
    )
    try:
        session.flush()
    except IntegrityError:
        # Another case of the person opened between the check and now (one open case each).
        session.rollback()
        raise ValidationError(
            {"reopen_reason": "This person now has another open case, so this one cannot reopen"}
        ) from None
    _reschedule_after_reopen(session, case, now, calendar)
    session.commit()
    return case


def _other_open_case(session, case: Case) -> Case | None:
    return session.scalar(
        sa.select(Case).where(
            Case.person_id == case.person_id, Case.status == "open", Case.id != case.id
        )
    )


def _other_open_message(other: Case, actor) -> str:
    """Why the case cannot reopen: the person's other open case, named only to someone who may
    see it (another team's case reference is theirs)."""
    if not can_view_case(actor, other):
        return (
            "This person has an open case held by another team, and a person has only one open "
            "case at a time. Ask that team's leader about working with them."
        )
    return (
        f"This person has another open case ({other.reference}), and a person has only one open "
        "case at a time. Work with that case instead, or close it first."
    )
