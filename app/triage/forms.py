from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length


class RaisePriorityForm(FlaskForm):
    reason = TextAreaField(
        "Why should this referral be enhanced?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Give the reason for raising the priority"),
            Length(max=300),
        ],
    )
    submit = SubmitField("Raise to enhanced", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A button that changes something: CSRF-protected, no fields of its own."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class PoliceUploadForm(FlaskForm):
    file = FileField(
        "Police daily download (CSV)",
        widget=GovFileInput(),
        validators=[
            FileRequired(message="Select the CSV file to import"),
            FileAllowed(["csv"], message="The file must be a .csv file"),
        ],
    )
    submit = SubmitField("Import", widget=GovSubmitInput())
