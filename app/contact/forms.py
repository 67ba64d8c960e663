import re
from datetime import datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Optional, ValidationError

from app.answer_forms import EqualityForThem, SafeContactForThem
from app.forms import GovDateField, Length, SentOnce
from casework.contact.recording import recordable_channels
from triage.contact import (
    CONVERSATION_OUTCOMES,
    KEY_DATES,
    PHONE_OUTCOMES,
    VISIT_OUTCOMES,
)

TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def _time_field(label, required=True):
    def check(form, field):
        if field.data and not TIME.match(field.data.strip()):
            raise ValidationError("Enter a time like 14:30")

    validators = [InputRequired(message="Enter the time")] if required else [Optional()]
    return StringField(label, widget=GovTextInput(), validators=[*validators, check])


def moment(day, text: str | None, tz) -> datetime | None:
    """A UK date and 'HH:MM' as a timezone-aware moment."""
    if not day or not text:
        return None
    hours, minutes = TIME.match(text.strip()).groups()
    return datetime.combine(day, time(int(hours), int(minutes)), tzinfo=tz)


class CallForm(SentOnce):
    """Record a telephone call: only what can happen on a call. Prefixed, so its fields keep
    their own ids beside the visit and conversation forms on the referral page."""

    outcome = RadioField(
        "What happened on the call?",
        widget=GovRadioInput(),
        choices=list(PHONE_OUTCOMES.items()),
        validate_choice=False,
        validators=[
            InputRequired(message="Select what happened on the call"),
            AnyOf(list(PHONE_OUTCOMES), message="Select what happened on the call"),
        ],
    )
    day = GovDateField("Date of the call", validators=[InputRequired(message="Enter the date")])
    at = _time_field("Time (24-hour, UK time)")
    notes = TextAreaField(
        "Notes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField("Record call", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "call")
        super().__init__(*args, **kwargs)


class VisitForm(SentOnce):
    """Record a home visit: only what can happen at the door."""

    outcome = RadioField(
        "What happened at the visit?",
        widget=GovRadioInput(),
        choices=list(VISIT_OUTCOMES.items()),
        validate_choice=False,
        validators=[
            InputRequired(message="Select what happened at the visit"),
            AnyOf(list(VISIT_OUTCOMES), message="Select what happened at the visit"),
        ],
    )
    day = GovDateField("Date of the visit", validators=[InputRequired(message="Enter the date")])
    at = _time_field("Time (24-hour, UK time)")
    notes = TextAreaField(
        "Notes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField("Record home visit", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "visit")
        super().__init__(*args, **kwargs)


ATTEMPT_FORMS = {"telephone": ("call_form", CallForm), "home_visit": ("visit_form", VisitForm)}


def attempt_forms(referral, forms: dict, local_now: datetime) -> dict:
    """The referral page's "Record a call" and "Record a home visit" forms: each only where it
    may be recorded now (``recordable_channels``), or when it comes back with errors, filled in
    with the date and time now."""
    offered = recordable_channels(referral)
    found = {}
    for channel, (name, form_class) in ATTEMPT_FORMS.items():
        form = forms.get(name)
        if form is None and channel in offered:
            form = form_class()
        if form is not None and not form.day.data:
            form.day.data, form.at.data = local_now.date(), local_now.strftime("%H:%M")
        found[name] = form
    return found


class ConversationForm(FlaskForm, SafeContactForThem, EqualityForThem):
    """The first conversation: key risks, how it ended (further support books the needs
    assessment), and the safe-contact and equality questions not yet asked (police referrals
    come without them)."""

    outcome = RadioField(
        "How did the conversation end?",
        choices=list(CONVERSATION_OUTCOMES.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how the conversation ended")],
    )
    key_risks = TextAreaField(
        "Key risks and vulnerabilities",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000)],
    )
    booked_day = GovDateField(
        "Needs assessment date (for further support)", validators=[Optional()]
    )
    booked_at = _time_field("Needs assessment time", required=False)
    passed_to = StringField(
        "Passed to which service?", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    submit = SubmitField("Record conversation", widget=GovSubmitInput())


class KeyDateForm(FlaskForm):
    """A court date, sentencing or offender release, for a re-engagement prompt (D9)."""

    kind = RadioField(
        "What is the date for?",
        choices=list(KEY_DATES.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select what the date is for")],
    )
    event_on = GovDateField("Date", validators=[InputRequired(message="Enter the date")])
    submit = SubmitField("Add key date", widget=GovSubmitInput())
