from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField


class PoliceUploadForm(FlaskForm):
    """The police daily download, as a CSV file."""

    file = FileField(
        "Police daily download (CSV)",
        widget=GovFileInput(),
        validators=[
            FileRequired(message="Select the CSV file to import"),
            FileAllowed(["csv"], message="The file must be a .csv file"),
        ],
    )
    submit = SubmitField("Import", widget=GovSubmitInput())
