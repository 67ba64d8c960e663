from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from app.answer_forms import (
    EqualityForThem,
    EqualityForYou,
    SafeContactForThem,
    SafeContactForYou,
)
from app.forms import TICK_SHOWN, GovDateField, Length, Radios, SentOnce, too_long
from casework.referrals.self_referral import WEBCHAT_GONE
from casework.referrals.victim_details import CONCERNS, PARTNER_METHODS, SELF_METHODS

YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(label, *, required=None, max_length=200, subject=None):
    """A text question; ``subject`` names it in its length message where its label cannot
    ("Police crime reference, if there is one")."""
    validators = [InputRequired(message=required)] if required else [Optional()]
    limit = too_long(subject, max_length) if subject else Length(max=max_length)
    return StringField(label, widget=GovTextInput(), validators=[*validators, limit])


def _safe_to_text(whom: str) -> Radios:
    return Radios(
        f"Is it safe for us to send {whom} text messages?",
        choices=YES_NO,
        widget=GovRadioInput(),
        validators=[InputRequired(message=f"Select yes if it is safe to text {whom}")],
    )


def _preferred_worker_gender(who: str) -> Radios:
    return Radios(
        f"Would {who} prefer to speak to a woman or a man? (optional)",
        choices=[("", "No preference"), ("woman", "A woman"), ("man", "A man")],
        widget=GovRadioInput(),
        validators=[Optional()],
        default="",
    )


def _preferred_language(who: str) -> StringField:
    return _text(f"Would {who} prefer a language other than English? (optional)", max_length=60)


# A partner refers someone else: the same choices, asked about the person in the third person.
PARTNER_METHOD_WORDS = {
    **PARTNER_METHODS,
    "MOBILE_PHONE": "Call their mobile",
    "HOME_PHONE": "Call their landline",
}
PARTNER_CONCERN_WORDS = {
    "DOMESTIC_ABUSE": "Someone close to them (a partner, ex-partner or family member) hurt them",
    "SEXUAL_OFFENCE": "It was a sexual offence",
    "HATE_CRIME": "They were targeted because of who they are (hate crime)",
    "PERSISTENTLY_TARGETED": "It keeps happening (harassment, stalking, repeated crimes)",
    "INTIMIDATED": "They are frightened about giving evidence or about the person who did it",
    "BEREAVED": "Someone close to them died because of a crime",
    "VULNERABLE": "They have a disability, illness or mental health condition",
}
assert PARTNER_CONCERN_WORDS.keys() == CONCERNS.keys()


class VictimFields(FlaskForm):
    """The questions about the victim that both public forms ask."""

    forename = _text("First name", required="Enter a first name", max_length=100)
    surname = _text("Last name", required="Enter a last name", max_length=100)
    date_of_birth = GovDateField("Date of birth (optional)", validators=[Optional()])
    concerns = SelectMultipleField(
        "Do any of these apply? (optional)",
        choices=list(CONCERNS.items()),
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        invalid_choice_message=TICK_SHOWN,
    )
    account = TextAreaField(
        "What happened? (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), Length(max=5000)],
    )
    occurred_on = GovDateField(
        "When did it happen? (optional)", validators=[Optional()], subject="The date it happened"
    )
    crime_reference = _text(
        "Police crime reference, if there is one (optional)",
        max_length=40,
        subject="The police crime reference",
    )
    phone = _text("Telephone number", max_length=30)
    email = _text("Email address", max_length=254)
    address_line_1 = _text("Address line 1")
    address_line_2 = _text("Address line 2 (optional)")
    town = _text("Town or city", max_length=100)
    postcode = _text("Postcode", max_length=10)
    safe_to_voicemail = Radios(
        "Is it safe for us to leave a voicemail?",
        choices=YES_NO,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select yes if it is safe to leave a voicemail")],
    )
    # Asked of the person themselves on /refer; PartnerReferralForm asks the same about them.
    safe_to_text = _safe_to_text("you")
    preferred_worker_gender = _preferred_worker_gender("you")
    preferred_language = _preferred_language("you")


class SelfReferralForm(SentOnce, VictimFields, SafeContactForYou, EqualityForYou):
    """The public self-referral form (spec 3.6), in the person's own words."""

    contact_method = Radios(
        "How would you like us to contact you?",
        choices=list(SELF_METHODS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how you would like us to contact you")],
    )
    webchat_at = SelectField(
        "Would you like to book a secure web chat? (optional)",
        widget=GovSelect(),
        validators=[Optional()],
        choices=[],
        # The times offered move on while the form is open: one an hour away when the page
        # was opened may have gone by the time it is sent.
        invalid_choice_message=WEBCHAT_GONE,
    )
    submit = SubmitField("Send referral", widget=GovSubmitInput())


class PartnerReferralForm(SentOnce, VictimFields, SafeContactForThem, EqualityForThem):
    """A partner agency's referral of someone else, in the third person."""

    agency_name = _text("Your agency", required="Enter the name of your agency")
    agency_kind = _text("Type of agency (optional)", max_length=100)
    referrer_name = _text("Your name", required="Enter your name")
    referrer_email = _text(
        "Your work email address",
        required="Enter your work email address so we can reply",
        max_length=254,
    )
    referrer_phone = _text("Your telephone number (optional)", max_length=30)
    concerns = SelectMultipleField(
        "Do any of these apply? (optional)",
        choices=list(PARTNER_CONCERN_WORDS.items()),
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        invalid_choice_message=TICK_SHOWN,
    )
    safe_to_text = _safe_to_text("them")
    preferred_worker_gender = _preferred_worker_gender("they")
    preferred_language = _preferred_language("they")
    contact_method = Radios(
        "How would they like to be contacted?",
        choices=list(PARTNER_METHOD_WORDS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how they would like to be contacted")],
    )
    consent = BooleanField(
        "The person has agreed to be referred to the victim service", widget=GovCheckboxInput()
    )
    submit = SubmitField("Send referral", widget=GovSubmitInput())
