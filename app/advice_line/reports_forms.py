"""The advice line's settings form: the charge per contact and the retention years."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import InputRequired

from app.forms import Length


class LineSettingsForm(FlaskForm):
    """The charge per contact (pounds and pence) and how many years a professional's details
    are kept; ``loaded`` is when the settings were last changed, as the page showed them."""

    charge = StringField(
        "Charge per contact",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the charge per contact, like 45.00"),
            Length(max=20, message="Enter an amount no more than £10,000"),
        ],
    )
    retention_years = StringField(
        "Years a professional's details are kept",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a number of years between 1 and 10"),
            Length(max=4, message="Enter a number of years between 1 and 10"),
        ],
    )
    loaded = HiddenField()
    submit = SubmitField("Save settings", widget=GovSubmitInput())
