"""Recording contact on a referral: calls, home visits, the first conversation, key dates,
and appointments held."""

from flask import abort, current_app, flash, redirect, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.contact import bp
from app.contact.forms import CallForm, ConversationForm, KeyDateForm, VisitForm, moment
from app.extensions import db
from app.forms import apply_errors, button_action
from app.referrals.routes import render_referral
from casework.contact.recording import (
    record_appointment_held,
    record_attempt,
    record_conversation,
    record_key_date,
)
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from scheduling.service_calendars import victim_calendar

workers = role_required("caseworker", "team_leader", "admin")


def _rerender(referral_id: int, **forms):
    return render_referral(referral_id, status=400, **forms)


def _submit(referral_id: int, form, form_name: str, save, done: str):
    """The shape every contact form shares: check the form, call the service, then either
    show what is wrong on the referral page (nothing stored) or confirm and go back to it."""
    if form.validate_on_submit():
        try:
            problem = save()
        except NotFound:
            abort(404)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            if problem is None:
                flash(done, "success")
                return redirect(url_for("referrals.referral", referral_id=referral_id))
    return _rerender(referral_id, **{form_name: form})


def _attempt(referral_id: int, channel: str, form, form_name: str, done: str):
    calendar = victim_calendar(current_app.config)

    def save():
        record_attempt(
            db.session,
            referral_id,
            channel=channel,
            outcome=form.outcome.data,
            at=moment(form.day.data, form.at.data, calendar.tz),
            notes=form.notes.data,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
            calendar=calendar,
        )

    return _submit(referral_id, form, form_name, save, done)


@bp.route("/referrals/<int:referral_id>/calls", methods=["POST"])
@workers
def call(referral_id: int):
    """Record a telephone call; D1 and D1b follow automatically."""
    return _attempt(referral_id, "telephone", CallForm(), "call_form", "Call recorded.")


@bp.route("/referrals/<int:referral_id>/visits", methods=["POST"])
@workers
def visit(referral_id: int):
    """Record a home visit; D3 and D3b follow automatically."""
    return _attempt(referral_id, "home_visit", VisitForm(), "visit_form", "Home visit recorded.")


@bp.route("/referrals/<int:referral_id>/conversation", methods=["POST"])
@workers
def conversation(referral_id: int):
    """Record the first conversation; further support books the needs assessment (D4)."""
    form = ConversationForm()
    calendar = victim_calendar(current_app.config)

    def save():
        now = utcnow()
        record_conversation(
            db.session,
            referral_id,
            outcome=form.outcome.data,
            key_risks=form.key_risks.data,
            held_at=now,
            booked_at=moment(form.booked_day.data, form.booked_at.data, calendar.tz),
            passed_to=form.passed_to.data,
            actor=current_user,
            origin=request_origin(),
            now=now,
            calendar=calendar,
        )

    return _submit(referral_id, form, "conversation_form", save, "Conversation recorded.")


@bp.route("/referrals/<int:referral_id>/key-dates", methods=["POST"])
@workers
def key_date(referral_id: int):
    """A court date, sentencing or offender release: re-engage the working day before (D9)."""
    form = KeyDateForm()

    def save():
        record_key_date(
            db.session,
            referral_id,
            kind=form.kind.data,
            event_on=form.event_on.data,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
            calendar=victim_calendar(current_app.config),
        )

    return _submit(
        referral_id,
        form,
        "key_date_form",
        save,
        "Key date added; a re-engagement prompt falls due the working day before.",
    )


@bp.route("/referrals/<int:referral_id>/obligations/<int:obligation_id>/held", methods=["POST"])
@workers
def held(referral_id: int, obligation_id: int):
    """A booked needs assessment or web chat took place."""

    def act():
        record_appointment_held(
            db.session,
            referral_id,
            obligation_id,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
            calendar=victim_calendar(current_app.config),
        )
        return "Recorded as held."

    button_action(act)
    return redirect(url_for("referrals.referral", referral_id=referral_id))
