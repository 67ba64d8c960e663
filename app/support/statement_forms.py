"""The form for Victim Personal Statement support: offered (when, and the person's answer),
helped to write, given to court."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Optional

from app.forms import GovDateField, Length, posted_int
from casework.support.models import VPS_OFFER_ANSWERS
from casework.support.statements import MAX_NOTE
from triage.statements import MAX_COURT

ANSWER = "Select whether the person wanted help"


class StatementForm(FlaskForm):
    """The case's statement support, all its stages on one form."""

    offered_on = GovDateField("Date help was offered", validators=[Optional()])
    answer = RadioField(
        "Did the person want help to write a statement?",
        widget=GovRadioInput(),
        choices=list(VPS_OFFER_ANSWERS.items()),
        validate_choice=False,
        validators=[InputRequired(message=ANSWER), AnyOf(list(VPS_OFFER_ANSWERS), message=ANSWER)],
    )
    helped_on = GovDateField("Date they were helped to write it", validators=[Optional()])
    given_on = GovDateField("Date it was given to court", validators=[Optional()])
    court = StringField(
        "Court",
        widget=GovTextInput(),
        validators=[
            Length(
                max=MAX_COURT, message=f"The court's name must be {MAX_COURT} characters or fewer"
            )
        ],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovCharacterCount(),
        validators=[
            Optional(),
            Length(max=MAX_NOTE, message=f"The note must be {MAX_NOTE:,} characters or fewer"),
        ],
    )
    version = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def loaded_version(self) -> int | None:
        """The version the form was shown with, or None (no record then, or not a version)."""
        return posted_int(self.version.data)
