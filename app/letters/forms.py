"""The decision on a held letter."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.forms import Length
from casework.messages.held_letters import DECISION_CHANNELS, DECISIONS


class HeldLetterDecisionForm(FlaskForm):
    """Post it, send a text or email instead, or send nothing (with the reason)."""

    decision = RadioField(
        "What should happen to this letter?",
        choices=list(DECISIONS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select what to do with the letter")],
    )
    channel = RadioField(
        "If sending by another channel: which one?",
        choices=list(DECISION_CHANNELS.items()),
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Reason",
        description="Needed when nothing is sent; helpful for any decision",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=500, message="The reason must be 500 characters or fewer"),
        ],
    )
    submit = SubmitField("Record the decision", widget=GovSubmitInput())
