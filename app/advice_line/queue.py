"""The advisors' queue at /advice-line: callbacks owed by due time (overdue first), then new
contacts oldest first; going on and off duty; logging a call by hand; and the contact page's
callback section (the D8 callback's due time and recording a callback made)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Optional, ValidationError

from app.advice_line import bp
from app.advice_line.access import advice_line_required
from app.advice_line.contact_page import (
    SECTIONS,
    contact_or_404,
    line_calendar,
    render_contact_page,
    section,
)
from app.auth.session import request_origin
from app.contact.forms import TIME, moment
from app.extensions import db
from app.forms import (
    REFUSED,
    ActionForm,
    GovDateField,
    SentOnce,
    button_action,
    call_service,
    flash_made,
    page_number,
    posted_version,
)
from casework.db import utcnow
from casework.hsb import models as words
from casework.hsb.callbacks import (
    NO_NUMBER,
    RESULTS,
    attempts,
    callback_of,
    no_number_allowed,
    open_callback,
    open_off_queue_page,
    queue_view,
)
from casework.hsb.callbacks import record_callback as record_callback_made
from casework.hsb.calls import (
    LONGEST_CALL,
    LoggedCall,
    log_call,
    record_outcome_by_hand,
    set_on_duty,
    voicemail_of,
)
from casework.hsb.contacts import Professional
from scheduling.messaging.content import wording_from


def _local_now():
    return utcnow().astimezone(line_calendar().tz)


def _time_field(label: str, required: bool = True, message: str = "Enter the time"):
    def check(form, field):
        if field.data and not TIME.match(field.data.strip()):
            raise ValidationError("Enter a time like 14:30")

    validators = [InputRequired(message=message)] if required else [Optional()]
    return StringField(label, widget=GovTextInput(), validators=[*validators, check])


# --- forms -----------------------------------------------------------------------------------


class OnDutyForm(ActionForm):
    """Go on or off duty (the signed-in advisor)."""

    on_duty = HiddenField(validators=[AnyOf(["1", "0"])])


class LogCallForm(SentOnce):
    """A call an advisor logs by hand. Only what cannot be read (a date, a time) is refused
    here: log_call checks the rest, so every problem is told at once, never one per submit."""

    outcome = RadioField(
        "What happened to the call?",
        widget=GovRadioInput(),
        choices=list(words.CALL_OUTCOMES.items()),
        validate_choice=False,
    )
    received_day = GovDateField(
        "Date of the call",
        validators=[InputRequired(message="Enter the date of the call")],
    )
    received_at = _time_field(
        "Time it came in (24-hour, UK time)", message="Enter the time the call came in"
    )
    started_at = _time_field("Time the call started (if answered)", required=False)
    ended_at = _time_field("Time the call ended (if answered)", required=False)
    professional_name = StringField("Caller's name", widget=GovTextInput())
    professional_role = StringField("Their role", widget=GovTextInput())
    setting_type = SelectField(
        "Type of setting",
        widget=GovSelect(),
        choices=[("", "Not known"), *words.SETTING_TYPES.items()],
        validate_choice=False,
    )
    organisation = StringField("Organisation", widget=GovTextInput())
    local_authority = StringField("Local authority", widget=GovTextInput())
    region = SelectField(
        "Region",
        widget=GovSelect(),
        choices=[("", "Not known"), *words.REGIONS.items()],
        validate_choice=False,
    )
    email = StringField("Email address", widget=GovTextInput())
    phone = StringField("Phone number", widget=GovTextInput())
    submit = SubmitField("Log call", widget=GovSubmitInput())


class CallbackForm(FlaskForm):
    """A callback made to the professional. Only what cannot be read (the date, the time) is
    refused here: record_callback checks the rest, so every problem is told at once."""

    version = HiddenField()
    made_day = GovDateField(
        "Date you called back",
        validators=[InputRequired(message="Enter the date you called back")],
    )
    made_at = _time_field("Time (24-hour, UK time)", message="Enter the time you called back")
    result = RadioField(
        "What happened?",
        widget=GovRadioInput(),
        choices=list(RESULTS.items()),
        validate_choice=False,
    )
    note = TextAreaField(
        "Short note (optional)",
        widget=GovTextArea(),
    )
    submit = SubmitField("Record callback", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "callback")
        super().__init__(*args, **kwargs)


# --- the queue -------------------------------------------------------------------------------


@bp.route("/advice-line")
@advice_line_required
def queue():
    """The HSB advisors' queue (DESIGN.md Stable interfaces)."""
    now = utcnow()
    view = queue_view(
        db.session,
        now=now,
        calendar=line_calendar(),
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "advice_line/queue.html",
        view=view,
        now=now,
        words=words,
        duty_form=OnDutyForm(),
        page_url=lambda number: url_for("advice_line.queue", page=number),
    )


