"""Forms for restorative justice on a case: the request, the facilitator, a session and the
outcome."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Optional

from app.forms import GovDateField, SentOnce, posted_int, too_long
from casework.support.models import RJ_OUTCOMES, RJ_SENSITIVE, RJ_TYPES
from casework.support.restorative import MAX_JUSTIFICATION, MAX_NOTE

YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(value: str | None) -> bool | None:
    """A Yes/No radio's answer: True, False, or None when not answered."""
    return {"yes": True, "no": False}.get(value)


class Versioned(FlaskForm):
    """A form that saves over a record: the version the page showed."""

    version = HiddenField()

    def loaded_version(self) -> int | None:
        return posted_int(self.version.data)


TYPE = "Select the kind of restorative contact the victim wants"
GUILT = "Select whether the offender has admitted guilt"
RESPONSIBILITY = "Select whether the offender has accepted responsibility for the harm caused"


class RequestForm(Versioned):
    """The victim's request: when they asked, the offender's admission, the kind of contact,
    any sensitive categories the worker declares, and the exceptional circumstances."""

    requested_on = GovDateField(
        "When did the victim ask for restorative contact?",
        validators=[
            InputRequired(message="Enter the date the victim asked for restorative contact")
        ],
    )
    offender_admitted_guilt = RadioField(
        "Has the offender admitted guilt?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validate_choice=False,
        validators=[InputRequired(message=GUILT), AnyOf(["yes", "no"], message=GUILT)],
    )
    offender_accepted_responsibility = RadioField(
        "Has the offender accepted responsibility for the harm caused?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validate_choice=False,
        validators=[
            InputRequired(message=RESPONSIBILITY),
            AnyOf(["yes", "no"], message=RESPONSIBILITY),
        ],
    )
    rj_type = RadioField(
        "What kind of restorative contact does the victim want?",
        widget=GovRadioInput(),
        choices=list(RJ_TYPES.items()),
        validate_choice=False,
        validators=[InputRequired(message=TYPE), AnyOf(list(RJ_TYPES), message=TYPE)],
    )
    declared = SelectMultipleField(
        "Does the case fall in any other of these categories?",
        choices=list(RJ_SENSITIVE.items()),
        widget=GovCheckboxesInput(),
        validate_choice=False,
        validators=[Optional()],
    )
    exceptional_justification = TextAreaField(
        "Exceptional circumstances (sensitive categories only)",
        widget=GovCharacterCount(),
        validators=[
            Optional(),
            too_long("The exceptional circumstances", MAX_JUSTIFICATION),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


FACILITATOR = "Choose a facilitator from the case's team"
EXPERIENCED = "Select whether the facilitator is experienced"


class NewRequestForm(SentOnce, RequestForm):
    """A request being recorded: sent twice, it makes one."""


class FacilitatorForm(Versioned):
    """Who facilitates, and whether they are experienced."""

    facilitator_id = SelectField(
        "Facilitator", coerce=str, widget=GovSelect(), validate_choice=False, choices=[]
    )
    experienced = RadioField(
        "Is the facilitator experienced and skilled enough for a sensitive case?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validate_choice=False,
        validators=[InputRequired(message=EXPERIENCED), AnyOf(["yes", "no"], message=EXPERIENCED)],
    )
    submit = SubmitField("Save the facilitator", widget=GovSubmitInput())


KIND = "Select the kind of session"


class SessionForm(SentOnce):
    """A session held: when, what kind, a note. Sent twice, it records one."""

    held_on = GovDateField(
        "Date of the session",
        validators=[InputRequired(message="Enter the date the session was held")],
    )
    kind = RadioField(
        "Kind of session",
        widget=GovRadioInput(),
        choices=list(RJ_TYPES.items()),
        validate_choice=False,
        validators=[InputRequired(message=KIND), AnyOf(list(RJ_TYPES), message=KIND)],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The note", MAX_NOTE)],
    )
    submit = SubmitField("Record the session", widget=GovSubmitInput())


OUTCOME = "Select the outcome"


class OutcomeForm(Versioned):
    """How the process ended, when, and a note."""

    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=list(RJ_OUTCOMES.items()),
        validate_choice=False,
        validators=[InputRequired(message=OUTCOME), AnyOf(list(RJ_OUTCOMES), message=OUTCOME)],
    )
    outcome_on = GovDateField(
        "Date of the outcome",
        validators=[InputRequired(message="Enter the date of the outcome")],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The note", MAX_NOTE)],
    )
    submit = SubmitField("Record the outcome", widget=GovSubmitInput())
