"""Case notes on a case: the list (newest first), and writing, editing and amending a note.
Each view parses its form, calls one casework.cases.notes service, flashes and redirects."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.cases.routes import render_case_page
from app.contact.forms import moment
from app.extensions import db
from app.forms import (
    REFUSED,
    add_missing_errors,
    apply_errors,
    call_service,
    flash_made,
    page_number,
)
from app.notes import bp
from app.notes.forms import AmendForm, EditNoteForm, NoteForm
from casework.cases.notes import (
    EditConflict,
    NoteDetails,
    add_note,
    amend_note,
    case_for_new_note,
    case_of_note,
    check_note,
    edit_note,
    editable_until,
    list_notes,
    note_for_amending,
    note_for_editing,
    viewable_case,
)
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from scheduling.service_calendars import victim_calendar
from triage.contact_modes import mode_label

workers = role_required("caseworker", "team_leader", "admin")
# A volunteer assigned to the case reads its unrestricted notes, adds notes and edits their own
# (casework.cases.notes); amending is for staff.
with_volunteers = role_required("caseworker", "team_leader", "admin", "volunteer")


def _tz():
    return victim_calendar(current_app.config).tz


def _context() -> dict:
    return {"origin": request_origin(), "now": utcnow()}


def _to_notes(case_id: int, message: str | None = None):
    if message:
        flash(message, "info")
    return redirect(url_for("notes.case_notes", case_id=case_id))


def _details(form: NoteForm) -> NoteDetails:
    return NoteDetails(
        mode=form.mode.data,
        happened_at=moment(form.day.data, form.at.data, _tz()),
        text=form.text.data,
        restricted=bool(form.restricted.data),
    )


def _fill_when(form: NoteForm, moment_) -> None:
    local = moment_.astimezone(_tz())
    form.day.data, form.at.data = local.date(), local.strftime("%H:%M")


def _case_or_404(case_id: int):
    try:
        return viewable_case(db.session, case_id, current_user, **_context())
    except NotFound:
        abort(404)


@bp.route("/cases/<int:case_id>/notes")
@with_volunteers
def case_notes(case_id: int):
    """A case's notes, newest first, a page at a time; restricted text only for those who may
    read it."""
    try:
        found = list_notes(db.session, case_id, current_user, page=page_number(), **_context())
    except NotFound:
        abort(404)
    return render_case_page("notes/notes.html", found.case, found=found, mode_label=mode_label)


@bp.route("/cases/<int:case_id>/notes/new", methods=["GET", "POST"])
@with_volunteers
def new_note(case_id: int):
    """Write a note on an open case: mode (or no contact), when, text, restricted or not."""
    form = NoteForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: add_note(
                db.session,
                case_id,
                _details(form),
                actor=current_user,
                submission_token=form.submission_token.data,
                **_context(),
            ),
        )
        if outcome is not REFUSED:
            flash_made(outcome, "Note added.")
            return redirect(url_for("notes.case_notes", case_id=case_id))
    elif not form.is_submitted():
        try:
            case_for_new_note(db.session, case_id, current_user, **_context())
        except NotFound:
            abort(404)
        except ValidationError as exc:
            return _to_notes(case_id, next(iter(exc.errors.values())))
        _fill_when(form, utcnow())
    case = _case_or_404(case_id)
    if form.errors and not (form.day.errors or form.at.errors):
        # The date is readable: say now, with the form's own problems, if the service refuses it.
        add_missing_errors(
            form,
            lambda: check_note(db.session, case_id, _details(form), current_user, **_context()),
        )
    status = 400 if form.errors or form.form_errors else 200
    return render_template("notes/note_form.html", form=form, case=case, note=None), status


@bp.route("/cases/<int:case_id>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@with_volunteers
def edit(case_id: int, note_id: int):
    """Edit a note in its first 24 hours (its author or a team leader). A save over a change
    made since the page was opened is refused, with the note as it now is."""
    form = EditNoteForm()
    conflict = None
    if form.validate_on_submit():
        try:
            changed = edit_note(
                db.session,
                case_id,
                note_id,
                _details(form),
                expected_version=form.loaded_version(),
                actor=current_user,
                **_context(),
            )
        except NotFound:
            abort(404)
        except EditConflict as exc:
            db.session.rollback()
            conflict = exc
            apply_errors(form, exc)
            form.version.data = str(exc.note.version)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash("Note updated." if changed else "Nothing was changed.", "success")
            return redirect(url_for("notes.case_notes", case_id=case_id))
    elif not form.is_submitted():
        try:
            note = note_for_editing(db.session, case_id, note_id, current_user, **_context())
        except NotFound:
            abort(404)
        except ValidationError as exc:
            return _to_notes(case_id, next(iter(exc.errors.values())))
        form = EditNoteForm(
            data={
                "mode": note.mode,
                "text": note.text,
                "restricted": note.restricted,
                "version": str(note.version),
            }
        )
        _fill_when(form, note.happened_at)
        return render_template(
            "notes/note_form.html",
            form=form,
            case=note.case,
            note=note,
            until=editable_until(note),
        )
    try:
        case = case_of_note(db.session, case_id, note_id, current_user, **_context())
    except NotFound:
        abort(404)
    return render_template(
        "notes/note_form.html",
        form=form,
        case=case,
        note=None,
        conflict=conflict,
        mode_label=mode_label,
    ), 400


@bp.route("/cases/<int:case_id>/notes/<int:note_id>/amend", methods=["GET", "POST"])
@workers
def amend(case_id: int, note_id: int):
    """Append a correction to a note: how a note is put right after its first 24 hours."""
    form = AmendForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: amend_note(
                db.session, case_id, note_id, form.text.data, actor=current_user, **_context()
            ),
        )
        if outcome is not REFUSED:
            flash("Correction added.", "success")
            return redirect(url_for("notes.case_notes", case_id=case_id))
    try:
        note = note_for_amending(db.session, case_id, note_id, current_user, **_context())
    except NotFound:
        abort(404)
    except ValidationError as exc:
        if not form.is_submitted():
            return _to_notes(case_id, next(iter(exc.errors.values())))
        if not form.form_errors:
            apply_errors(form, exc)
        note = None
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "notes/amend.html",
        form=form,
        case=note.case if note else _case_or_404(case_id),
        note=note,
        mode_label=mode_label,
    ), status
