"""Making a case's support plan from its latest complete needs assessment, and adding and
changing its actions (issue 13 part 4; spec 3.8).

Every area the assessment marked as a priority proposes an action (the area and the person's
own words as a starting description) which the worker keeps, edits or drops; the person's goals
are in their own words. Making the plan owes its first review (D10). An action has a
description, an owner (the case's caseworker, a named colleague of the case's team, or a partner
agency), a due date no earlier than the day the plan was made and no more than two years ahead,
and a status; "no longer needed" needs a reason. A save over a change made since the page was
opened is refused with what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from casework.assessments.queries import latest_complete
from casework.audit import Origin
from casework.caseloads.settings import team_settings
from casework.cases.models import Case
from casework.errors import NotFound, ValidationError
from casework.obligations import lifecycle
from casework.plans.access import (
    audit,
    changes_since,
    conflict_message,
    viewable_case,
    workable_case,
)
from casework.plans.models import ACTION_OWNERS, ACTION_STATUSES, PlanAction, SupportPlan
from casework.referrals.models import PartnerAgency
from casework.staff.models import Staff
from casework.staff.vetting import LONDON
from triage.needs import AREAS
from triage.plans import plan_review_due

MAX_DESCRIPTION = 500
MAX_REASON = 500
MAX_GOALS = 5_000
FURTHEST_DUE = timedelta(days=2 * 366)
COLLEAGUE_ROLES = ("caseworker", "team_leader")

# What an action's edit can change, in the words a conflict message uses.
ACTION_WORDS = {
    "description": "the description",
    "owner": "who owns it",
    "due_on": "the due date",
    "status": "the status",
}


def touch(plan: SupportPlan, now: datetime) -> None:
    """Mark the plan changed (its version moves on), so a form opened before is refused."""
    plan.updated_at = now
    flag_modified(plan, "updated_at")


def local_day(moment: datetime) -> date:
    """The date in the UK at ``moment``."""
    return moment.astimezone(LONDON).date()


@dataclass(frozen=True)
class ProposedAction:
    """An action the assessment proposes: a priority area and the person's own words."""

    area: str
    label: str
    own_words: str | None

    @property
    def description(self) -> str:
        """The starting description: the area, then the person's words."""
        text = f"{self.label}: {self.own_words.strip()}" if self.own_words else self.label
        return text[:MAX_DESCRIPTION]


@dataclass(frozen=True)
class ActionDetails:
    """What a worker writes about an action."""

    description: str | None
    owner_kind: str | None = "caseworker"
    colleague_id: int | None = None
    partner_id: int | None = None
    due_on: date | None = None
    status: str | None = "to_do"
    status_reason: str | None = None


@dataclass(frozen=True)
class Creation:
    """What making the plan starts from: the case, its latest complete assessment, the actions
    it proposes."""

    case: Case
    assessment: object
    proposals: list[ProposedAction]


class ActionConflict(ValidationError):
    """The action changed after the editor opened it: nothing saved; carries it as it now is."""

    def __init__(self, action: PlanAction, message: str):
        self.action = action
        super().__init__({"": message})


# --- reading -----------------------------------------------------------------------------


def plan_of(session, case_id: int) -> SupportPlan | None:
    """The case's support plan, or None before one is made."""
    return session.scalar(sa.select(SupportPlan).where(SupportPlan.case_id == case_id))


def proposals_from(assessment) -> list[ProposedAction]:
    """The actions a complete assessment proposes: one per priority area, in the form's order."""
    by_area = {a.area: a for a in assessment.areas}
    return [
        ProposedAction(code, label, by_area[code].own_words)
        for code, label in AREAS.items()
        if code in by_area and by_area[code].priority
    ]


def colleagues(session, case: Case) -> list[Staff]:
    """Who may own an action as a named colleague: active caseworkers and team leaders of the
    case's team."""
    return list(
        session.scalars(
            sa.select(Staff)
            .where(
                Staff.team_id == case.team_id,
                Staff.active.is_(True),
                Staff.role.in_(COLLEAGUE_ROLES),
            )
            .order_by(Staff.name, Staff.id)
        )
    )


