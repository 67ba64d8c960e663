"""Follow-up sessions (issue 16): the contact page's section listing them with their
reminders, booking one, and each session's page where it is recorded as held or missed (after
its start), moved to another time, or cancelled. Emails and invitations go through the outbox."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from app.advice_line import bp
from app.advice_line.access import advice_line_required
from app.advice_line.contact_page import contact_or_404, render_contact_page, section
from app.advice_line.session_forms import CancelForm, OutcomeForm, SessionForm
from app.auth.session import request_origin
from app.extensions import db
from app.forms import REFUSED, call_service
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.hsb import sessions as booking
from scheduling.messaging.calendar_invite import build_invite
from scheduling.service_calendars import hsb_calendar


@section("advice_line/_sessions.html")
def sessions_section(contact) -> dict:
    """The contact's follow-up sessions, each with its reminder's state."""
    return {"sessions": booking.sessions_of(db.session, contact), "now": utcnow()}


def _time_errors(form) -> None:
    if form.start_time.data and form.clock() is None:
        form.start_time.errors = ["Enter the start time as hours and minutes, like 14:30"]


def _flash_booking(done: booking.Booking, what: str) -> None:
    flash(f"{what} for {booking.describe_when(done.session.starts_at)}.", "success")
    for note in done.notes:
        flash(note, "info")


@bp.route("/advice-line/contacts/<int:contact_id>/sessions/new", methods=["GET", "POST"])
@advice_line_required
def new_session(contact_id: int):
    """Book a follow-up session for this professional."""
    form = SessionForm()
    if form.validate_on_submit():
        made = call_service(
            form,
            lambda: booking.book_session(
                db.session,
                contact_id,
                day=form.day.data,
                start_time=form.clock(),
                duration=form.minutes(),
                means=form.means.data or None,
                joining_details=form.joining_details.data,
                notes=form.notes.data,
                calendar=hsb_calendar(current_app.config),
                mail_from=current_app.config.get("MAIL_FROM"),
                build_invite=build_invite,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if made is not REFUSED:
            _flash_booking(made, "Session booked")
            return redirect(url_for("advice_line.contact", contact_id=contact_id) + "#sessions")
        _time_errors(form)
    found = contact_or_404(contact_id, "book session")
    status = 400 if form.errors or form.form_errors else 200
    return render_contact_page(
        "advice_line/session_form.html", found, form=form, moving=None, durations=booking.DURATIONS
    ), status


def _session_or_404(session_id: int):
    try:
        return booking.get_session(
            db.session, session_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)


@bp.route("/advice-line/sessions/<int:session_id>", methods=["GET", "POST"])
@advice_line_required
def session_page(session_id: int):
    """A session: its details; held or missed, moved to another time, or cancelled."""
    found = _session_or_404(session_id)
    form = SessionForm()
    if request.method == "POST" and form.validate_on_submit():
        moved = call_service(
            form,
            lambda: booking.reschedule_session(
                db.session,
                session_id,
                day=form.day.data,
                start_time=form.clock(),
                duration=form.minutes(),
                means=form.means.data or None,
                joining_details=form.joining_details.data,
                expected_version=form.loaded_version(),
                calendar=hsb_calendar(current_app.config),
                mail_from=current_app.config.get("MAIL_FROM"),
                build_invite=build_invite,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if moved is not REFUSED:
            _flash_booking(moved, "Session moved")
            return redirect(url_for("advice_line.session_page", session_id=moved.session.id))
        _time_errors(form)
        found = _session_or_404(session_id)
    if request.method == "GET" or form.form_errors:
        errors = form.form_errors
        form = SessionForm(formdata=None)
        form.form_errors = list(errors)
        form.duration.data = str(found.duration_minutes)
        form.means.data = found.means
        form.joining_details.data = found.joining_details
        form.version.data = str(found.version)
    form.submit.label.text = "Move the session"
    contact = contact_or_404(found.contact_id, "session")
    outcome_form = OutcomeForm(prefix="outcome")
    outcome_form.version.data = str(found.version)
    status = 400 if form.errors or form.form_errors else 200
    return render_contact_page(
        "advice_line/session.html",
        contact,
        booked=found,
        form=form,
        outcome_form=outcome_form,
        started=found.starts_at <= utcnow(),
        durations=booking.DURATIONS,
        describe_when=booking.describe_when,
    ), status


def _act(session_id: int, form, act, done) -> object:
    if form.validate_on_submit():
        try:
            result = act(form)
        except NotFound:
            abort(404)
        except ValidationError as exc:
            db.session.rollback()
            flash(next(iter(exc.errors.values())), "error")
        else:
            done(result)
    else:
        flash("The form had expired. Try again.", "error")
    return redirect(url_for("advice_line.session_page", session_id=session_id))


@bp.route("/advice-line/sessions/<int:session_id>/outcome", methods=["POST"])
@advice_line_required
def session_outcome(session_id: int):
    """Record the session as held or missed (after its start time)."""
    return _act(
        session_id,
        OutcomeForm(prefix="outcome"),
        lambda form: booking.record_outcome(
            db.session,
            session_id,
            outcome=form.outcome.data,
            expected_version=form.loaded_version(),
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        ),
        lambda s: flash(f"Session recorded as {s.status}.", "success"),
    )


@bp.route("/advice-line/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@advice_line_required
def cancel_session(session_id: int):
    """Cancel the session: a cancellation invitation goes, its reminder is withdrawn. It is
    asked on a page of its own first, since the professional is emailed at once and it cannot
    be undone."""
    if request.method == "GET":
        found = _session_or_404(session_id)
        if found.status != "booked":
            return redirect(url_for("advice_line.session_page", session_id=session_id))
        form = CancelForm(prefix="cancel")
        form.version.data = str(found.version)
        return render_contact_page(
            "advice_line/session_cancel.html",
            contact_or_404(found.contact_id, "session"),
            booked=found,
            cancel_form=form,
            describe_when=booking.describe_when,
        )
    return _act(
        session_id,
        CancelForm(prefix="cancel"),
        lambda form: booking.cancel_session(
            db.session,
            session_id,
            expected_version=form.loaded_version(),
            mail_from=current_app.config.get("MAIL_FROM"),
            build_invite=build_invite,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        ),
        lambda done: [
            flash("Session cancelled.", "success"),
            *[flash(n, "info") for n in done.notes],
        ],
    )
