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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from casework.access import can_view_case, can_work_case, refuse
from casework.assessments.deadlines import meet_deadlines
from casework.assessments.models import AssessmentArea, NeedsAssessment
from casework.audit import AuditEvent, Origin, record_event
from casework.cases.models import Case
from casework.cases.records import age_on
from casework.errors import ValidationError
from casework.staff.models import Staff
from triage.contact_modes import CONTACT_MODES
from triage.needs import AREAS, PRESENT, YOUNG_PERSON_AREAS, score_problem
from triage.reassessment import young_person_version

# How an assessment may be held: the spoken or written-in-real-time contact modes.
ASSESSMENT_MODES = {m: CONTACT_MODES[m] for m in ("telephone", "face_to_face", "web_chat")}
WORKER_ROLES = ("caseworker", "team_leader")
MAX_TEXT = 5_000
MAX_VIEW = 10_000
MAX_PRESENT_OTHER = 200

# What a save can change besides the areas, in the words the conflict message uses.
FIELD_WORDS = {
    "held_on": "the date it was held",
    "mode": "how it was held",
    "worker": "who held it",
    "present": "who else was present",
    "young_persons_view": "the young person's own view",
}


@dataclass(frozen=True)
class AreaAnswer:
    """One area as the worker wrote it: a score (as sent; checked against the scale), the
    person's own words, the worker's notes, and whether it is a priority for support."""

    score: object = None
    own_words: str | None = None
    notes: str | None = None
    priority: bool = False


@dataclass(frozen=True)
class AssessmentDetails:
    """What a worker writes on an assessment; any of it may be missing from a draft."""

    areas: Mapping[str, AreaAnswer] = field(default_factory=dict)
    held_on: date | None = None
    mode: str | None = None
    worker_id: int | None = None
    present: tuple[str, ...] = ()
    present_other: str | None = None
    young_persons_view: str | None = None


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


def viewable_case(session, case_id: int, viewer, *, origin: Origin, now: datetime) -> Case:
    """A case ``viewer`` may see; else NotFound (another team's and a missing one alike), the
    refusal audited."""
    case = session.get(Case, case_id)
    if case is None or not can_view_case(viewer, case):
        refuse(session, actor=viewer, origin=origin, record_type="case", record_id=case_id, now=now)
    return case


