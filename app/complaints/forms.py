"""Forms for complaints: recording one received, and its investigation and outcome."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from app.forms import GovDateField, Length, SentOnce, posted_int, too_long
from casework.support.complaints import MAX_ABOUT, MAX_ACTION, MAX_INVESTIGATION
from casework.support.models import COMPLAINT_CHANNELS, COMPLAINT_OUTCOMES


class ComplaintForm(SentOnce):
    """A complaint received: when, how, what about, and the case it concerns if any."""

    received_on = GovDateField("Date received", validators=[Optional()])
    channel = RadioField(
        "How was it received?",
        widget=GovRadioInput(),
        choices=list(COMPLAINT_CHANNELS.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    about = TextAreaField(
        "What is the complaint about?",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("What the complaint is about", MAX_ABOUT)],
    )
    case_reference = StringField(
        "Case reference (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40, message="Enter a case reference like WC-7KQ2M9XD")],
    )
    submit = SubmitField("Record the complaint", widget=GovSubmitInput())


class InvestigationForm(FlaskForm):
    """The investigation and, once decided, the outcome and action taken."""

    investigated_by_id = SelectField(
        "Investigator", coerce=str, widget=GovSelect(), validate_choice=False, choices=[]
    )
    investigation = TextAreaField(
        "Investigation notes",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The investigation notes", MAX_INVESTIGATION)],
    )
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=[("", "Not decided yet"), *COMPLAINT_OUTCOMES.items()],
        validate_choice=False,
        validators=[Optional()],
    )
    outcome_on = GovDateField("Date of the outcome", validators=[Optional()])
    action_taken = TextAreaField(
        "Action taken",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The action taken", MAX_ACTION)],
    )
    version = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def chosen_investigator(self) -> int | None:
        """The investigator chosen, None for "Not chosen yet", or -1 for a value that is not a
        staff id at all, which the service refuses ("Choose the investigator from the list")
        rather than clearing the investigator."""
        if not (self.investigated_by_id.data or "").strip():
            return None
        chosen = posted_int(self.investigated_by_id.data)
        return -1 if chosen is None else chosen

    def loaded_version(self) -> int | None:
        return posted_int(self.version.data)