@bp.route("/advice-line/open")
@advice_line_required
def open_contacts():
    """Open contacts off the queue (no callback owed, no longer new), oldest first, with what
    is left to do on each: without this page they would stay open and be found by no one."""
    return render_template(
        "advice_line/open_contacts.html",
        page=open_off_queue_page(
            db.session, page=page_number(), per_page=current_app.config["PAGE_SIZE"]
        ),
        words=words,
        page_url=lambda number: url_for("advice_line.open_contacts", page=number),
    )


@bp.route("/advice-line/on-duty", methods=["POST"])
@advice_line_required
def on_duty():
    """The signed-in advisor goes on or off duty."""
    form = OnDutyForm()
    if form.validate_on_submit():
        going_on = form.on_duty.data == "1"
        outcome = call_service(
            form,
            lambda: set_on_duty(
                db.session, current_user, going_on, origin=request_origin(), now=utcnow()
            ),
        )
        if outcome is REFUSED:
            flash(next(iter(form.on_duty.errors or form.form_errors), "Not changed"), "error")
        elif going_on:
            flash("You are on duty. Calls to the line will ring your phone.", "success")
        else:
            flash("You are off duty. Calls to the line will not ring your phone.", "success")
    return redirect(url_for("advice_line.queue"))


# --- logging a call by hand ------------------------------------------------------------------


def _past_midnight(before: datetime | None, later: datetime | None) -> datetime | None:
    """``later``, typed as a time on the same day as ``before``, taken as the next day when it
    reads earlier and that puts it within a call's longest length of ``before`` (a call from
    23:50 to 00:10). Otherwise as typed, so a slip (ended 09:35 after starting 09:40) is
    refused as ending before it started, not taken as a call of nearly a day."""
    if before is None or later is None or later >= before:
        return later
    next_day = later + timedelta(days=1)  # the same wall-clock time the next day
    return next_day if next_day - before <= LONGEST_CALL else later


def _logged_call(form: LogCallForm) -> LoggedCall:
    tz = line_calendar().tz
    day = form.received_day.data
    received = moment(day, form.received_at.data, tz)
    started = _past_midnight(received, moment(day, form.started_at.data, tz))
    return LoggedCall(
        outcome=form.outcome.data,
        received_at=received,
        started_at=started,
        ended_at=_past_midnight(started or received, moment(day, form.ended_at.data, tz)),
        professional=Professional(
            professional_name=form.professional_name.data,
            professional_role=form.professional_role.data,
            setting_type=form.setting_type.data or None,
            organisation=form.organisation.data,
            local_authority=form.local_authority.data,
            region=form.region.data or None,
            email=form.email.data,
            phone=form.phone.data,
        ),
    )


