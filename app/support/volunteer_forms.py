"""Forms for volunteers on a case: assigning one, and stepping one down with the reason."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.forms import Length, posted_int
from casework.support.volunteers import MAX_NOTE, MAX_REASON

CHOOSE = "Select a volunteer"


class AssignVolunteerForm(FlaskForm):
    """Which of the team's volunteers, and what they will do for the person."""

    volunteer = RadioField(
        "Which volunteer?",
        widget=GovRadioInput(),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(message=CHOOSE)],
    )
    role_note = TextAreaField(
        "What will they do? (optional)",
        widget=GovCharacterCount(),
        validators=[
            Optional(),
            Length(max=MAX_NOTE, message=f"Keep what they will do to {MAX_NOTE} characters"),
        ],
    )
    submit = SubmitField("Assign volunteer", widget=GovSubmitInput())

    def chosen(self) -> int | None:
        return posted_int(self.volunteer.data)


class StepDownForm(FlaskForm):
    """Why the volunteer is stepping down; with the version of the assignment the page showed."""

    reason = TextAreaField(
        "Why are they stepping down?",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter why the volunteer is stepping down"),
            Length(max=MAX_REASON, message=f"Keep the reason to {MAX_REASON} characters"),
        ],
    )
    version = HiddenField()
    submit = SubmitField("Step down", widget=GovSubmitInput(), render_kw={})

    def loaded_version(self) -> int | None:
        return posted_int(self.version.data)
