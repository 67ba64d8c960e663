"""Recording a needs assessment (issue 13 parts 1-2; DESIGN.md Needs assessment, D4, D6).

A caseworker starts an assessment on an open case (the children and young people's version by
default for someone under 18 on the day), saves it as a draft as often as they like (any score
given must be on the scale), and completes it once every area is scored and it says when, how
and by whom it was held. Only people who may work the case (casework.access.can_work_case)
write; a complete assessment is never edited. A save names the version the worker loaded: if
the draft changed since, it is refused with what changed, never saved over. Every view and
change is audited against the person. Completing one meets the case's needs assessment (D4) or
reassessment (D6) deadline and sets the next reassessment (casework.assessments.deadlines).
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from casework.access import refuse
from casework.assessments.deadlines import meet_deadlines
from casework.assessments.deadlines import (
    reschedule_reassessment as reschedule_reassessment,  # re-exported: reopening calls it
)
from casework.assessments.details import (
    AssessmentDetails,
    apply_details,
    area_labels,
    checked_details,
    offered_young_person,
)
from casework.assessments.models import NeedsAssessment
from casework.audit import AuditEvent, Origin, audit_case
from casework.cases.loading import case_work_refusal, workable_case
from casework.cases.models import Case
from casework.errors import ValidationError
from casework.staff.models import Staff

# What a save can change besides the areas, in the words the conflict message uses.
FIELD_WORDS = {
    "held_on": "the date it was held",
    "mode": "how it was held",
    "worker": "who held it",
    "present": "who else was present",
    "young_persons_view": "the young person's own view",
}


class EditConflict(ValidationError):
    """The draft changed after the worker opened it: nothing was saved. Carries the draft as it
    now is and what changed, so the worker can compare before saving again."""

    def __init__(self, assessment: NeedsAssessment, changed: list[str], by: str | None):
        self.assessment, self.changed, self.by = assessment, changed, by
        what = " and ".join(changed) if changed else "the assessment"
        super().__init__(
            {
                "": f"{by or 'Someone'} changed {what} after you opened this assessment. Your "
                "changes have not been saved. The assessment as it is now is shown below: check "
                "it, then save again to replace it with yours."
            }
        )


# --- access ----------------------------------------------------------------------------------


def work_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not record an assessment on this case, or None when they may."""
    return case_work_refusal(
        viewer,
        case,
        closed="its assessments can be read but not added to or changed.",
        only="record its needs assessment.",
    )


def _workable_case(session, case_id: int, actor, origin: Origin, now: datetime) -> Case:
    return workable_case(session, case_id, actor, origin, now, work_refusal)


def assessment_of(
    session, case: Case, assessment_id: int, viewer, *, origin: Origin, now: datetime
) -> NeedsAssessment:
    """One of the case's assessments; another case's or a missing one is NotFound."""
    found = session.get(NeedsAssessment, assessment_id)
    if found is None or found.case_id != case.id:
        refuse(session, actor=viewer, origin=origin, record_type="case", record_id=case.id, now=now)
    return found


def audit(session, case: Case, action: str, actor, origin: Origin, now: datetime, **detail):
    """An assessment event, filed under the case and its person (never the text written)."""
    audit_case(session, case, action, actor=actor, origin=origin, at=now, detail=detail)


# --- changes ---------------------------------------------------------------------------------


def case_for_new_assessment(session, case_id: int, actor, *, origin: Origin, now: datetime):
    """The case an assessment is about to be started on, when ``actor`` may (the form's
    showing audited); else NotFound or a ValidationError saying why not (a closed case, a draft
    already under way)."""
    case = _workable_case(session, case_id, actor, origin, now)
    _refuse_second_draft(session, case)
    audit(session, case, "assessment.new_form", actor, origin, now)
    session.commit()
    return case


def _refuse_second_draft(session, case: Case) -> None:
    if session.scalar(
        sa.select(NeedsAssessment.id).where(
            NeedsAssessment.case_id == case.id, NeedsAssessment.status == "draft"
        )
    ):
        raise ValidationError(
            {"": "A draft assessment of this case is already under way: continue that one."}
        )


