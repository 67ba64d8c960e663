"""Forms for what the target-hardening contractor reports back: the visit, a refusal, the
outcome, completion, the 12-month follow-up and an additional need. The services check every
value again."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.forms import GovDateField, Length
from casework.onward.models import SERVICE_LEVELS, YES_NO_UNKNOWN
from casework.onward.target_hardening import MAX_ITEMS, MAX_NEED, MAX_REASON, SATISFACTION


def _time(label: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[Optional(), Length(max=10, message="Enter a time like 14:30")],
    )


class HardeningVisitForm(FlaskForm):
    """When the contractor agreed to visit, and when it attended (UK time)."""

    visit_agreed_for_day = GovDateField("Date of the visit agreed", validators=[Optional()])
    visit_agreed_for_time = _time("Time of the visit agreed (24-hour, UK time)")
    attended_day = GovDateField("Date the contractor attended", validators=[Optional()])
    attended_time = _time("Time the contractor attended (24-hour, UK time)")
    version = HiddenField()
    submit = SubmitField("Save the visit", widget=GovSubmitInput())


class HardeningRefusalForm(FlaskForm):
    """The person refused the service, and why."""

    refused_reason = TextAreaField(
        "Why did the person refuse the service?",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter why the person refused the service"),
            Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON} characters or fewer"),
        ],
    )
    version = HiddenField()
    submit = SubmitField("Record the refusal", widget=GovSubmitInput())


class HardeningOutcomeForm(FlaskForm):
    """The service level, items and their cost, the date fitted, satisfaction at the visit."""

    service_level = RadioField(
        "Service level",
        choices=[(str(k), v) for k, v in SERVICE_LEVELS.items()],
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select the service level")],
    )
    items = TextAreaField(
        "Items supplied or fitted (levels 2 and 3)",
        widget=GovTextArea(),
        validators=[
            Length(max=MAX_ITEMS, message=f"The items must be {MAX_ITEMS:,} characters or fewer")
        ],
    )
    cost = StringField(
        "Cost of the items, in pounds and pence (levels 2 and 3)",
        widget=GovTextInput(),
        validators=[Length(max=30, message="Enter an amount in pounds and pence, like 125.50")],
    )
    fitted_on = GovDateField("Date the items were fitted or supplied", validators=[Optional()])
    satisfaction = RadioField(
        "How satisfied was the person at the end of the visit? (optional)",
        choices=[(str(k), v) for k, v in SATISFACTION.items()],
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Optional()],
    )
    version = HiddenField()
    submit = SubmitField("Save the outcome", widget=GovSubmitInput())


class HardeningCompletionForm(FlaskForm):
    """The day the works were completed."""

    completed_on = GovDateField(
        "Date the works were completed",
        validators=[InputRequired(message="Enter the date the works were completed")],
    )
    version = HiddenField()
    submit = SubmitField("Record completion", widget=GovSubmitInput())


def _yes_no(label: str, message: str) -> RadioField:
    return RadioField(
        label,
        choices=list(YES_NO_UNKNOWN.items()),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message=message)],
    )


class HardeningFollowUpForm(FlaskForm):
    """The 12-month answers."""

    feels_safer = _yes_no("Does the person feel safer?", "Select whether the person feels safer")
    is_safer = _yes_no("Is the person safer?", "Select whether the person is safer")
    version = HiddenField()
    submit = SubmitField("Record the 12-month follow-up", widget=GovSubmitInput())


class HardeningNeedForm(FlaskForm):
    """An additional need the contractor fed back, with the person's consent."""

    additional_need = TextAreaField(
        "The additional need the contractor fed back",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter the additional need fed back"),
            Length(max=MAX_NEED, message=f"The need must be {MAX_NEED:,} characters or fewer"),
        ],
    )
    additional_need_consent = BooleanField(
        "The person agreed to the contractor feeding this back to us",
        widget=GovCheckboxInput(),
    )
    version = HiddenField()
    submit = SubmitField("Record the additional need", widget=GovSubmitInput())
