"""The form a team leader decides a request with: approve or refuse, and the reason."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired

from app.forms import Length, posted_int
from casework.approvals.requests import MAX_REASON

DECISIONS = {"approve": "Approve", "refuse": "Refuse"}
CHOOSE = "Choose whether to approve or refuse the request"


class DecisionForm(FlaskForm):
    """Approve or refuse a request (a reason is needed to refuse)."""

    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=list(DECISIONS.items()),
        validate_choice=False,
        validators=[InputRequired(message=CHOOSE), AnyOf(list(DECISIONS), message=CHOOSE)],
    )
    reason = TextAreaField(
        "Reason",
        description="Needed when you refuse; the person who asked sees it.",
        widget=GovCharacterCount(),
        validators=[
            Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON:,} characters or fewer")
        ],
    )
    version = HiddenField()
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def loaded_version(self) -> int | None:
        """The version sent back with the form, or None when absent or not a version."""
        return posted_int(self.version.data)
