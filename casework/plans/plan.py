"""Making a case's support plan from its latest complete needs assessment, and changing its
goals (issue 13 part 4; spec 3.8).

Every area the assessment marked as a priority proposes an action (the area and the person's
own words as a starting description) which the worker keeps, edits or drops; the person's goals
are in their own words. Making the plan owes its first review (D10). Its actions are
casework/plans/actions.py's. A save over a change made since the page was opened is refused
with what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from casework.assessments.queries import latest_complete
from casework.audit import Origin
from casework.caseloads.settings import team_settings
from casework.cases.models import Case
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
from casework.plans.actions import (
    MAX_DESCRIPTION,
    ActionDetails,
    checked_action,
    clean_text,
    new_action,
)
from casework.plans.models import SupportPlan
from triage.needs import AREAS
from triage.plans import plan_review_due

MAX_GOALS = 5_000


@dataclass(frozen=True)
class ProposedAction:
    """An action the assessment proposes: a priority area and the person's own words."""

    area: str
    label: str
    own_words: str | None

    @property
    def description(self) -> str:
        """The starting description: the person's words (the table shows the area beside it),
        or the area when they gave none."""
        text = self.own_words.strip() if self.own_words and self.own_words.strip() else self.label
        return text[:MAX_DESCRIPTION]


@dataclass(frozen=True)
class Creation:
    """What making the plan starts from: the case, its latest complete assessment, the actions
    it proposes."""

    case: Case
    assessment: object
    proposals: list[ProposedAction]


# --- reading -----------------------------------------------------------------------------


def proposals_from(assessment) -> list[ProposedAction]:
    """The actions a complete assessment proposes: one per priority area, in the form's order."""
    by_area = {a.area: a for a in assessment.areas}
    return [
        ProposedAction(code, label, by_area[code].own_words)
        for code, label in AREAS.items()
        if code in by_area and by_area[code].priority
    ]


def for_creating(
    session, case_id: int, actor, *, origin: Origin, now: datetime, audit_view: bool = False
) -> Creation:
    """What the plan will be made from, when ``actor`` may make it: NotFound, or a
    ValidationError saying why not (no complete assessment yet, a plan already made, a closed
    case). With ``audit_view``, the form's showing is audited."""
    case = workable_plan_case(session, case_id, actor, origin, now)
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
    case = workable_plan_case(session, case_id, actor, origin, now)
    if needs_plan and plan_of(session, case.id) is None:
        raise ValidationError({"": "This case has no support plan yet: create it first."})
    audit(session, case, "support_plan.view_form", actor, origin, now, form=form)
    session.commit()
    return case


# --- checking what was written -----------------------------------------------------------


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
    goals = clean_text(goals, MAX_GOALS, errors, "goals", "the person's goals")
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
    try:
        session.flush()
    except IntegrityError:  # a colleague made it a moment ago: one plan per case
        session.rollback()
        raise ValidationError({"": "This case already has a support plan."}) from None
    for area, details in checked:
        new_action(session, plan, area, details, now)
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


def _plan_conflict(session, case, plan, expected: int | None) -> ValidationError:
    changed, by = changes_since(session, case, "plan_id", plan.id, expected or 0, plan.created_at)
    return ValidationError({"": conflict_message(changed, by, "the plan")})


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
    case = workable_plan_case(session, case_id, actor, origin, now)
    plan = require_plan(session, case)
    if expected_version is None or plan.version != expected_version:
        raise _plan_conflict(session, case, plan, expected_version)
    errors: dict[str, str] = {}
    goals = clean_text(goals, MAX_GOALS, errors, "goals", "the person's goals")
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
        raise _plan_conflict(session, case, require_plan(session, case), expected_version) from None
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