def partner_agencies(session) -> list[PartnerAgency]:
    """The partner agencies an action may be owned by, by name."""
    return list(session.scalars(sa.select(PartnerAgency).order_by(PartnerAgency.name)))


def for_creating(
    session, case_id: int, actor, *, origin: Origin, now: datetime, audit_view: bool = False
) -> Creation:
    """What the plan will be made from, when ``actor`` may make it: NotFound, or a
    ValidationError saying why not (no complete assessment yet, a plan already made, a closed
    case). With ``audit_view``, the form's showing is audited."""
    case = workable_case(session, case_id, actor, origin, now)
    if plan_of(session, case.id) is not None:
        raise ValidationError({"": "This case already has a support plan."})
    assessment = latest_complete(session, case.id)
    if assessment is None:
        raise ValidationError(
            {
                "": "Complete a needs assessment before making the support plan: the plan's "
                "actions follow from the assessment's priorities."
            }
        )
    if audit_view:
        audit(session, case, "support_plan.view_form", actor, origin, now, form="create")
        session.commit()
    return Creation(case, assessment, proposals_from(assessment))


def case_for_form(
    session, case_id: int, actor, *, form: str, origin: Origin, now: datetime, needs_plan=True
) -> Case:
    """The case whose plan form (``form``: action, goals, review, resilience) ``actor`` opens,
    its showing audited: NotFound, or a ValidationError saying why not (a closed case, no plan
    yet when ``needs_plan``)."""
    case = workable_case(session, case_id, actor, origin, now)
    if needs_plan and plan_of(session, case.id) is None:
        raise ValidationError({"": "This case has no support plan yet: create it first."})
    audit(session, case, "support_plan.view_form", actor, origin, now, form=form)
    session.commit()
    return case


# --- checking what was written -----------------------------------------------------------


def _text(value: str | None, limit: int, errors: dict, field: str, what: str, required=True):
    text = (value or "").strip()
    if required and not text:
        errors[field] = f"Enter {what}"
    elif len(text) > limit:
        errors[field] = f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer"
    return text or None


def checked_action(
    session, case: Case, details: ActionDetails, *, plan_day: date, today: date, prefix: str = ""
) -> tuple[ActionDetails, dict[str, str]]:
    """``details`` tidied, and the problems with it by form field (``prefix`` before each)."""
    errors: dict[str, str] = {}
    description = _text(
        details.description, MAX_DESCRIPTION, errors, f"{prefix}description", "a description"
    )
    owner, colleague_id, partner_id = details.owner_kind, None, None
    if owner not in ACTION_OWNERS:
        errors[f"{prefix}owner_kind"] = "Select who owns the action"
    elif owner == "colleague":
        found = session.get(Staff, details.colleague_id) if details.colleague_id else None
        if details.colleague_id is None:
            errors[f"{prefix}colleague"] = "Select the colleague who owns the action"
        elif (
            found is None
            or not found.active
            or found.team_id != case.team_id
            or found.role not in COLLEAGUE_ROLES
        ):
            errors[f"{prefix}colleague"] = (
                "The colleague must be an active member of this case's team: select one from "
                "the list"
            )
        else:
            colleague_id = found.id
    elif owner == "partner":
        found = session.get(PartnerAgency, details.partner_id) if details.partner_id else None
        if found is None:
            errors[f"{prefix}partner"] = "Select the partner agency from the list"
        else:
            partner_id = found.id
    due = details.due_on
    if due is None:
        errors[f"{prefix}due_on"] = "Enter the date the action is due"
    elif due < plan_day:
        errors[f"{prefix}due_on"] = (
            f"The due date cannot be before the plan was made ({plan_day:%-d %B %Y})"
        )
    elif due > today + FURTHEST_DUE:
        errors[f"{prefix}due_on"] = "The due date must be within two years"
    status = details.status
    reason = None
    if status not in ACTION_STATUSES:
        errors[f"{prefix}status"] = "Select the action's status"
    elif status == "not_needed":
        reason = _text(
            details.status_reason,
            MAX_REASON,
            errors,
            f"{prefix}status_reason",
            "why the action is no longer needed",
        )
    tidy = ActionDetails(description, owner, colleague_id, partner_id, due, status, reason)
    return tidy, errors


