"""Case notes: adding, editing in the first 24 hours, amending after, and reading them
(issue "People and cases", part 6).

Only people who may work the case (casework.access.can_work_case) add, edit or amend, so a closed
case's notes are read only. A note is edited only by its author or a team leader, and only in the
24 hours after it was written; after that it is corrected by an appended amendment. An edit names
the version the editor loaded: if the note changed since, the edit is refused with what changed
and the note as it now is, never saved over it. A restricted note's text is read only by the
case's caseworker, team leaders and admins (casework.access.can_read_restricted_notes), and each
time it is shown is audited. Another team's case and a missing one are the same NotFound.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from casework.access import can_note_case, can_read_restricted_notes, can_work_case, refuse
from casework.audit import AuditEvent, Origin, audit_case
from casework.cases.loading import (
    before_case_began,
    case_work_refusal,
    viewable_case,
    workable_case,
)
from casework.cases.models import Case
from casework.cases.notes_models import CaseNote, CaseNoteAmendment
from casework.db import db, form_key, made_by_key, made_once
from casework.errors import ValidationError
from casework.staff.models import Staff
from casework.staff.vetting import local_today
from triage.contact_modes import NOTE_MODES

EDIT_WINDOW = timedelta(hours=24)
MAX_TEXT = 20_000
PER_PAGE = 20

# What an edit can change, in the words the conflict message uses.
FIELD_WORDS = {
    "mode": "how the contact happened",
    "happened_at": "the date and time",
    "text": "the text",
    "restricted": "whether it is restricted",
}


@dataclass(frozen=True)
class NoteDetails:
    """What a person writes in a note: its mode (or "none"), when it happened, its text, and
    whether it is restricted."""

    mode: str | None
    happened_at: datetime | None
    text: str | None
    restricted: bool = False


class EditConflict(ValidationError):
    """The note changed after the editor opened it: nothing was saved. Carries the note as it
    now is and what changed, so the editor can compare before saving again."""

    def __init__(self, note: CaseNote, changed: list[str], by: str | None, at: datetime):
        self.note, self.changed, self.by, self.at = note, changed, by, at
        what = " and ".join(FIELD_WORDS[f] for f in changed) if changed else "the note"
        who = by or "Someone"
        super().__init__(
            {
                "": f"{who} changed {what} after you opened this note. Your changes have not "
                "been saved. The note as it is now is shown below: check it, then save again "
                "to replace it with yours."
            }
        )


# --- loading, with the access rules ------------------------------------------------------


_case = viewable_case


def work_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not add to or change this case's notes, or None when they may. A
    volunteer assigned to an open case may (spec 3.12)."""
    if getattr(viewer, "role", None) == "volunteer" and can_note_case(viewer, case):
        return None
    return case_work_refusal(
        viewer,
        case,
        closed="its notes can be read but not added to or changed.",
        only="add to its notes.",
    )


def _workable_case(session, case_id: int, actor, origin: Origin, now: datetime) -> Case:
    return workable_case(session, case_id, actor, origin, now, work_refusal)


def _sees_restricted(viewer) -> bool:
    """Whether ``viewer`` is shown that restricted notes exist (their date, mode and author,
    never their text without can_read_restricted_notes). A volunteer is not: they see only the
    notes that are not restricted (spec 3.12)."""
    return getattr(viewer, "role", None) != "volunteer"


def _note(session, case: Case, note_id: int, viewer, origin: Origin, now: datetime) -> CaseNote:
    note = session.get(CaseNote, note_id)
    if (
        note is None
        or note.case_id != case.id
        or (note.restricted and not _sees_restricted(viewer))
    ):
        refuse(session, actor=viewer, origin=origin, record_type="case", record_id=case.id, now=now)
    return note


def editable_until(note: CaseNote) -> datetime:
    """The moment a note stops being editable: 24 elapsed hours after it was written, whatever
    the clocks did in between (stored in UTC, so a clock change moves nothing)."""
    return note.created_at + EDIT_WINDOW


