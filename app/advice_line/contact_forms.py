"""Forms for the advice line's contacts: the public /professionals form, an advisor logging an
email or a chat, the professional's details, an email's reply, the advice, redaction and the
guidance wording. Choices are checked by the casework services (validate_choice=False), so a
hostile value gets the service's plain message rather than WTForms' own."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional, ValidationError

from app.forms import GovDateField, SentOnce
from casework.hsb.advice import MAX_GUIDANCE, REDACTABLE
from casework.hsb.intake import ABOUT, ProfessionalAnswers
from casework.hsb.models import (
    CONCERN_TAGS,
    CONFIDENCE_QUESTIONS,
    CONFIDENCE_SCALE,
    CONTACT_KINDS,
    CONTINUUM,
    IDEOLOGIES,
    INFLUENCERS,
    OUTCOMES,
    POLICY_TOPICS,
    REFER_TO,
    REGIONS,
    SETTING_TYPES,
    THRESHOLD_ANSWERS,
    TRAFFIC_LIGHT,
)

TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
SCALE = [(str(k), f"{k} – {v}") for k, v in CONFIDENCE_SCALE.items()]
NO_CHILD_NAME = (
    "Do not give a child’s name or any detail that identifies a child. Use their age and the "
    "setting instead."
)


def small_int(value) -> int | None:
    """A whole number typed or chosen (up to three digits), or None."""
    text = (value or "").strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else None


def _check_time(form, field):
    if field.data and not TIME.match(field.data.strip()):
        raise ValidationError("Enter a time like 14:30")


def time_field(label: str) -> StringField:
    """An optional 24-hour UK time typed as HH:MM."""
    return StringField(label, widget=GovTextInput(), validators=[Optional(), _check_time])


def moment(day, text: str | None, tz) -> datetime | None:
    """A UK date and 'HH:MM' as a timezone-aware moment, or None when either is missing."""
    match = TIME.match((text or "").strip())
    if not day or not match:
        return None
    return datetime.combine(day, time(int(match.group(1)), int(match.group(2))), tzinfo=tz)


def _radios(label, choices, **kwargs) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=list(choices),
        validate_choice=False,
        validators=[Optional()],
        **kwargs,
    )


def _select(label, choices) -> SelectField:
    return SelectField(
        label,
        widget=GovSelect(),
        choices=[("", "Choose")] + list(choices),
        validate_choice=False,
        validators=[Optional()],
    )


class ProfessionalFields(FlaskForm):
    """The professional's details and their confidence before the advice."""

    name = StringField("Name", widget=GovTextInput())
    role = StringField("Role", widget=GovTextInput())
    setting_type = _select("Type of setting", SETTING_TYPES.items())
    organisation = StringField("Organisation or setting", widget=GovTextInput())
    local_authority = StringField("Local authority", widget=GovTextInput())
    region = _select("Region", REGIONS.items())
    email = StringField("Email address", widget=GovTextInput())
    phone = StringField("Phone number", widget=GovTextInput())
    confidence_identify = _radios(CONFIDENCE_QUESTIONS["identify"], SCALE)
    confidence_respond = _radios(CONFIDENCE_QUESTIONS["respond"], SCALE)

    def answers(self) -> ProfessionalAnswers:
        return ProfessionalAnswers(
            name=self.name.data,
            role=self.role.data,
            setting_type=self.setting_type.data,
            organisation=self.organisation.data,
            local_authority=self.local_authority.data,
            region=self.region.data,
            email=self.email.data,
            phone=self.phone.data,
        )

    def confidence(self) -> tuple[int | None, int | None]:
        return small_int(self.confidence_identify.data), small_int(self.confidence_respond.data)


class ProfessionalRequestForm(ProfessionalFields):
    """The public /professionals form."""

    request_text = TextAreaField("What do you need advice about?", widget=GovCharacterCount())
    about = _radios("Is it about a case or incident, or about policy?", ABOUT.items())
    submit = SubmitField("Send", widget=GovSubmitInput())


