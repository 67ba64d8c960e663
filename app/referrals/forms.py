from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from app.answer_forms import YES_NO, EqualityForThem, SafeContactForThem
from app.forms import TICK_SHOWN, GovDateField, Length, Radios, SentOnce
from app.public.forms import PARTNER_CONCERN_WORDS, PARTNER_METHOD_WORDS, VictimFields
from casework.referrals.models import SELF_ROUTES


class RaisePriorityForm(FlaskForm):
    """A team leader raises a referral to enhanced, with the reason (the first call then falls
    due at 24 hours)."""

    reason = TextAreaField(
        "Why should this referral be enhanced?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Give the reason for raising the priority"),
            Length(max=300),
        ],
    )
    submit = SubmitField("Raise to enhanced", widget=GovSubmitInput())


class StaffReferralForm(SentOnce, VictimFields, SafeContactForThem, EqualityForThem):
    """A self-referral staff took by phone, email or at a community event (spec 3.6), asked
    about the person in the third person, as the partner form does."""

    route = Radios(
        "How did the referral reach you?",
        choices=[(k, v[0].upper() + v[1:]) for k, v in SELF_ROUTES.items()],
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select how the referral reached you")],
    )
    event_name = StringField(
        "Name of the community event",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    event_on = GovDateField("Date of the community event", validators=[Optional()])
    received_day = GovDateField(
        "Date received", validators=[InputRequired(message="Enter the date it was received")]
    )
    received_time = StringField(
        "Time received (24-hour, UK time)",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the time it was received"), Length(max=10)],
    )
    concerns = SelectMultipleField(
        "Do any of these apply? (optional)",
        choices=list(PARTNER_CONCERN_WORDS.items()),
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        invalid_choice_message=TICK_SHOWN,
    )
    safe_to_voicemail = Radios(
        "Is it safe for us to leave them a voicemail?",
        choices=YES_NO,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select yes if it is safe to leave a voicemail")],
    )
    safe_to_text = Radios(
        "Is it safe for us to send them text messages?",
        choices=YES_NO,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select yes if it is safe to text them")],
    )
    preferred_worker_gender = Radios(
        "Would they prefer to speak to a woman or a man? (optional)",
        choices=[("", "No preference"), ("woman", "A woman"), ("man", "A man")],
        widget=GovRadioInput(),
        validators=[Optional()],
        default="",
    )
    preferred_language = StringField(
        "Would they prefer a language other than English? (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=60)],
    )
    contact_method = Radios(
        "How would they like to be contacted?",
        choices=list(PARTNER_METHOD_WORDS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how they would like to be contacted")],
    )
    submit = SubmitField("Record referral", widget=GovSubmitInput())
