"""The caseload forms: a team's caseload settings and reassigning a case."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from app.forms import Length, Radios


class TeamSettingsForm(FlaskForm):
    """Whether the team's caseworkers may pick up unallocated referrals themselves, how often
    support plans are reviewed, and whether team leaders approve every case closure."""

    caseworkers_pick_up = RadioField(
        "Can caseworkers pick up unallocated referrals themselves?",
        choices=[("yes", "Yes"), ("no", "No, the team leader allocates every referral")],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select whether caseworkers may pick up referrals")],
    )
    # Checked by the service (triage.plans.review_days_problem): whole days, 7 to 91.
    plan_review_days = StringField(
        "How many days between support plan reviews?",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a whole number of days from 7 to 91")],
    )
    closure_needs_approval = Radios(
        "Do team leaders approve every case closure?",
        choices=[
            ("yes", "Yes, a team leader approves each closure"),
            ("no", "No, closures do not need approval"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select whether team leaders approve every closure")],
    )
    version = HiddenField()
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class ReassignForm(FlaskForm):
    """A team leader moves a case to another caseworker of its team, with the reason."""

    caseworker = SelectField(
        "New caseworker",
        coerce=str,
        widget=GovSelect(),
        # The service checks the one sent: a stale or forged value gets its plain refusal.
        validate_choice=False,
        validators=[InputRequired(message="Select the caseworker to reassign the case to")],
    )
    reason = TextAreaField(
        "Why is the case being reassigned?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Give the reason for reassigning the case"),
            Length(max=500, message="The reason must be 500 characters or fewer"),
        ],
    )
    version = HiddenField()
    submit = SubmitField("Reassign case", widget=GovSubmitInput())
