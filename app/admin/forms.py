from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from app.forms import TICK_SHOWN, GovDateField, Length, Radios, from_the_list
from casework.audit import RECORD_TYPES
from casework.people.contact_details import normalise_phone
from casework.staff.models import ROLES, SERVICES, SPECIALISMS


class StaffForm(FlaskForm):
    """A staff account's details, as an administrator edits them."""

    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the staff member's full name"), Length(max=120)],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter an email address"), Length(max=254)],
    )
    role = Radios(
        "Role",
        choices=list(ROLES.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select a role")],
    )
    team_id = SelectField(
        "Team", coerce=str, widget=GovSelect(), invalid_choice_message=from_the_list("a team")
    )
    specialisms = SelectMultipleField(
        "Specialisms",
        choices=list(SPECIALISMS.items()),
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        invalid_choice_message=TICK_SHOWN,
    )
    npa = StringField(
        "Neighbourhood policing area",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100)],
    )
    gender = StringField(
        "Gender (optional, for victims' stated preferences)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=20)],
    )
    languages = StringField(
        "Languages spoken other than English (comma separated)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    phone = StringField(
        "Phone number for the HSB advice line (optional)",
        description="The advice line rings this number while an HSB advisor is on duty.",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=30, message="Enter a UK phone number, like 07700 900123"),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_phone(self, field):
        _phone, problem = normalise_phone(field.data)
        if problem:
            raise ValidationError("Enter a UK phone number, like 07700 900123 or 020 7946 0123")


class NewStaffForm(StaffForm):
    """A new staff account: its details and a first password."""

    password = PasswordField(
        "Initial password (at least 12 characters)",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter an initial password")],
    )


class PasswordForm(FlaskForm):
    """An administrator sets a new password (it signs the person out everywhere)."""

    password = PasswordField(
        "New password (at least 12 characters)",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter a new password")],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ActiveForm(FlaskForm):
    """Deactivate or reactivate an account: a button, CSRF-protected."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class TeamForm(FlaskForm):
    """A new team of the victim service or the HSB advice line."""

    name = StringField(
        "Team name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the team's name"), Length(max=100)],
    )
    service = RadioField(
        "Service",
        choices=list(SERVICES.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the service")],
    )
    submit = SubmitField("Add team", widget=GovSubmitInput())


class AuditSearchForm(FlaskForm):
    """Search the audit trail: staff, the person behind a reference, record, UK dates."""

    class Meta:
        csrf = False  # a GET search changes nothing

    staff = StringField(
        "Staff email contains", widget=GovTextInput(), validators=[Optional(), Length(max=254)]
    )
    reference = StringField(
        "Referral reference",
        description="Any of the person's Waypoint references, like WP-ABCD2345: finds every "
        "event about that person",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=20)],
    )
    record_type = SelectField(
        "Record type",
        widget=GovSelect(),
        validators=[Optional()],
        choices=[
            ("", "Any"),
            *sorted(RECORD_TYPES.items(), key=lambda item: item[1]),
        ],
        invalid_choice_message=from_the_list("a record type"),
    )
    record_id = StringField(
        "Record id", widget=GovTextInput(), validators=[Optional(), Length(max=64)]
    )
    since = GovDateField("From (inclusive)", validators=[Optional()])
    until = GovDateField("To (inclusive)", validators=[Optional()])
    submit = SubmitField("Search", widget=GovSubmitInput())


class SubjectAccessForm(FlaskForm):
    """A subject-access request, by any of the person's referral references."""

    reference = StringField(
        "Waypoint reference of any of the person's referrals",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a Waypoint reference, like WP-ABCD2345"),
            Length(max=20),
        ],
    )
    submit = SubmitField("Download everything held about this person", widget=GovSubmitInput())


class ProfessionalAccessForm(FlaskForm):
    """A professional's subject-access request on the HSB advice line, by the exact email
    address or telephone number they gave."""

    contact = StringField(
        "The professional's email address or telephone number",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the professional's email address or telephone number"),
            Length(max=254, message="Enter an email address of 254 characters or fewer"),
        ],
    )
    show = SubmitField("Find their advice contacts", widget=GovSubmitInput())
    json = SubmitField("Download as JSON", widget=GovSubmitInput())
    csv = SubmitField("Download as CSV", widget=GovSubmitInput())


class LetterWordingForm(FlaskForm):
    """The wording of one kind of letter."""

    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a title"), Length(max=200)],
    )
    body = TextAreaField(
        "Letter",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the letter"), Length(max=10000)],
    )
    submit = SubmitField("Save letter", widget=GovSubmitInput())


class MessageTemplateForm(FlaskForm):
    """A text or email template staff send from a case."""

    name = StringField(
        "Name",
        description="Staff pick the message by this name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a name for the template"), Length(max=100)],
    )
    channel = Radios(
        "Sent as",
        choices=[("sms", "Text message (SMS)"), ("email", "Email")],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select text message or email")],
    )
    subject = StringField(
        "Email subject (emails only)", widget=GovTextInput(), validators=[Optional()]
    )
    body = TextAreaField(
        "Message",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the message"), Length(max=5000)],
    )
    version = HiddenField()
    submit = SubmitField("Save template", widget=GovSubmitInput())