class LoggedContactForm(SentOnce, ProfessionalFields):
    """An email or a chat an advisor logs by hand."""

    received_day = GovDateField("Date received", validators=[Optional()])
    received_time = time_field("Time received (24-hour, UK time)")
    started_time = time_field("Chat started (24-hour, UK time)")
    ended_time = time_field("Chat ended (24-hour, UK time)")
    replied_day = GovDateField("Date replied (optional)", validators=[Optional()])
    replied_time = time_field("Time replied (24-hour, UK time)")
    request_text = TextAreaField("What they asked", widget=GovCharacterCount())
    submit = SubmitField("Log the contact", widget=GovSubmitInput())


class DetailsForm(ProfessionalFields):
    """Correcting the professional's details and confidence before."""

    version = HiddenField()
    submit = SubmitField("Save the details", widget=GovSubmitInput())


class ReplyForm(FlaskForm):
    """When an email was replied to."""

    replied_day = GovDateField("Date replied", validators=[Optional()])
    replied_time = time_field("Time replied (24-hour, UK time)")
    version = HiddenField()
    submit = SubmitField("Record the reply", widget=GovSubmitInput())


class AdviceForm(FlaskForm):
    """The advice given: on a case or incident (statement b) or on policy (statement a)."""

    kind = _radios("What was the advice about?", CONTACT_KINDS.items())
    child_age = StringField("Child’s age in years", widget=GovTextInput())
    incident_setting = _select("Setting where it happened", SETTING_TYPES.items())
    what_happened = TextAreaField("What happened", widget=GovCharacterCount())
    traffic_light = _radios("Brook traffic light", TRAFFIC_LIGHT.items())
    continuum = _radios("Hackett’s continuum", CONTINUUM.items())
    risk_of_significant_harm = _radios(
        "Is there a risk of significant harm to any child?", [("yes", "Yes"), ("no", "No")]
    )
    meets_threshold = _radios(
        "Does it meet the local authority’s threshold?", THRESHOLD_ANSWERS.items()
    )
    concern_tags = SelectMultipleField(
        "Concerns",
        widget=GovCheckboxesInput(),
        choices=list(CONCERN_TAGS.items()),
        validate_choice=False,
    )
    ideology = _select("Ideology (radicalisation only)", IDEOLOGIES.items())
    influencer = _select("Main influence (radicalisation only)", INFLUENCERS.items())
    refer_to = _radios("Referral advised", REFER_TO.items())
    refer_reason = TextAreaField("Why a referral was not advised", widget=GovCharacterCount())
    policy_topics = SelectMultipleField(
        "Topics covered",
        widget=GovCheckboxesInput(),
        choices=list(POLICY_TOPICS.items()),
        validate_choice=False,
    )
    advice_given = TextAreaField("Advice given", widget=GovCharacterCount())
    outcome = _radios(
        "Outcome", [("", "Not decided yet (keep the contact open)"), *OUTCOMES.items()]
    )
    version = HiddenField()
    submit = SubmitField("Save the advice", widget=GovSubmitInput())

    def age(self) -> int | None:
        """The age typed: a whole number, else None (the service then asks for one)."""
        return small_int(self.child_age.data)

    def risk(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.risk_of_significant_harm.data or "")


class RedactForm(FlaskForm):
    """Redacting one free-text field of a contact."""

    field_name = _radios("Which text?", REDACTABLE.items())
    words = TextAreaField("Words to remove", widget=GovCharacterCount())
    how = _radios(
        "How?",
        [
            ("words", "Replace the words I type with [redacted]"),
            ("clear", "Clear the text entirely"),
        ],
    )
    version = HiddenField()
    submit = SubmitField("Redact the text", widget=GovSubmitInput())


class GuidanceForm(FlaskForm):
    """An admin's wording for one choice's guidance."""

    text = TextAreaField("Guidance", widget=GovCharacterCount())
    version = HiddenField()
    submit = SubmitField("Save the guidance", widget=GovSubmitInput())

    max_length = MAX_GUIDANCE
