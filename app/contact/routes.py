"""Recording contact on a referral: calls, home visits, the first conversation, key dates,
and appointments held."""

from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from app.answer_forms import characteristic_answers, safe_contact_answers
from app.auth.session import request_origin, role_required
from app.contact import bp
from app.contact.forms import (
    CallForm,
    ConversationForm,
    KeyDateForm,
    VisitForm,
    attempt_forms,
    moment,
)
from app.extensions import db
from app.forms import button_action, call_service, flash_made
from app.referrals.routes import header_of, referral_or_404
from casework.access import can_work_referral
from casework.cases.records import case_id_of_referral
from casework.contact.recording import (
    CLOSED_REFERRAL,
    conversation_recorded,
    record_appointment_held,
    record_attempt,
    record_conversation,
    record_key_date,
    recordable_channels,
    safe_times_reminder,
)
from casework.db import utcnow
from casework.people.answers import SafeContactAnswers
from scheduling.service_calendars import victim_calendar

workers = role_required("caseworker", "team_leader", "admin")


# Each action's short page: its template and the form it shows.
ACTIONS = {
    "call_form": "contact/call.html",
    "visit_form": "contact/visit.html",
    "conversation_form": "contact/conversation.html",
    "key_date_form": "contact/key_date.html",
}


def render_action(referral_id: int, form_name: str, form=None, *, status: int = 200):
    """One action's short page (record a call, a home visit, the first conversation, a key
    date), for whoever may work the referral; a form that comes back with errors is shown
    again with its error summary. Where the action does not apply now (a closed referral, a
    conversation already recorded, a channel the person did not choose) the page says so."""
    referral = referral_or_404(referral_id, audit_view=status == 200)
    if not can_work_referral(current_user, referral):
        abort(404)
    local_now = utcnow().astimezone(victim_calendar(current_app.config).tz)
    if form_name in ("call_form", "visit_form"):
        form = attempt_forms(referral, {form_name: form} if form else {}, local_now)[form_name]
    elif form is None:
        form = ConversationForm() if form_name == "conversation_form" else KeyDateForm()
    unavailable = None
    # A key date may be added to any referral worked; a call or visit also to one closed into
    # its case while one is still owed; the first conversation only while it is open.
    if form_name == "key_date_form":
        closed = False
    elif form_name in ("call_form", "visit_form") and referral.status != "open":
        channel = "telephone" if form_name == "call_form" else "home_visit"
        closed = channel not in recordable_channels(referral)
    else:
        closed = referral.status != "open"
    if closed and status == 200:
        unavailable = CLOSED_REFERRAL
    elif form_name == "conversation_form" and conversation_recorded(db.session, referral):
        unavailable = "The first conversation has already been recorded."
    elif form is None:
        unavailable = "This is not one of the ways this person is being contacted."
    return render_template(
        ACTIONS[form_name], **header_of(referral), form=form, unavailable=unavailable
    ), status


def _submit(referral_id: int, form, form_name: str, save, done: str, made=None):
    """The shape every contact form shares: check the form, call the service, then either
    show what is wrong on the action's own page (nothing stored) or confirm and go back to the
    referral, or to the case the referral has just joined. ``made()``, when given, is what the
    save made (to say when an earlier send of the same form had made it)."""
    if form.validate_on_submit():
        problem = call_service(form, save)
        # None when saved; REFUSED, or a refusal of the service's own, when not.
        if problem is None:
            flash_made(made() if made else None, done() if callable(done) else done)
            if form_name == "conversation_form":
                case_id = case_id_of_referral(db.session, referral_id)
                if case_id is not None:
                    return redirect(url_for("cases.case", case_id=case_id))
            return redirect(url_for("referrals.referral", referral_id=referral_id))
    return render_action(referral_id, form_name, form, status=400)


@bp.route("/referrals/<int:referral_id>/record/call")
@workers
def record_call(referral_id: int):
    """The short page to record a telephone call."""
    return render_action(referral_id, "call_form")


@bp.route("/referrals/<int:referral_id>/record/visit")
@workers
def record_visit(referral_id: int):
    """The short page to record a home visit."""
    return render_action(referral_id, "visit_form")


@bp.route("/referrals/<int:referral_id>/record/conversation", endpoint="record_conversation")
@workers
def record_conversation_page(referral_id: int):
    """The short page to record the first conversation."""
    return render_action(referral_id, "conversation_form")


@bp.route("/referrals/<int:referral_id>/record/key-date", endpoint="record_key_date")
@workers
def record_key_date_page(referral_id: int):
    """The short page to add a court date, sentencing or offender release."""
    return render_action(referral_id, "key_date_form")


def _attempt(referral_id: int, channel: str, form, form_name: str, done: str):
    calendar = victim_calendar(current_app.config)
    said = [done]
    recorded = []

    def save():
        attempt = record_attempt(
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
            submission_token=form.submission_token.data,
        )
        recorded.append(attempt)
        said.append(safe_times_reminder(db.session, attempt, calendar.tz))

    return _submit(
        referral_id,
        form,
        form_name,
        save,
        lambda: " ".join(filter(None, said)),
        made=lambda: recorded[0],
    )


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
            safe_contact=SafeContactAnswers(**safe_contact_answers(form)),
            characteristics=characteristic_answers(form),
            actor=current_user,
            origin=request_origin(),
            now=now,
            calendar=calendar,
        )

    return _submit(
        referral_id,
        form,
        "conversation_form",
        save,
        "Conversation recorded."
        if form.outcome.data != "further_support"
        else "Conversation recorded. The needs assessment is booked on this case.",
    )


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
