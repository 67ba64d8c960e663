"""Reviewing a support plan (D10; spec 3.8): held on a day (not in the future, not before the
plan was made) by the worker recording it, the progress and status of each open action, any new
need, and whether it prompts a reassessment.

A review meets the case's open ``plan_review`` obligation and owes the next one
``plan_review_days`` after it. One that prompts a reassessment brings the case's open
``reassessment`` (D6) forward to the close of the 5th working day after the review, or owes one
when there is none. Obligations change only through casework.obligations.lifecycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm.exc import StaleDataError

from casework.audit import Origin
from casework.errors import ValidationError
from casework.obligations import lifecycle
from casework.plans.access import (
    audit,
    changes_since,
    conflict_message,
    local_day,
    plan_of,
    require_plan,
    touch,
    workable_plan_case,
)
from casework.plans.actions import MAX_REASON
from casework.plans.models import (
    ACTION_STATUSES,
    OPEN_ACTION_STATUSES,
    PlanReview,
    PlanReviewProgress,
)
from casework.plans.plan import review_every
from triage.plans import plan_review_due, reassessment_after_review

MAX_WORDS = 5_000


@dataclass(frozen=True)
class ReviewDetails:
    """What a worker records at a review. ``progress`` maps each open action's id to its
    progress in words and its status now."""

    held_on: date | None
    notes: str | None = None
    new_need: str | None = None
    prompts_reassessment: bool | None = None
    progress: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)


def _words(value, errors, name, what, required=False, limit=MAX_WORDS):
    text = (value or "").strip()
    if required and not text:
        errors[name] = f"Enter {what}"
    elif len(text) > limit:
        errors[name] = f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer"
    return text or None


def record_review(
    session,
    case_id: int,
    details: ReviewDetails,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> PlanReview:
    """Record a review of the case's plan: the progress and status of every open action (each
    one's status set as the review says), meet the open D10 and owe the next; when it prompts a
    reassessment, bring D6 forward. A plan changed since the form was opened is refused with what
    changed."""
    case = workable_plan_case(session, case_id, actor, origin, now)
    plan = require_plan(session, case)
    if expected_version is None or plan.version != expected_version:
        changed, by = changes_since(
            session, case, "plan_id", plan.id, expected_version or 0, plan.created_at
        )
        raise ValidationError({"": conflict_message(changed, by, "the plan")})
    today, plan_day = local_day(now), local_day(plan.created_at)
    errors: dict[str, str] = {}
    held_on = details.held_on
    if held_on is None:
        errors["held_on"] = "Enter the date the review was held"
    elif held_on > today:
        errors["held_on"] = "The date the review was held cannot be in the future"
    elif held_on < plan_day:
        errors["held_on"] = f"The review cannot be before the plan was made ({plan_day:%-d %B %Y})"
    notes = _words(details.notes, errors, "notes", "how the plan is going")
    new_need = _words(details.new_need, errors, "new_need", "the new need")
    if details.prompts_reassessment is None:
        errors["prompts_reassessment"] = "Select whether the review prompts a reassessment"
    open_actions = [a for a in plan.actions if a.status in OPEN_ACTION_STATUSES]
    settled = []
    for action in open_actions:
        words, status = details.progress.get(action.id, (None, None))
        name = f"progress_{action.id}"
        if status not in ACTION_STATUSES:
            errors[f"status_{action.id}"] = "Select the action's status now"
        required = status == "not_needed"
        words = _words(
            words,
            errors,
            name,
            "why the action is no longer needed" if required else "the progress",
            required=required,
            limit=MAX_REASON if required else MAX_WORDS,
        )
        settled.append((action, words, status))
    if errors:
        raise ValidationError(errors)
    review = PlanReview(
        plan_id=plan.id,
        held_on=held_on,
        worker_id=actor.id,
        notes=notes,
        new_need=new_need,
        prompts_reassessment=bool(details.prompts_reassessment),
        created_at=now,
    )
    session.add(review)
    session.flush()
    moved = []
    for action, words, status in settled:
        session.add(
            PlanReviewProgress(
                review_id=review.id, action_id=action.id, progress=words, status=status
            )
        )
        if status != action.status:
            moved.append(action.id)
            action.status, action.updated_at = status, now
            action.status_reason = words if status == "not_needed" else None
    touch(plan, now)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise ValidationError({"": conflict_message([], None, "the plan's actions")}) from None
    lifecycle.meet_open_on_case(session, case, "plan_review", now)
    latest = max(r.held_on for r in plan.reviews) if plan.reviews else held_on
    due = plan_review_due(max(latest, held_on), review_every(session, case), calendar)
    lifecycle.replace_on_case(session, case, due, now)
    reassessment = None
    if review.prompts_reassessment:
        reassessment = reassessment_after_review(held_on, calendar)
        lifecycle.bring_forward_on_case(session, case, reassessment, now)
    audit(
        session,
        case,
        "support_plan.review",
        actor,
        origin,
        now,
        plan_id=plan.id,
        review_id=review.id,
        held_on=held_on.isoformat(),
        statuses_changed=moved,
        prompts_reassessment=review.prompts_reassessment,
        next_review_due=due.due_at.isoformat(),
        reassessment_due=reassessment.due_at.isoformat() if reassessment else None,
        words=["the actions' statuses (a review)"] if moved else ["the reviews"],
        versions={"plan_id": plan.version},
    )
    session.commit()
    return review


def reschedule_plan_review(session, case, *, now: datetime, calendar) -> object | None:
    """(Re)create the case's open plan review (D10) from its latest review, or from the plan
    when it has none: the first review of that cycle due after ``now`` (a case reopened long
    after its last review is not owed one at once). Called when a case is reopened; the caller
    commits. None when the case has no plan."""
    plan = plan_of(session, case.id)
    if plan is None:
        return None
    start = max((r.held_on for r in plan.reviews), default=local_day(plan.created_at))
    due = plan_review_due(start, review_every(session, case), calendar, after=now)
    return lifecycle.replace_on_case(session, case, due, now)