def work_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not record an assessment on this case, or None when they may."""
    if can_work_case(viewer, case):
        return None
    if case.status != "open":
        return "This case is closed: its assessments can be read but not added to or changed."
    return "Only the case's caseworker or a team leader can record its needs assessment."


def _workable_case(session, case_id: int, actor, origin: Origin, now: datetime) -> Case:
    case = viewable_case(session, case_id, actor, origin=origin, now=now)
    refusal = work_refusal(actor, case)
    if refusal:
        raise ValidationError({"": refusal})
    return case


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
    record_event(
        session,
        action=action,
        actor=actor,
        origin=origin,
        record_type="case",
        record_id=case.id,
        person_id=case.person_id,
        at=now,
        detail=detail,
    )


def team_workers(session, case: Case) -> list[Staff]:
    """Who may be recorded as holding the case's assessment: its caseworker and the active
    caseworkers and team leaders of its team, by name."""
    return list(
        session.scalars(
            sa.select(Staff)
            .where(
                sa.or_(
                    Staff.id == case.caseworker_id,
                    sa.and_(
                        Staff.team_id == case.team_id,
                        Staff.role.in_(WORKER_ROLES),
                        Staff.active.is_(True),
                    ),
                )
            )
            .order_by(Staff.name, Staff.id)
        )
    )


def offered_young_person(case: Case, today: date) -> bool:
    """Whether the case's person is offered the children and young people's version today."""
    return young_person_version(age_on(case.person.date_of_birth, today))


def area_labels(young_person: bool) -> dict[str, str]:
    """The areas in the wording of the version used."""
    return YOUNG_PERSON_AREAS if young_person else AREAS


# --- checking what was written ---------------------------------------------------------------


def _text(value: str | None, limit: int, errors: dict, key: str, what: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        errors[key] = f"{what} must be {limit:,} characters or fewer (it has {len(text):,})"
    return text or None


def _checked(
    session, case: Case, young_person: bool, details: AssessmentDetails, *, complete, calendar, now
) -> dict:
    """The details as they will be stored, or ValidationError with every problem at once.
    A draft may leave anything out; what it gives must be right."""
    errors: dict[str, str] = {}
    labels = area_labels(young_person)
    areas = {}
    for area, label in labels.items():
        answer = details.areas.get(area) or AreaAnswer()
        raw = answer.score
        score = None
        if raw not in (None, ""):
            problem = score_problem(raw)
            if problem:
                errors[f"score_{area}"] = f"{label}: {problem.lower()}"
            else:
                score = int(str(raw).strip())
        elif complete:
            errors[f"score_{area}"] = f"{label}: choose a score from 1 to 5"
        areas[area] = {
            "score": score,
            "own_words": _text(
                answer.own_words, MAX_TEXT, errors, f"own_words_{area}", f"{label}: own words"
            ),
            "worker_notes": _text(
                answer.notes, MAX_TEXT, errors, f"notes_{area}", f"{label}: notes"
            ),
            "priority": bool(answer.priority),
        }
    today = calendar.local_date(now)
    opened_on = calendar.local_date(case.opened_at)
    if details.held_on is None:
        if complete:
            errors["held_on"] = "Enter the date the assessment was held"
    elif details.held_on > today:
        errors["held_on"] = "The date it was held cannot be in the future"
    elif details.held_on < opened_on:
        errors["held_on"] = (
            f"The date it was held cannot be before the case was opened ({opened_on:%-d %B %Y})"
        )
    if details.mode not in (None, "") and details.mode not in ASSESSMENT_MODES:
        errors["mode"] = "Select how the assessment was held: telephone, face to face or web chat"
    elif complete and not details.mode:
        errors["mode"] = "Select how the assessment was held"
    workers = {w.id for w in team_workers(session, case)}
    if details.worker_id is not None and details.worker_id not in workers:
        errors["worker"] = "Select who held the assessment from the case's team"
    elif complete and details.worker_id is None:
        errors["worker"] = "Select who held the assessment"
    present: tuple[str, ...] = ()
    present_other = young_view = None
    if young_person:
        present = tuple(code for code in PRESENT if code in set(details.present))
        if any(code not in PRESENT for code in details.present):
            errors["present"] = "Select who else was present from the list"
        present_other = _text(
            details.present_other, MAX_PRESENT_OTHER, errors, "present_other", "Who else"
        )
        if "other" in present and not present_other:
            errors["present_other"] = "Say who else was present"
        if "other" not in present:
            present_other = None
        young_view = _text(
            details.young_persons_view,
            MAX_VIEW,
            errors,
            "young_persons_view",
            "The young person's own view",
        )
    if errors:
        raise ValidationError(errors)
    return {
        "areas": areas,
        "held_on": details.held_on,
        "mode": details.mode or None,
        "worker_id": details.worker_id,
        "present": ",".join(present) or None,
        "present_other": present_other,
        "young_persons_view": young_view,
    }


def _apply(assessment: NeedsAssessment, clean: dict) -> list[str]:
    """Write the checked details onto the assessment; the keys of what changed."""
    changed = []
    by_area = {row.area: row for row in assessment.areas}
    for area, values in clean["areas"].items():
        row = by_area.get(area)
        if row is None:
            row = AssessmentArea(area=area, priority=False)
            assessment.areas.append(row)
        if any(getattr(row, name) != value for name, value in values.items()):
            changed.append(area)
            for name, value in values.items():
                setattr(row, name, value)
    for key, column in (
        ("held_on", "held_on"),
        ("mode", "mode"),
        ("worker", "worker_id"),
        ("present", "present"),
        ("present", "present_other"),
        ("young_persons_view", "young_persons_view"),
    ):
        if getattr(assessment, column) != clean[column]:
            setattr(assessment, column, clean[column])
            if key not in changed:
                changed.append(key)
    return changed


# --- changes ---------------------------------------------------------------------------------


def case_for_new_assessment(session, case_id: int, actor, *, origin: Origin, now: datetime):
    """The case an assessment is about to be started on, when ``actor`` may; else NotFound or
    a ValidationError saying why not (a closed case, a draft already under way)."""
    case = _workable_case(session, case_id, actor, origin, now)
    _refuse_second_draft(session, case)
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
    clean = _checked(
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
    changed = _apply(assessment, clean)
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


def draft_of(session, case_id, assessment_id, actor, origin, now):
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
    clean = _checked(
        session,
        case,
        assessment.young_person,
        details,
        complete=complete,
        calendar=calendar,
        now=now,
    )
    changed = _apply(assessment, clean)
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
