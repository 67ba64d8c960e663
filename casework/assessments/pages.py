"""Reading a case's needs assessments as staff see them: the Assessment tab (the list, the next
reassessment, distance travelled), one assessment, a draft opened for editing, and the case
summary's panel. Every view is audited against the person (issue 13 parts 1-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from casework.assessments.distance import CaseDistance, case_distance
from casework.assessments.models import NeedsAssessment
from casework.assessments.recording import (
    assessment_of,
    audit,
    draft_of,
    work_refusal,
)
from casework.audit import Origin
from casework.cases.loading import viewable_case
from casework.cases.models import Case
from casework.obligations.models import Obligation


@dataclass(frozen=True)
class AssessmentRow:
    """One assessment in the case's list: which it is (first, reassessment, draft), when, by
    whom, how."""

    assessment: NeedsAssessment
    kind: str


@dataclass(frozen=True)
class AssessmentsPage:
    """The Assessment tab: the case's assessments (complete in the order held, then any draft),
    when the next reassessment is due, distance travelled once there are two, and what the
    viewer may do."""

    case: Case
    rows: list[AssessmentRow]
    draft: NeedsAssessment | None
    next_reassessment: Obligation | None
    distance: CaseDistance | None
    can_start: bool
    refusal: str | None


def _assessments(session, case_id: int) -> list[NeedsAssessment]:
    return list(
        session.scalars(
            sa.select(NeedsAssessment)
            .where(NeedsAssessment.case_id == case_id)
            .options(
                joinedload(NeedsAssessment.worker),
                joinedload(NeedsAssessment.created_by),
                selectinload(NeedsAssessment.areas),
            )
            .order_by(NeedsAssessment.held_on, NeedsAssessment.id)
        )
    )


def next_reassessment(session, case_id: int) -> Obligation | None:
    """The case's earliest unmet reassessment (D6), or None."""
    return session.scalar(
        sa.select(Obligation)
        .where(
            Obligation.case_id == case_id,
            Obligation.kind == "reassessment",
            Obligation.met_at.is_(None),
            Obligation.status.in_(("due", "breached")),
        )
        .order_by(Obligation.due_at)
        .limit(1)
    )


def case_assessments(
    session, case_id: int, viewer, *, origin: Origin, now: datetime
) -> AssessmentsPage:
    """The case's Assessment tab as ``viewer`` may see it; the view audited."""
    case = viewable_case(session, case_id, viewer, origin=origin, now=now)
    found = _assessments(session, case.id)
    complete = [a for a in found if a.status == "complete"]
    rows = [
        AssessmentRow(a, "First assessment" if n == 0 else "Reassessment")
        for n, a in enumerate(complete)
    ]
    draft = next((a for a in found if a.status == "draft"), None)
    if draft is not None:
        rows.append(AssessmentRow(draft, "Draft"))
    audit(session, case, "assessment.list", viewer, origin, now)
    session.commit()
    refusal = work_refusal(viewer, case)
    return AssessmentsPage(
        case=case,
        rows=rows,
        draft=draft,
        next_reassessment=next_reassessment(session, case.id),
        distance=case_distance(session, case.id) if len(complete) >= 2 else None,
        can_start=refusal is None and draft is None,
        refusal=refusal,
    )


def view_assessment(
    session, case_id: int, assessment_id: int, viewer, *, origin: Origin, now: datetime
) -> NeedsAssessment:
    """One of the case's assessments, for reading; the view audited."""
    case = viewable_case(session, case_id, viewer, origin=origin, now=now)
    assessment = assessment_of(session, case, assessment_id, viewer, origin=origin, now=now)
    audit(session, case, "assessment.view", viewer, origin, now, assessment_id=assessment.id)
    session.commit()
    return session.get(NeedsAssessment, assessment_id)


def draft_for_editing(
    session, case_id: int, assessment_id: int, actor, *, origin: Origin, now: datetime
) -> NeedsAssessment:
    """A draft ``actor`` may continue; else NotFound, or a ValidationError saying why not
    (a complete assessment, a closed case). Its opening is audited."""
    case, assessment = draft_of(session, case_id, assessment_id, actor, origin, now)
    audit(session, case, "assessment.view", actor, origin, now, assessment_id=assessment.id)
    session.commit()
    return session.get(NeedsAssessment, assessment_id)


@dataclass(frozen=True)
class AssessmentPanel:
    """The case summary's Assessment panel: when it was last assessed and when the next
    reassessment is due (None when nothing is)."""

    latest_held_on: date | None
    draft: bool
    next_due: Obligation | None


def assessment_panel(session, case_id: int) -> AssessmentPanel:
    """What the case summary shows of its assessments (the page's view is audited there)."""
    latest = session.scalar(
        sa.select(sa.func.max(NeedsAssessment.held_on)).where(
            NeedsAssessment.case_id == case_id, NeedsAssessment.status == "complete"
        )
    )
    draft = session.scalar(
        sa.select(NeedsAssessment.id).where(
            NeedsAssessment.case_id == case_id, NeedsAssessment.status == "draft"
        )
    )
    return AssessmentPanel(latest, draft is not None, next_reassessment(session, case_id))
