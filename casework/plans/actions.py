"""A support plan's actions: adding and changing them (issue 13 part 4; spec 3.8).

An action has a description, an owner (the case's caseworker, a named active caseworker or
team leader of the case's team, or a partner agency from the list), a due date no earlier than
the day the plan was made and no more than two years ahead, and a status; "no longer needed"
needs a reason. Only the case's workers change them; a save over a change made since the page was
opened is refused with what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from casework.audit import Origin
from casework.cases.loading import viewable_case
from casework.cases.models import Case
from casework.db import form_key, made_by_key, made_once, refuse_stale
from casework.errors import NotFound, ValidationError
from casework.plans.access import (
    audit,
    changes_since,
    conflict_message,
    local_day,
    require_plan,
    touch,
    workable_plan_case,
)
from casework.plans.models import ACTION_OWNERS, ACTION_STATUSES, PlanAction
from casework.referrals.models import PartnerAgency
from casework.staff.models import Staff

MAX_DESCRIPTION = 500
MAX_REASON = 500
FURTHEST_DUE = timedelta(days=2 * 366)
COLLEAGUE_ROLES = ("caseworker", "team_leader")
# What an action's edit can change, in the words a conflict message uses.
ACTION_WORDS = {
    "description": "the description",
    "owner": "who owns it",
    "due_on": "the due date",
    "status": "the status",
}


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


class ActionConflict(ValidationError):
    """The action changed after the editor opened it: nothing saved; carries it as it now is."""

    def __init__(self, action: PlanAction, message: str):
        self.action = action
        super().__init__({"": message})


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


def clean_text(
    value: str | None, limit: int, errors: dict, field: str, what: str, required=True
) -> str | None:
    """``value`` trimmed (None when empty); a problem put in ``errors`` under ``field`` when it
    is required and missing, or longer than ``limit``."""
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
    description = clean_text(
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
            # A plan being made today (or added to today) has no earlier day to name.
            "The due date cannot be in the past"
            if plan_day >= today
            else f"The due date cannot be before the plan was made ({plan_day:%-d %B %Y})"
        )
    elif due > today + FURTHEST_DUE:
        errors[f"{prefix}due_on"] = "The due date must be within two years"
    status = details.status
    reason = None
    if status not in ACTION_STATUSES:
        errors[f"{prefix}status"] = "Select the action's status"
    elif status == "not_needed":
        reason = clean_text(
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


def new_action(session, plan, area, details: ActionDetails, now) -> PlanAction:
    """A new action of ``plan`` from checked ``details`` (answering ``area``, or None); the
    caller flushes and audits."""
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


def _plan_changed() -> ValidationError:
    return ValidationError(
        {
            "": "Someone changed this plan while you were adding the action, so it was not "
            "saved. Check the plan, then save the action again."
        }
    )


@refuse_stale(_plan_changed)
def add_action(
    session,
    case_id: int,
    details: ActionDetails,
    *,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
) -> PlanAction:
    """Add an action to the case's plan. The same form sent twice (``submission_token``: a
    double click, a resend after a slow answer) adds one action, shown again."""
    case = workable_plan_case(session, case_id, actor, origin, now)
    key = form_key(f"plan_action:{actor.id}:{case.id}", submission_token)
    if (added := made_by_key(session, PlanAction.submission_key, key)) is not None:
        return added
    plan = require_plan(session, case)
    tidy, errors = checked_action(
        session, case, details, plan_day=local_day(plan.created_at), today=local_day(now)
    )
    if errors:
        raise ValidationError(errors)

    def add() -> PlanAction:
        action = new_action(session, plan, None, tidy, now)
        action.submission_key = key
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

    return made_once(session, PlanAction.submission_key, key, add)


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
    case = workable_plan_case(session, case_id, actor, origin, now)
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
    case = workable_plan_case(session, case_id, actor, origin, now)
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