@bp.route("/advice-line/calls/new", methods=["GET", "POST"])
@advice_line_required
def log_call_page():
    """Log a call by hand (a line without the voice webhook)."""
    form = LogCallForm()
    if request.method == "GET":
        local = _local_now()
        form.received_day.data, form.received_at.data = local.date(), local.strftime("%H:%M")
    if form.validate_on_submit():
        contact = call_service(
            form,
            lambda: log_call(
                db.session,
                _logged_call(form),
                actor=current_user,
                calendar=line_calendar(),
                origin=request_origin(),
                now=utcnow(),
                submission_token=form.submission_token.data,
            ),
        )
        if contact is not REFUSED:
            flash_made(contact, f"Call logged as contact {contact.id}.")
            return redirect(url_for("advice_line.contact", contact_id=contact.id))
    return render_template("advice_line/log_call.html", form=form), (
        400 if form.errors or form.form_errors else 200
    )


# --- the contact page's callback section -----------------------------------------------------


@section("advice_line/_callbacks.html")
def callbacks_section(contact) -> dict:
    """The D8 callback (due, made, or none owed), the callbacks made, and the form."""
    form = g.get("callback_form")
    owed = open_callback(contact)
    if form is None and owed is not None:
        form = CallbackForm()
        local = _local_now()
        form.made_day.data, form.made_at.data = local.date(), local.strftime("%H:%M")
    if form is not None:
        form.version.data = contact.version
        if not no_number_allowed(contact):
            form.result.choices = [c for c in form.result.choices if c[0] != NO_NUMBER]
    return {
        "callback": callback_of(contact),
        "owed": owed,
        "attempts": attempts(db.session, contact.id),
        "voicemail": voicemail_of(db.session, contact.id)
        if contact.call_outcome == "voicemail" and contact.call_sid
        else None,
        "results": RESULTS,
        "form": form,
        "now": utcnow(),
    }


@bp.route("/advice-line/contacts/<int:contact_id>/callbacks", methods=["POST"])
@advice_line_required
def record_callback(contact_id: int):
    """Record a callback made: spoke or voicemail left meets D8; no answer leaves it open."""
    found = contact_or_404(contact_id, "callback")
    form = CallbackForm()
    if form.validate_on_submit():
        tz = line_calendar().tz
        outcome = call_service(
            form,
            lambda: record_callback_made(
                db.session,
                found.id,
                made_at=moment(form.made_day.data, form.made_at.data, tz),
                result=form.result.data,
                note=form.note.data,
                version=posted_version(form.version.data),
                actor=current_user,
                wording=wording_from(current_app.config),
                tz=tz,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            _contact, met = outcome
            if form.result.data == NO_NUMBER:
                said = "Recorded: there is no phone number to call, so no callback is owed."
            elif met:
                said = "Callback recorded. The callback is done."
            else:  # not a success to celebrate: the callback is still owed
                said = "Callback recorded. The callback is still owed."
            flash(said, "success" if met or form.result.data == NO_NUMBER else "important")
            return redirect(url_for("advice_line.contact", contact_id=contact_id))
        found = contact_or_404(contact_id, "callback")
    g.callback_form = form
    sections = [(template, loader(found)) for template, loader in SECTIONS]
    return render_contact_page("advice_line/contact.html", found, sections=sections), 400


@bp.route("/advice-line/contacts/<int:contact_id>/call-outcome", methods=["POST"])
@advice_line_required
def record_call_outcome(contact_id: int):
    """Say what happened to a rung call whose outcome the phone system never reported."""
    found = contact_or_404(contact_id, "call outcome")
    outcome = request.form.get("call_outcome")

    def act() -> str:
        record_outcome_by_hand(
            db.session,
            found.id,
            outcome,
            version=posted_version(request.form.get("version")),
            actor=current_user,
            calendar=line_calendar(),
            wording=wording_from(current_app.config),
            origin=request_origin(),
            now=utcnow(),
        )
        if outcome == "answered":
            return "Recorded: the call was answered, so no callback is owed."
        return "Recorded: nobody answered the call, so the callback is still owed."

    button_action(act)
    return redirect(url_for("advice_line.contact", contact_id=contact_id))
