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
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.forms import GovDateField
from triage.contact import CONVERSATION_OUTCOMES, KEY_DATES, PHONE_OUTCOMES, VISIT_OUTCOMES

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


class AttemptForm(FlaskForm):
    channel = RadioField(
        "How",
        choices=[("telephone", "Telephone call"), ("home_visit", "Home visit")],
        widget=GovRadioInput(),
        default="telephone",
        validators=[InputRequired(message="Select a call or a home visit")],
    )
    outcome = RadioField(
        "What happened",
        widget=GovRadioInput(),
        choices=[(f"{k}", v) for k, v in PHONE_OUTCOMES.items()]
        + [(f"visit:{k}", f"Visit: {v}") for k, v in VISIT_OUTCOMES.items()],
        validators=[InputRequired(message="Select what happened")],
    )
    day = GovDateField("Date", validators=[InputRequired(message="Enter the date")])
    at = _time_field("Time (24-hour, UK time)")
    notes = TextAreaField(
        "Notes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField("Record attempt", widget=GovSubmitInput())


class ConversationForm(FlaskForm):
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


class TemplateForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a title"), Length(max=200)],
    )
    body = TextAreaField(
        "Letter",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the letter"), Length(max=10000)],
    )
    submit = SubmitField("Save letter", widget=GovSubmitInput())


class KeyDateForm(FlaskForm):
    kind = RadioField(
        "What is the date for?",
        choices=list(KEY_DATES.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select what the date is for")],
    )
    event_on = GovDateField("Date", validators=[InputRequired(message="Enter the date")])
    submit = SubmitField("Add key date", widget=GovSubmitInput())