def _apply(action: PlanAction, details: ActionDetails) -> list[str]:
    """Put ``details`` on ``action``; the fields (ACTION_WORDS keys) that changed."""
    changed = []
    owner = (details.owner_kind, details.colleague_id, details.partner_id)
    if action.description != details.description:
        changed.append("description")
    if (action.owner_kind, action.owner_staff_id, action.owner_partner_id) != owner:
        changed.append("owner")
    if action.due_on != details.due_on:
        changed.append("due_on")
    if action.status != details.status or (action.status_reason or None) != details.status_reason:
        changed.append("status")
    action.description = details.description
    action.owner_kind, action.owner_staff_id, action.owner_partner_id = owner
    action.due_on, action.status, action.status_reason = (
        details.due_on,
        details.status,
        details.status_reason,
    )
    return changed


# --- changes -------------------------------------------------------------------------------


def review_every(session, case: Case) -> int:
    """The case's team's plan review interval in days (D10)."""
    return team_settings(session, case.team_id).plan_review_days


def create_plan(
    session,
    case_id: int,
    *,
    goals: str | None,
    actions: list[tuple[str | None, ActionDetails | None]],
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> SupportPlan:
    """Make the case's support plan from its latest complete assessment: the person's goals and
    the actions, each an (area or None, details) pair; details None is a proposal the worker
    dropped (kept in the list so each one's errors name its own fields). Owes the
    first review (D10) ``plan_review_days`` after today."""
    start = for_creating(session, case_id, actor, origin=origin, now=now)
    case, today = start.case, local_day(now)
    errors: dict[str, str] = {}
    goals = _text(goals, MAX_GOALS, errors, "goals", "the person's goals")
    checked = []
    for n, (area, details) in enumerate(actions):
        if details is None:  # a proposal the worker dropped
            continue
        tidy, problems = checked_action(
            session, case, details, plan_day=today, today=today, prefix=f"a{n}_"
        )
        errors.update(problems)
        checked.append((area if area in AREAS else None, tidy))
    if errors:
        raise ValidationError(errors)
    plan = SupportPlan(
        case_id=case.id,
        assessment_id=start.assessment.id,
        goals=goals,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    session.flush()
    for area, details in checked:
        _new_action(session, plan, area, details, now)
    session.flush()
    due = plan_review_due(today, review_every(session, case), calendar)
    lifecycle.replace_on_case(session, case, due, now)
    audit(
        session,
        case,
        "support_plan.create",
        actor,
        origin,
        now,
        plan_id=plan.id,
        assessment_id=start.assessment.id,
        actions=len(checked),
        proposed=len(start.proposals),
        review_due=due.due_at.isoformat(),
        versions={"plan_id": plan.version},
    )
    session.commit()
    return plan


def _new_action(session, plan, area, details: ActionDetails, now) -> PlanAction:
    action = PlanAction(
        plan_id=plan.id,
        case_id=plan.case_id,
        area=area,
        created_at=now,
        updated_at=now,
    )
    _apply(action, details)
    session.add(action)
    return action


def _plan(session, case: Case) -> SupportPlan:
    plan = plan_of(session, case.id)
    if plan is None:
        raise ValidationError({"": "This case has no support plan yet: create it first."})
    return plan


def _plan_conflict(session, case, plan, expected: int | None) -> ValidationError:
    changed, by = changes_since(session, case, "plan_id", plan.id, expected or 0, plan.created_at)
    return ValidationError({"": conflict_message(changed, by, "the plan")})


def add_action(
    session,
    case_id: int,
    details: ActionDetails,
    *,
    actor,
    origin: Origin,
    now: datetime,
) -> PlanAction:
    """Add an action to the case's plan."""
    case = workable_case(session, case_id, actor, origin, now)
    plan = _plan(session, case)
    tidy, errors = checked_action(
        session, case, details, plan_day=local_day(plan.created_at), today=local_day(now)
    )
    if errors:
        raise ValidationError(errors)
    action = _new_action(session, plan, None, tidy, now)
    touch(plan, now)
    session.flush()
    audit(
        session,
        case,
        "support_plan.add_action",
        actor,
        origin,
        now,
        plan_id=plan.id,
        action_id=action.id,
        words=["the actions"],
        versions={"plan_id": plan.version},
    )
    session.commit()
    return action


def action_of(session, case_id: int, action_id: int, viewer, *, origin, now) -> PlanAction:
    """One action of the case's plan, when ``viewer`` may see the case; else NotFound."""
    case = viewable_case(session, case_id, viewer, origin, now)
    action = session.get(PlanAction, action_id)
    if action is None or action.case_id != case.id:
        raise NotFound(action_id)
    return action


def action_for_editing(session, case_id: int, action_id: int, actor, *, origin, now):
    """An action ``actor`` may change; NotFound, or a ValidationError saying why not. The view
    is audited."""
    case = workable_case(session, case_id, actor, origin, now)
    action = action_of(session, case.id, action_id, actor, origin=origin, now=now)
    audit(session, case, "support_plan.view_action", actor, origin, now, action_id=action.id)
    session.commit()
    return action


def edit_action(
    session,
    case_id: int,
    action_id: int,
    details: ActionDetails,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> bool:
    """Change an action. ``expected_version`` is the one the editor loaded: when it has changed
    since, ActionConflict and nothing saved. Returns whether anything changed."""
    case = workable_case(session, case_id, actor, origin, now)
    action = action_of(session, case.id, action_id, actor, origin=origin, now=now)
    plan = action.plan
    if expected_version is None or action.version != expected_version:
        raise _action_conflict(session, case, action, expected_version or 0)
    tidy, errors = checked_action(
        session, case, details, plan_day=local_day(plan.created_at), today=local_day(now)
    )
    if errors:
        raise ValidationError(errors)
    changed = _apply(action, tidy)
    if not changed:
        session.rollback()
        return False
    action.updated_at = now
    touch(plan, now)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        action = session.get(PlanAction, action_id)
        raise _action_conflict(session, case, action, expected_version) from None
    audit(
        session,
        case,
        "support_plan.edit_action",
        actor,
        origin,
        now,
        plan_id=plan.id,
        action_id=action.id,
        changed=changed,
        words=[ACTION_WORDS[f] for f in changed],
        status=action.status,
        versions={"plan_id": plan.version, "action_id": action.version},
    )
    session.commit()
    return True


def _action_conflict(session, case, action, expected: int) -> ActionConflict:
    changed, by = changes_since(session, case, "action_id", action.id, expected, action.created_at)
    return ActionConflict(action, conflict_message(changed, by, "this action"))


def edit_goals(
    session,
    case_id: int,
    goals: str | None,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> bool:
    """Change the person's goals in their own words; a change since the page opened refused."""
    case = workable_case(session, case_id, actor, origin, now)
    plan = _plan(session, case)
    if expected_version is None or plan.version != expected_version:
        raise _plan_conflict(session, case, plan, expected_version)
    errors: dict[str, str] = {}
    goals = _text(goals, MAX_GOALS, errors, "goals", "the person's goals")
    if errors:
        raise ValidationError(errors)
    if goals == plan.goals:
        return False
    plan.goals = goals
    touch(plan, now)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise _plan_conflict(session, case, _plan(session, case), expected_version) from None
    audit(
        session,
        case,
        "support_plan.edit_goals",
        actor,
        origin,
        now,
        plan_id=plan.id,
        words=["the goals"],
        versions={"plan_id": plan.version},
    )
    session.commit()
    return True
