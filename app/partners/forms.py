"""Forms for the partner registry: an agency's entry, a contact, a review held, and a merge.
The services check every value again."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.forms import GovDateField, Length, SentOnce, from_the_list
from casework.partners.models import AGENCY_TYPES, PARTNERSHIP_LEVELS
from casework.partners.registry import PROVIDED_SERVICES


class AgencyForm(FlaskForm):
    """An agency's registry entry, as an admin creates or edits it."""

    name = StringField(
        "Name of the agency",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the agency's name"), Length(max=200)],
    )
    in_registry = BooleanField(
        "In the registry (a partnership agreed, or an agency staff refer people to)",
        widget=GovCheckboxInput(),
        default=True,
    )
    agency_type = SelectField(
        "Type of agency",
        choices=[("", "Select the type")] + list(AGENCY_TYPES.items()),
        widget=GovSelect(),
        validators=[Optional()],
        invalid_choice_message=from_the_list("the type of agency"),
    )
    partnership_level = SelectField(
        "Level of partnership",
        choices=[("", "Select the level")] + list(PARTNERSHIP_LEVELS.items()),
        widget=GovSelect(),
        validators=[Optional()],
        invalid_choice_message=from_the_list("the level of partnership"),
    )
    provides = SelectField(
        "Onward service it provides",
        choices=[("", "None of these")] + list(PROVIDED_SERVICES.items()),
        widget=GovSelect(),
        validators=[Optional()],
        invalid_choice_message=from_the_list("the onward service"),
    )
    keyworker_name = StringField(
        "Our keyworker for this partnership",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    mou_signed_on = GovDateField(
        "Date the memorandum of understanding (MOU) was signed",
        validators=[Optional()],
    )
    mou_review_on = GovDateField(
        "Next partnership review (leave blank for 6 months after the MOU was signed)",
        validators=[Optional()],
    )
    isa_in_place = BooleanField(
        "An information-sharing agreement is in place", widget=GovCheckboxInput()
    )
    secure_email = StringField(
        "Secure email address for referrals",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=254)],
    )
    phone = StringField(
        "Telephone number", widget=GovTextInput(), validators=[Optional(), Length(max=32)]
    )
    notes = TextAreaField("Notes", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    version = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class ContactForm(SentOnce):
    """A named person at an agency: sent twice, they are added once."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the contact's name"), Length(max=200)],
    )
    role = StringField("Role (optional)", widget=GovTextInput(), validators=[Length(max=200)])
    email = StringField("Email address", widget=GovTextInput(), validators=[Length(max=254)])
    phone = StringField("Telephone number", widget=GovTextInput(), validators=[Length(max=32)])
    submit = SubmitField("Add contact", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    """A twice-yearly partnership review held."""

    reviewed_on = GovDateField(
        "Date the review was held", validators=[InputRequired("Enter the date the review was held")]
    )
    version = HiddenField()
    submit = SubmitField("Record the review", widget=GovSubmitInput())


class MergeForm(FlaskForm):
    """Merge an agency awaiting its entry into the registry agency it really is."""

    into_id = SelectField(
        "Registry agency it really is",
        widget=GovSelect(),
        choices=[],
        invalid_choice_message=from_the_list("the registry agency"),
    )
    version = HiddenField()
    submit = SubmitField("Merge", widget=GovSubmitInput())
