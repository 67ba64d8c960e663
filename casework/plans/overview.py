"""Reading a case's support plan as its pages show it, and counting overdue actions and due
plans for reducing support for the caseload and the team view (grouped queries: the same
number whatever the number of cases or caseworkers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casework.cases.models import Case
from casework.obligations.models import Obligation
from casework.plans.access import plan_of, work_refusal
from casework.plans.models import (
    OPEN_ACTION_STATUSES,
    PlanAction,
    PlanReview,
    PlanReviewProgress,
    SupportPlan,
)
from casework.plans.resilience import Resilience, resilience_of
from triage.plans import action_overdue

# Bound as literals, so SQLite can use the partial index of open actions.
OPEN_ACTION = PlanAction.status.in_(
    sa.bindparam("open_action_statuses", OPEN_ACTION_STATUSES, expanding=True, literal_execute=True)
)


@dataclass(frozen=True)
class PlanPage:
    """A case's support plan as its tab shows it."""

    plan: SupportPlan | None
    assessed: bool
    actions: list[PlanAction]
    overdue: set[int]
    reviews: list[PlanReview]
    next_review: Obligation | None
    resilience: Resilience
    refusal: str | None

    @property
    def can_work(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class PlanSummary:
    """What the case's summary page shows of its plan."""

    has_plan: bool
    overdue_actions: int
    next_review: Obligation | None
    resilience: Resilience


def next_review(session, case_id: int) -> Obligation | None:
    """The case's open plan review (D10), or None."""
    return session.scalar(
        sa.select(Obligation)
        .where(
            Obligation.case_id == case_id,
            Obligation.kind == "plan_review",
            Obligation.met_at.is_(None),
            Obligation.status.in_(("due", "breached")),
        )
        .order_by(Obligation.due_at)
        .limit(1)
    )


def plan_page(session, case: Case, viewer, *, today: date) -> PlanPage:
    """The case's plan, actions, reviews (newest first, with progress per action), next review
    due and plan for reducing support, as ``viewer`` sees them. The view itself is audited by
    the case page (casework.cases.records.get_case)."""
    from casework.assessments.queries import latest_complete

    plan = plan_of(session, case.id)
    actions: list[PlanAction] = []
    reviews: list[PlanReview] = []
    if plan is not None:
        actions = list(
            session.scalars(
                sa.select(PlanAction)
                .where(PlanAction.plan_id == plan.id)
                .options(
                    selectinload(PlanAction.owner_staff), selectinload(PlanAction.owner_partner)
                )
                .order_by(PlanAction.id)
            )
        )
        reviews = list(
            session.scalars(
                sa.select(PlanReview)
                .where(PlanReview.plan_id == plan.id)
                .options(
                    selectinload(PlanReview.worker),
                    selectinload(PlanReview.progress).selectinload(PlanReviewProgress.action),
                )
                .order_by(PlanReview.held_on.desc(), PlanReview.id.desc())
            )
        )
    return PlanPage(
        plan=plan,
        assessed=plan is not None or latest_complete(session, case.id) is not None,
        actions=actions,
        overdue={a.id for a in actions if action_overdue(a.status, a.due_on, today)},
        reviews=reviews,
        next_review=next_review(session, case.id) if plan is not None else None,
        resilience=resilience_of(session, case, today),
        refusal=work_refusal(viewer, case),
    )


def plan_summary(session, case: Case, *, today: date) -> PlanSummary:
    """The case summary's panel: overdue actions, next review due, the resilience prompt."""
    overdue = session.scalar(
        sa.select(sa.func.count())
        .select_from(PlanAction)
        .where(PlanAction.case_id == case.id, OPEN_ACTION, PlanAction.due_on < today)
    )
    has_plan = session.scalar(sa.select(SupportPlan.id).where(SupportPlan.case_id == case.id))
    return PlanSummary(
        has_plan=has_plan is not None,
        overdue_actions=overdue or 0,
        next_review=next_review(session, case.id) if has_plan else None,
        resilience=resilience_of(session, case, today),
    )


def overdue_actions_by_case(session, case_ids: list[int], today: date) -> dict[int, int]:
    """Overdue actions (open, due before ``today``) of each of these cases, in one query (run
    even for none, so a caseload page's query count never varies)."""
    return dict(
        session.execute(
            sa.select(PlanAction.case_id, sa.func.count())
            .where(PlanAction.case_id.in_(case_ids), OPEN_ACTION, PlanAction.due_on < today)
            .group_by(PlanAction.case_id)
        ).all()
    )


def overdue_actions_by_worker(session, worker_ids: list[int], today: date) -> dict[int, int]:
    """Overdue actions on each caseworker's open cases, in one grouped query."""
    if not worker_ids:
        return {}
    return dict(
        session.execute(
            sa.select(Case.caseworker_id, sa.func.count())
            .join(PlanAction, PlanAction.case_id == Case.id)
            .where(
                Case.caseworker_id.in_(worker_ids),
                Case.status == "open",
                OPEN_ACTION,
                PlanAction.due_on < today,
            )
            .group_by(Case.caseworker_id)
        ).all()
    )


def overdue_actions_of_worker(session, worker_id: int, today: date) -> int:
    """All overdue actions on one caseworker's open cases (their caseload's total)."""
    return overdue_actions_by_worker(session, [worker_id], today).get(worker_id, 0)


def is_overdue(action: PlanAction, today: date) -> bool:
    """Whether one action is overdue ``today``."""
    return action_overdue(action.status, action.due_on, today)
