"""Forms for closing a case (a reason, words for "other") and reopening one (a reason)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired

from app.forms import Length
from casework.closure.closing import MAX_REOPEN_REASON
from triage.closure import CLOSURE_REASONS

CHOOSE = "Choose the reason for closing the case"


class CloseCaseForm(FlaskForm):
    """Why the case closes; words are asked for "other"."""

    reason = RadioField(
        "Why is the case closing?",
        widget=GovRadioInput(),
        choices=list(CLOSURE_REASONS.items()),
        validate_choice=False,
        validators=[InputRequired(message=CHOOSE), AnyOf(list(CLOSURE_REASONS), message=CHOOSE)],
    )
    words = TextAreaField(
        "The reason in words",
        widget=GovCharacterCount(),
        validators=[Length(max=500, message="The reason must be 500 characters or fewer")],
    )
    submit = SubmitField("Close this case", widget=GovSubmitInput())


class ReopenForm(FlaskForm):
    """Why a closed case reopens."""

    reopen_reason = TextAreaField(
        "Why is the case reopening?",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Give the reason for reopening the case"),
            Length(
                max=MAX_REOPEN_REASON,
                message=f"The reason must be {MAX_REOPEN_REASON} characters or fewer",
            ),
        ],
    )
    submit = SubmitField("Reopen this case", widget=GovSubmitInput())
