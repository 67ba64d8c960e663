"""Forms for onward referrals: consent to share (given or withdrawn), making a referral, and
recording its outcome."""

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
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Optional, ValidationError

from app.contact.forms import TIME
from app.forms import GovDateField, SentOnce, posted_int, too_long
from casework.onward.consent import MAX_NOTE
from casework.onward.models import (
    CONSENT_HOW,
    ONWARD_STATUSES,
    OUTCOMES,
    SEND_METHODS,
    SHAREABLE_FIELDS,
    URGENCIES,
)
from casework.onward.referring import (
    MAX_NO_ISA_REASON,
    MAX_OTHER_AGENCIES,
    MAX_OUTCOME_NOTE,
    MAX_REASON,
    MAX_SPOKE_TO,
    MAX_VULNERABILITY,
)
from casework.partners.models import ONWARD_SERVICES


def _check_time(form, field):
    if field.data and not TIME.match(field.data.strip()):
        raise ValidationError("Enter a time like 14:30")


HOW = "Select how the person said so"


class ConsentForm(FlaskForm):
    """The person's consent to share with an agency: which agency, how they said so, a note."""

    agency_id = SelectField(
        "Agency", coerce=str, widget=GovSelect(), validate_choice=False, choices=[]
    )
    how = RadioField(
        "How did they say so?",
        widget=GovRadioInput(),
        choices=list(CONSENT_HOW.items()),
        validate_choice=False,
        validators=[InputRequired(message=HOW), AnyOf(list(CONSENT_HOW), message=HOW)],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The note", MAX_NOTE)],
    )
    submit = SubmitField("Record consent", widget=GovSubmitInput())


class WithdrawConsentForm(FlaskForm):
    """The person withdrew consent to share with one agency."""

    how = RadioField(
        "How did they say so?",
        widget=GovRadioInput(),
        choices=list(CONSENT_HOW.items()),
        validate_choice=False,
        validators=[InputRequired(message=HOW), AnyOf(list(CONSENT_HOW), message=HOW)],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The note", MAX_NOTE)],
    )
    submit = SubmitField("Withdraw consent", widget=GovSubmitInput())


SERVICE = "Select the service you are referring to"
METHOD = "Select how the referral is made"


class OnwardReferralForm(SentOnce):
    """Making an onward referral: the service and agency, what is shared, consent, the
    agreement's reason, how it is made, and for target hardening what the contractor needs."""

    service = RadioField(
        "Which service are you referring to?",
        widget=GovRadioInput(),
        choices=list(ONWARD_SERVICES.items()),
        validate_choice=False,
        validators=[InputRequired(message=SERVICE), AnyOf(list(ONWARD_SERVICES), message=SERVICE)],
    )
    agency_id = SelectField(
        "Agency", coerce=str, widget=GovSelect(), validate_choice=False, choices=[]
    )
    shared_fields = SelectMultipleField(
        "What will you share?",
        choices=list(SHAREABLE_FIELDS.items()),
        widget=GovCheckboxesInput(),
        validate_choice=False,
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Why we are referring (shared only when ticked above)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("Why you are referring", MAX_REASON)],
    )
    consent_now = BooleanField(
        "The person agreed to this referral: record their consent now",
        widget=GovCheckboxInput(),
    )
    consent_how = RadioField(
        "How did they agree?",
        widget=GovRadioInput(),
        choices=list(CONSENT_HOW.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    consent_note = TextAreaField(
        "Consent note (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The consent note", MAX_NOTE)],
    )
    no_isa_reason = TextAreaField(
        "Why share without an information-sharing agreement?",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The reason", MAX_NO_ISA_REASON)],
    )
    method = RadioField(
        "How is the referral made?",
        widget=GovRadioInput(),
        choices=list(SEND_METHODS.items()),
        validate_choice=False,
        validators=[InputRequired(message=METHOD), AnyOf(list(SEND_METHODS), message=METHOD)],
    )
    spoke_to = StringField(
        "Who did you speak to?",
        widget=GovTextInput(),
        validators=[Optional(), too_long("Who you spoke to", MAX_SPOKE_TO)],
    )
    spoke_on = GovDateField("Date of the call", validators=[Optional()])
    spoke_time = StringField(
        "Time of the call (24-hour, UK time)", widget=GovTextInput(), validators=[_check_time]
    )
    urgency = RadioField(
        "Urgency",
        widget=GovRadioInput(),
        choices=list(URGENCIES.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    vulnerability_factors = TextAreaField(
        "What makes the person vulnerable?",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The vulnerability factors", MAX_VULNERABILITY)],
    )
    other_agencies = TextAreaField(
        "Which other agencies are working with them? (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The other agencies", MAX_OTHER_AGENCIES)],
    )
    submit = SubmitField("Make the referral", widget=GovSubmitInput())


OUTCOME = "Select the outcome"


class OutcomeForm(FlaskForm):
    """What the agency reported back, when, and a note; with the version the page showed."""

    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=[(o, ONWARD_STATUSES[o]) for o in OUTCOMES],
        validate_choice=False,
        validators=[InputRequired(message=OUTCOME), AnyOf(list(OUTCOMES), message=OUTCOME)],
    )
    outcome_on = GovDateField(
        "Date the agency told you",
        validators=[InputRequired(message="Enter the date the agency told you the outcome")],
    )
    note = TextAreaField(
        "What the agency said",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter a note of what the agency said"),
            too_long("The note", MAX_OUTCOME_NOTE),
        ],
    )
    version = HiddenField()
    submit = SubmitField("Save the outcome", widget=GovSubmitInput())

    def loaded_version(self) -> int | None:
        return posted_int(self.version.data)
