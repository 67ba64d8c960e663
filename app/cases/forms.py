from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from app.forms import Length


class OpenCaseForm(FlaskForm):
    """A team leader opens a case for the person of a referral: the caseworker who holds it
    and the reason (DESIGN.md Records: a case opens at further support or by a team leader)."""

    caseworker = SelectField(
        "Caseworker",
        coerce=str,
        widget=GovSelect(),
        # The choices are the caseworkers the leader may allocate to; the service checks the
        # one sent, so a stale or forged value gets its plain refusal, not WTForms' own.
        validate_choice=False,
        validators=[InputRequired(message="Select a caseworker in your team")],
    )
    reason = TextAreaField(
        "Why does this person need a case?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Give the reason for opening a case"),
            Length(max=500, message="The reason must be 500 characters or fewer"),
        ],
    )
    submit = SubmitField("Open case", widget=GovSubmitInput())


class CaseMessageForm(FlaskForm):
    """Pick the text or email to send from a case, to see it before it goes."""

    template_id = SelectField(
        "Message",
        coerce=str,
        widget=GovSelect(),
        validate_choice=False,
        validators=[InputRequired(message="Select a message to send")],
    )
    submit = SubmitField("Preview the message", widget=GovSubmitInput())


class SendCaseMessageForm(FlaskForm):
    """Send the previewed message; the token makes a second press queue it once."""

    template_id = HiddenField()
    send_token = HiddenField()
    submit = SubmitField("Send message", widget=GovSubmitInput())
