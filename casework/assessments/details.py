"""What a worker writes on a needs assessment, and the checks it must pass before it is stored
(DESIGN.md Needs assessment; spec 3.9): any score on the scale, text within its limits, the
date held neither in the future nor before the case opened, held by telephone, face to face or
web chat, by a worker of the case's team; for the children and young people's version, who else
was present. A draft may leave anything out; completing needs it all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from casework.assessments.models import AssessmentArea, NeedsAssessment
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


def _text(value: str | None, limit: int, errors: dict, key: str, what: str) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        errors[key] = f"{what} must be {limit:,} characters or fewer (it has {len(text):,})"
    return text or None


def checked_details(
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


def apply_details(assessment: NeedsAssessment, clean: dict) -> list[str]:
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
