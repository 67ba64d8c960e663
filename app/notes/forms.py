"""Forms for case notes: writing or editing a note, and appending a correction."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, ValidationError

from app.contact.forms import TIME
from app.forms import GovDateField, Length, SentOnce, posted_int
from casework.cases.notes import MAX_TEXT
from triage.contact_modes import NOTE_MODES

TOO_LONG = f"The {{}} must be {MAX_TEXT:,} characters or fewer"


def _check_time(form, field):
    if field.data and not TIME.match(field.data.strip()):
        raise ValidationError("Enter a time like 14:30")


class NoteForm(SentOnce):
    """A case note: how the contact happened (or no contact), when, what, and whether it is
    restricted."""

    max_text = MAX_TEXT
    mode = RadioField(
        "How did the contact happen?",
        widget=GovRadioInput(),
        choices=list(NOTE_MODES.items()),
        validate_choice=False,
        validators=[
            InputRequired(message="Select how the contact happened, or No contact"),
            AnyOf(list(NOTE_MODES), message="Select how the contact happened, or No contact"),
        ],
    )
    day = GovDateField(
        "Date it happened", validators=[InputRequired(message="Enter the date it happened")]
    )
    at = StringField(
        "Time (24-hour, UK time)",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the time it happened"), _check_time],
    )
    text = TextAreaField(
        "Note",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter the note"),
            Length(max=MAX_TEXT, message=TOO_LONG.format("note")),
        ],
    )
    restricted = BooleanField(
        "Restricted: only the case's caseworker and team leaders can read it",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save note", widget=GovSubmitInput())


class EditNoteForm(NoteForm):
    """A note being edited: as NoteForm, with the version the editor loaded, so a save over
    someone else's change is refused."""

    submission_token = None
    version = HiddenField()
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def loaded_version(self) -> int | None:
        """The version sent back with the form, or None when absent or not a version."""
        return posted_int(self.version.data)


class AmendForm(FlaskForm):
    """A correction appended to a note after its 24 hours."""

    max_text = MAX_TEXT
    text = TextAreaField(
        "Correction",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter the correction"),
            Length(max=MAX_TEXT, message=TOO_LONG.format("correction")),
        ],
    )
    submit = SubmitField("Add correction", widget=GovSubmitInput())
