"""A case's plan for reducing support (spec 10, resilience): once a case has been open more
than a month, its worker records how support will be reduced over time and whether (and how) a
volunteer is part of it. Each recording is kept; the latest is shown. Until one is recorded the
case shows a prompt and the team view counts it against its caseworker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from casework.audit import Origin
from casework.cases.models import Case
from casework.errors import ValidationError
from casework.plans.access import audit, local_day, workable_plan_case
from casework.plans.models import ResiliencePlan
from casework.staff.vetting import LONDON
from triage.plans import add_month, last_opening_day_due, resilience_plan_due

MAX_PLAN = 5_000
MAX_VOLUNTEER = 500


@dataclass(frozen=True)
class Resilience:
    """Where a case stands: whether a plan for reducing support is due and not yet recorded,
    from which day it is due, and the latest recorded (None before one)."""

    due: bool
    due_after: date
    latest: ResiliencePlan | None


def latest_resilience_plan(session, case_id: int) -> ResiliencePlan | None:
    """The case's most recently recorded plan for reducing support, or None."""
    return session.scalar(
        sa.select(ResiliencePlan)
        .where(ResiliencePlan.case_id == case_id)
        .order_by(ResiliencePlan.recorded_at.desc(), ResiliencePlan.id.desc())
        .limit(1)
    )


def resilience_of(session, case: Case, today: date) -> Resilience:
    """Whether ``case`` is due a plan for reducing support ``today`` (open more than a month,
    none recorded), and the latest one recorded."""
    latest = latest_resilience_plan(session, case.id)
    opened_on = local_day(case.opened_at)
    due = case.status == "open" and latest is None and resilience_plan_due(opened_on, today)
    return Resilience(due, add_month(opened_on), latest)


def resilience_cutoff(today: date) -> datetime:
    """Cases opened before this moment (UTC) are due a plan for reducing support ``today``."""
    return datetime.combine(
        date.fromordinal(last_opening_day_due(today).toordinal() + 1), time(0), tzinfo=LONDON
    ).astimezone(UTC)


def opened_before_clause(cutoff):
    """Open cases opened before ``cutoff`` (:func:`resilience_cutoff` of the day, or a bound
    parameter that will hold it) with no plan for reducing support recorded (SQL)."""
    return sa.and_(
        Case.status == "open",
        Case.opened_at < cutoff,
        ~sa.exists().where(ResiliencePlan.case_id == Case.id),
    )


def record_resilience_plan(
    session,
    case_id: int,
    *,
    plan: str | None,
    volunteer: str | None,
    volunteer_id: int | None = None,
    actor,
    origin: Origin,
    now: datetime,
) -> ResiliencePlan:
    """Record the case's plan for reducing support (words, required) and whether and how a
    volunteer is part of it (optional), naming one of the case's current volunteers if one is
    (``volunteer_id``; anyone else is refused); earlier recordings are kept."""
    from casework.support.volunteers import current_volunteers

    case = workable_plan_case(session, case_id, actor, origin, now)
    errors: dict[str, str] = {}
    if volunteer_id is not None and volunteer_id not in {
        link.volunteer_id for link in current_volunteers(session, case)
    }:
        errors["volunteer_id"] = "Select one of the case's volunteers, or no one"
    plan = (plan or "").strip()
    volunteer = (volunteer or "").strip() or None
    if not plan:
        errors["plan"] = "Enter the plan for reducing support"
    elif len(plan) > MAX_PLAN:
        errors["plan"] = f"The plan must be {MAX_PLAN:,} characters or fewer"
    if volunteer and len(volunteer) > MAX_VOLUNTEER:
        errors["volunteer"] = f"The volunteer's part must be {MAX_VOLUNTEER} characters or fewer"
    if errors:
        raise ValidationError(errors)
    record = ResiliencePlan(
        case_id=case.id,
        plan=plan,
        volunteer=volunteer,
        volunteer_id=volunteer_id,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    session.add(record)
    session.flush()
    audit(
        session,
        case,
        "support_plan.resilience",
        actor,
        origin,
        now,
        resilience_plan_id=record.id,
        volunteer=volunteer is not None,
        volunteer_id=volunteer_id,
    )
    session.commit()
    return record
