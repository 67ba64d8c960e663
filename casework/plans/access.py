"""Who may read and change a case's support plan, the audit of each view and change, and
loading the plan.

A plan is read by whoever may see its case and changed only by those who may work it
(casework.access.can_work_case): another team's case and a missing one are the same NotFound,
a closed case's plan is read only.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from casework.audit import AuditEvent, Origin, audit_case
from casework.cases.loading import case_work_refusal, workable_case
from casework.cases.models import Case
from casework.errors import ValidationError
from casework.plans.models import SupportPlan
from casework.staff.models import Staff
from casework.staff.vetting import local_today


def work_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not change this case's support plan, or None when they may."""
    return case_work_refusal(
        viewer,
        case,
        closed="its support plan can be read but not changed.",
        only="change its support plan.",
    )


def workable_plan_case(session, case_id: int, actor, origin: Origin, now: datetime) -> Case:
    """A case ``actor`` may change the plan of; NotFound or a ValidationError saying why not."""
    return workable_case(session, case_id, actor, origin, now, work_refusal)


def audit(session, case: Case, action: str, actor, origin: Origin, now: datetime, **detail):
    """One audit row about the case's plan, filed under the case and its person."""
    audit_case(session, case, action, actor=actor, origin=origin, at=now, detail=detail)


def changes_since(
    session, case: Case, key: str, record_id: int, version: int, since: datetime
) -> tuple[list[str], str | None]:
    """What the changes recorded after ``version`` of a plan or an action changed (words from
    the audit trail, in the order first made) and who made the last of them."""
    rows = session.execute(
        sa.select(AuditEvent.detail, Staff.name)
        .outerjoin(Staff, Staff.id == AuditEvent.actor_id)
        .where(
            AuditEvent.action.like("support_plan.%"),
            AuditEvent.record_type == "case",
            AuditEvent.record_id == str(case.id),
            AuditEvent.at >= since,
        )
        .order_by(AuditEvent.id)
    )
    changed: list[str] = []
    by = None
    for detail, name in rows:
        found = json.loads(detail) if detail else {}
        versions = found.get("versions", {})
        if found.get(key) == record_id and versions.get(key, 0) > version:
            changed += [w for w in found.get("words", []) if w not in changed]
            by = name
    return changed, by


def conflict_message(changed: list[str], by: str | None, what: str) -> str:
    """The refusal of a save over someone else's change, saying what they changed."""
    who = by or "Someone"
    words = " and ".join(changed) if changed else what
    return (
        f"{who} changed {words} after you opened this page. Your changes have not been saved. "
        "The page now shows it as it is: check it, then save again."
    )


def touch(plan: SupportPlan, now: datetime) -> None:
    """Mark the plan changed (its version moves on), so a form opened before is refused."""
    plan.updated_at = now
    flag_modified(plan, "updated_at")


local_day = local_today  # the date in the UK at a moment


def plan_of(session, case_id: int) -> SupportPlan | None:
    """The case's support plan, or None before one is made."""
    return session.scalar(sa.select(SupportPlan).where(SupportPlan.case_id == case_id))


def require_plan(session, case: Case) -> SupportPlan:
    """The case's plan, or a ValidationError saying it has none yet."""
    plan = plan_of(session, case.id)
    if plan is None:
        raise ValidationError({"": "This case has no support plan yet: create it first."})
    return plan
