"""Forms for professionals' feedback: the public one-time form, asking for it, and the team
leader's follow-up."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.forms import too_long
from casework.hsb.feedback import COMMENTS_LIMIT, NOTES_LIMIT
from casework.hsb.models import CONFIDENCE_QUESTIONS, CONFIDENCE_SCALE, SATISFACTION


def _scale(label: str, choices: dict, message: str) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=[(str(k), v) for k, v in choices.items()],
        validators=[InputRequired(message=message)],
    )


class FeedbackForm(FlaskForm):
    """The professional's feedback: the first contact's confidence questions again,
    satisfaction, and their own words."""

    confidence_identify = _scale(
        CONFIDENCE_QUESTIONS["identify"],
        CONFIDENCE_SCALE,
        "Select how confident you are in identifying harmful sexual behaviour",
    )
    confidence_respond = _scale(
        CONFIDENCE_QUESTIONS["respond"],
        CONFIDENCE_SCALE,
        "Select how confident you are in responding to harmful sexual behaviour",
    )
    satisfaction = _scale(
        "How satisfied were you with the advice you received?",
        SATISFACTION,
        "Select how satisfied you were with the advice",
    )
    comments = TextAreaField(
        "Is there anything you would like to tell us? (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("Your comments", COMMENTS_LIMIT)],
    )
    submit = SubmitField("Send feedback", widget=GovSubmitInput())


class RequestFeedbackForm(FlaskForm):
    """Email the professional the feedback link."""

    submit = SubmitField("Email a feedback link", widget=GovSubmitInput())


class FollowUpForm(FlaskForm):
    """What the team leader did about negative feedback."""

    notes = TextAreaField(
        "How was the feedback followed up?",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter what was done to follow up the feedback"),
            too_long("The notes", NOTES_LIMIT),
        ],
    )
    submit = SubmitField("Record the follow-up", widget=GovSubmitInput())