def edit_refusal(viewer, case: Case, note: CaseNote, now: datetime) -> str | None:
    """Why ``viewer`` may not edit this note now, or None when they may: the case must be
    workable, the editor its author or a team leader, and the note under 24 hours old."""
    refusal = work_refusal(viewer, case)
    if refusal:
        return refusal
    if note.restricted and not can_read_restricted_notes(viewer, case):
        return "This note is restricted: you cannot edit it."
    if now >= editable_until(note):
        return (
            "This note was written more than 24 hours ago, so it can no longer be edited. "
            "Add a correction instead."
        )
    if note.author_id != viewer.id and viewer.role != "team_leader":
        return "Only the note's author or a team leader can edit it. Add a correction instead."
    return None


def _audit(session, case: Case, action: str, actor, origin, now, **detail) -> None:
    audit_case(session, case, action, actor=actor, origin=origin, at=now, detail=detail)


# --- checking what was written -----------------------------------------------------------


def _clean_text(text: str | None, errors: dict, field: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        errors[field] = f"Enter the {what}"
    elif len(text) > MAX_TEXT:
        errors[field] = (
            f"The {what} must be {MAX_TEXT:,} characters or fewer (it has {len(text):,})"
        )
    return text


VOLUNTEER_RESTRICTED = (
    "A volunteer's notes cannot be restricted: tell the caseworker anything that must be."
)


def _checked(details: NoteDetails, case: Case, now: datetime, actor=None) -> NoteDetails:
    errors: dict[str, str] = {}
    if details.restricted and getattr(actor, "role", None) == "volunteer":
        errors["restricted"] = VOLUNTEER_RESTRICTED
    if details.mode not in NOTE_MODES:
        errors["mode"] = "Select how the contact happened, or No contact"
    if details.happened_at is None:
        errors["day"] = "Enter the date and time it happened"
    elif details.happened_at > now:
        errors["day"] = "The date and time it happened cannot be in the future"
    elif early := before_case_began(local_today(details.happened_at), case):
        errors["day"] = f"The date it happened {early}"
    text = _clean_text(details.text, errors, "text", "note")
    if errors:
        raise ValidationError(errors)
    # Kept to the minute, as the form shows and sends it, so saving a note unchanged changes
    # nothing.
    happened_at = details.happened_at.replace(second=0, microsecond=0)
    return NoteDetails(details.mode, happened_at, text, bool(details.restricted))


# --- changes -------------------------------------------------------------------------------


def viewable_case(session, case_id: int, viewer, *, origin: Origin, now: datetime) -> Case:
    """A case ``viewer`` may see, for a notes page's heading; else NotFound (refusal audited)."""
    return _case(session, case_id, viewer, origin, now)


def case_of_note(
    session, case_id: int, note_id: int, viewer, *, origin: Origin, now: datetime
) -> Case:
    """The case, when ``viewer`` may see it and the note is one of its notes; else NotFound."""
    case = _case(session, case_id, viewer, origin, now)
    _note(session, case, note_id, viewer, origin, now)
    return case


def case_for_new_note(session, case_id: int, actor, *, origin: Origin, now: datetime) -> Case:
    """The case a note is about to be written on, when ``actor`` may add one; else NotFound
    (another team's or a missing case) or a ValidationError saying why not (a closed case)."""
    return _workable_case(session, case_id, actor, origin, now)


def add_note(
    session,
    case_id: int,
    details: NoteDetails,
    *,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
) -> CaseNote:
    """Write a note on an open case the actor may work. The same form sent twice (the same
    ``submission_token``, a double click or a resend) writes one note: the second time, the
    note the first wrote is returned and nothing changes, even when both arrive at once."""
    case = _workable_case(session, case_id, actor, origin, now)
    key = form_key(f"note:{actor.id}:{case.id}", submission_token)
    if (written := made_by_key(session, CaseNote.submission_key, key)) is not None:
        return written
    details = _checked(details, case, now, actor)

    def write() -> CaseNote:
        note = CaseNote(
            case_id=case.id,
            mode=details.mode,
            happened_at=details.happened_at,
            text=details.text,
            restricted=details.restricted,
            author_id=actor.id,
            created_at=now,
            updated_at=now,
            submission_key=key,
        )
        session.add(note)
        session.flush()
        _audit(
            session,
            case,
            "case_note.add",
            actor,
            origin,
            now,
            note_id=note.id,
            mode=note.mode,
            restricted=note.restricted,
        )
        session.commit()
        return note

    return made_once(session, CaseNote.submission_key, key, write)


def check_note(
    session, case_id: int, details: NoteDetails, actor, *, origin: Origin, now: datetime
) -> None:
    """What ``add_note`` would refuse in these details (a ValidationError), storing nothing: so
    a form with problems of its own shows the service's too, all at once."""
    _checked(details, _case(session, case_id, actor, origin, now), now, actor)


def note_for_editing(
    session, case_id: int, note_id: int, actor, *, origin: Origin, now: datetime
) -> CaseNote:
    """A note ``actor`` may edit now, its showing audited when restricted; else NotFound or a
    ValidationError saying why not (too old, not theirs, closed case)."""
    case = _case(session, case_id, actor, origin, now)
    note = _note(session, case, note_id, actor, origin, now)
    refusal = edit_refusal(actor, case, note, now)
    if refusal:
        raise ValidationError({"": refusal})
    if note.restricted:
        _audit(session, case, "case_note.view_restricted", actor, origin, now, note_id=note.id)
        session.commit()
    return note


def _changes_since(session, note: CaseNote, version: int) -> tuple[list[str], str | None]:
    """What edits after ``version`` changed (from the audit trail), and who made the last."""
    changed: list[str] = []
    by = None
    rows = session.execute(
        sa.select(AuditEvent.detail, Staff.name)
        .outerjoin(Staff, Staff.id == AuditEvent.actor_id)
        .where(
            AuditEvent.action == "case_note.edit",
            AuditEvent.record_type == "case",
            AuditEvent.record_id == str(note.case_id),
            AuditEvent.at >= note.created_at,
        )
        .order_by(AuditEvent.id)
    )
    for detail, name in rows:
        found = json.loads(detail) if detail else {}
        if found.get("note_id") == note.id and found.get("version", 0) > version:
            changed += [f for f in found.get("changed", []) if f not in changed]
            by = name
    return [f for f in FIELD_WORDS if f in changed], by


def _conflict(session, case, note, expected_version, actor, origin, now) -> EditConflict:
    changed, by = _changes_since(session, note, expected_version)
    _audit(
        session,
        case,
        "case_note.edit_conflict",
        actor,
        origin,
        now,
        note_id=note.id,
        expected_version=expected_version,
        version=note.version,
    )
    if note.restricted:  # the refusal shows the note as it now is
        _audit(session, case, "case_note.view_restricted", actor, origin, now, note_id=note.id)
    session.commit()
    return EditConflict(
        note, changed, by or getattr(note.edited_by or note.author, "name", None), note.updated_at
    )


def edit_note(
    session,
    case_id: int,
    note_id: int,
    details: NoteDetails,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> bool:
    """Edit a note in its first 24 hours (its author or a team leader). ``expected_version`` is
    the version the editor loaded: when the note has changed since, EditConflict, nothing saved.
    Returns whether anything changed."""
    case = _case(session, case_id, actor, origin, now)
    note = _note(session, case, note_id, actor, origin, now)
    refusal = edit_refusal(actor, case, note, now)
    if refusal:
        raise ValidationError({"": refusal})
    if expected_version is None:
        raise ValidationError({"": "This form is out of date: open the note again to edit it."})
    if note.version != expected_version:
        raise _conflict(session, case, note, expected_version, actor, origin, now)
    details = _checked(details, case, now, actor)
    changed = [f for f in FIELD_WORDS if getattr(note, f) != getattr(details, f)]
    if not changed:
        return False
    for field in changed:
        setattr(note, field, getattr(details, field))
    note.updated_at = now
    note.edited_by_id = actor.id
    try:
        session.flush()  # UPDATE ... WHERE version = the one loaded: a concurrent save fails here
    except StaleDataError:
        session.rollback()
        note = session.get(CaseNote, note_id)
        raise _conflict(session, case, note, expected_version, actor, origin, now) from None
    _audit(
        session,
        case,
        "case_note.edit",
        actor,
        origin,
        now,
        note_id=note.id,
        changed=changed,
        version=note.version,
    )
    session.commit()
    return True


def note_for_amending(
    session, case_id: int, note_id: int, actor, *, origin: Origin, now: datetime
) -> CaseNote:
    """A note ``actor`` may append a correction to, its showing audited when restricted."""
    case = _workable_case(session, case_id, actor, origin, now)
    note = _note(session, case, note_id, actor, origin, now)
    if note.restricted:
        if not can_read_restricted_notes(actor, case):
            raise ValidationError({"": "This note is restricted: you cannot amend it."})
        _audit(session, case, "case_note.view_restricted", actor, origin, now, note_id=note.id)
        session.commit()
    return note


def amend_note(
    session, case_id: int, note_id: int, text: str | None, *, actor, origin: Origin, now: datetime
) -> CaseNoteAmendment:
    """Append a correction to a note: the way a note older than 24 hours is put right."""
    case = _workable_case(session, case_id, actor, origin, now)
    note = _note(session, case, note_id, actor, origin, now)
    if note.restricted and not can_read_restricted_notes(actor, case):
        raise ValidationError({"": "This note is restricted: you cannot amend it."})
    errors: dict[str, str] = {}
    text = _clean_text(text, errors, "text", "correction")
    if errors:
        raise ValidationError(errors)
    amendment = CaseNoteAmendment(note_id=note.id, text=text, author_id=actor.id, created_at=now)
    session.add(amendment)
    session.flush()
    _audit(
        session,
        case,
        "case_note.amend",
        actor,
        origin,
        now,
        note_id=note.id,
        amendment_id=amendment.id,
    )
    session.commit()
    return amendment


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmendmentView:
    """A correction as the viewer may see it (``text`` None when the note is hidden)."""

    text: str | None
    author: str
    created_at: datetime


@dataclass(frozen=True)
class NoteView:
    """A note as this viewer may see it: a restricted note they may not read keeps its mode,
    date and author but not its text (``hidden``)."""

    id: int
    mode: str
    happened_at: datetime
    text: str | None
    restricted: bool
    hidden: bool
    author: str
    created_at: datetime
    edited_at: datetime | None
    edited_by: str | None
    amendments: list[AmendmentView]
    can_edit: bool
    editable_until: datetime
    can_amend: bool


@dataclass(frozen=True)
class NotesPage:
    """One page of a case's notes, newest first, and what the viewer may do there."""

    case: Case
    person_name: str
    notes: list[NoteView]
    page: object  # Flask-SQLAlchemy's Pagination: total, pages, has_next, iter_pages ...
    can_add: bool
    refusal: str | None


def _view(note: CaseNote, case: Case, viewer, readable: bool, now: datetime) -> NoteView:
    hidden = note.restricted and not readable
    return NoteView(
        id=note.id,
        mode=note.mode,
        happened_at=note.happened_at,
        text=None if hidden else note.text,
        restricted=note.restricted,
        hidden=hidden,
        author=note.author.name,
        created_at=note.created_at,
        edited_at=note.updated_at if note.edited_by_id else None,
        edited_by=note.edited_by.name if note.edited_by else None,
        amendments=[
            AmendmentView(None if hidden else a.text, a.author.name, a.created_at)
            for a in note.amendments
        ],
        can_edit=not hidden and edit_refusal(viewer, case, note, now) is None,
        editable_until=editable_until(note),
        can_amend=not hidden and can_work_case(viewer, case),
    )


def list_notes(
    session,
    case_id: int,
    viewer,
    *,
    page: int,
    origin: Origin,
    now: datetime,
    per_page: int = PER_PAGE,
) -> NotesPage:
    """A case's notes, newest first, a page at a time, as ``viewer`` may see them. The view is
    audited, and so is each restricted note whose text is shown."""
    case = _case(session, case_id, viewer, origin, now)
    query = (
        sa.select(CaseNote)
        .where(CaseNote.case_id == case.id)
        .options(
            joinedload(CaseNote.author),
            joinedload(CaseNote.edited_by),
            selectinload(CaseNote.amendments).joinedload(CaseNoteAmendment.author),
        )
        .order_by(CaseNote.happened_at.desc(), CaseNote.id.desc())
    )
    if not _sees_restricted(viewer):
        query = query.where(CaseNote.restricted.is_(False))
    found = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    readable = can_read_restricted_notes(viewer, case)
    notes = [_view(n, case, viewer, readable, now) for n in found.items]
    _audit(session, case, "case_note.list", viewer, origin, now, page=page)
    for note in notes:
        if note.restricted and not note.hidden:
            _audit(session, case, "case_note.view_restricted", viewer, origin, now, note_id=note.id)
    session.commit()
    person = case.person
    refusal = work_refusal(viewer, case)
    return NotesPage(
        case=case,
        person_name=f"{person.forename} {person.surname}".strip(),
        notes=notes,
        page=found,
        can_add=refusal is None,
        refusal=refusal,
    )