def start_assessment(
    session,
    case_id: int,
    details: AssessmentDetails,
    *,
    young_person: bool | None = None,
    complete: bool = False,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> NeedsAssessment:
    """Start an assessment of an open case, saved as a draft or completed at once. Without
    ``young_person`` the version is chosen by age on the day (under 18: the children and young
    people's version)."""
    case = _workable_case(session, case_id, actor, origin, now)
    _refuse_second_draft(session, case)
    if young_person is None:
        young_person = offered_young_person(case, calendar.local_date(now))
    clean = checked_details(
        session, case, young_person, details, complete=complete, calendar=calendar, now=now
    )
    assessment = NeedsAssessment(
        case_id=case.id,
        status="draft",
        young_person=young_person,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(assessment)
    changed = apply_details(assessment, clean)
    session.flush()
    audit(
        session,
        case,
        "assessment.start",
        actor,
        origin,
        now,
        assessment_id=assessment.id,
        young_person=young_person,
        changed=changed,
        version=assessment.version,
    )
    if complete:
        _complete(session, case, assessment, actor, origin, now, calendar)
    session.commit()
    return assessment


def _changes_since(session, assessment: NeedsAssessment, version: int):
    """What saves after ``version`` changed (from the audit trail), and who made the last."""
    keys: list[str] = []
    by = None
    rows = session.execute(
        sa.select(AuditEvent.detail, Staff.name)
        .outerjoin(Staff, Staff.id == AuditEvent.actor_id)
        .where(
            AuditEvent.action.in_(("assessment.start", "assessment.save")),
            AuditEvent.record_type == "case",
            AuditEvent.record_id == str(assessment.case_id),
            AuditEvent.at >= assessment.created_at,
        )
        .order_by(AuditEvent.id)
    )
    for detail, name in rows:
        found = json.loads(detail) if detail else {}
        if found.get("assessment_id") == assessment.id and found.get("version", 0) > version:
            keys += [k for k in found.get("changed", []) if k not in keys]
            by = name
    labels = area_labels(assessment.young_person)
    words = [labels[k] for k in labels if k in keys]
    words += [FIELD_WORDS[k] for k in FIELD_WORDS if k in keys]
    return words, by


def _conflict(session, case, assessment, expected_version, actor, origin, now) -> EditConflict:
    changed, by = _changes_since(session, assessment, expected_version)
    audit(
        session,
        case,
        "assessment.edit_conflict",
        actor,
        origin,
        now,
        assessment_id=assessment.id,
        expected_version=expected_version,
        version=assessment.version,
    )
    session.commit()
    return EditConflict(assessment, changed, by)


def draft_of(session, case_id: int, assessment_id: int, actor, origin: Origin, now: datetime):
    """(case, draft) when ``actor`` may change this draft of the case; else NotFound, or a
    ValidationError saying why not (a complete assessment, a closed case)."""
    case = _workable_case(session, case_id, actor, origin, now)
    assessment = assessment_of(session, case, assessment_id, actor, origin=origin, now=now)
    if assessment.status != "draft":
        raise ValidationError({"": "This assessment is complete: it cannot be changed."})
    return case, assessment


def save_assessment(
    session,
    case_id: int,
    assessment_id: int,
    details: AssessmentDetails,
    *,
    complete: bool,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> NeedsAssessment:
    """Save a draft again, or complete it (``complete``). ``expected_version`` is the version
    the worker loaded: when the draft has changed since, EditConflict and nothing saved."""
    case, assessment = draft_of(session, case_id, assessment_id, actor, origin, now)
    if expected_version is None:
        raise ValidationError({"": "This form is out of date: open the assessment again."})
    if assessment.version != expected_version:
        raise _conflict(session, case, assessment, expected_version, actor, origin, now)
    clean = checked_details(
        session,
        case,
        assessment.young_person,
        details,
        complete=complete,
        calendar=calendar,
        now=now,
    )
    changed = apply_details(assessment, clean)
    assessment.updated_at = now
    try:
        session.flush()  # UPDATE ... WHERE version = the one loaded: a concurrent save fails here
    except StaleDataError:
        session.rollback()
        assessment = session.get(NeedsAssessment, assessment_id)
        raise _conflict(session, case, assessment, expected_version, actor, origin, now) from None
    audit(
        session,
        case,
        "assessment.save",
        actor,
        origin,
        now,
        assessment_id=assessment.id,
        changed=changed,
        version=assessment.version,
    )
    if complete:
        _complete(session, case, assessment, actor, origin, now, calendar)
    session.commit()
    return assessment


def _complete(session, case, assessment, actor, origin, now, calendar) -> None:
    assessment.status = "complete"
    assessment.completed_at = now
    session.flush()
    met = meet_deadlines(session, case, assessment, now=now, calendar=calendar)
    audit(
        session,
        case,
        "assessment.complete",
        actor,
        origin,
        now,
        assessment_id=assessment.id,
        held_on=assessment.held_on.isoformat(),
        mode=assessment.mode,
        worker_id=assessment.worker_id,
        met=met,
    )
