from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length


class RaisePriorityForm(FlaskForm):
    """A team leader raises a referral to enhanced, with the reason (the first call then falls
    due at 24 hours)."""

    reason = TextAreaField(
        "Why should this referral be enhanced?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Give the reason for raising the priority"),
            Length(max=300),
        ],
    )
    submit = SubmitField("Raise to enhanced", widget=GovSubmitInput())
