"""Forms an administrator uses to record a staff member's vetting and training."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Optional

from app.forms import GovDateField, Length, SentOnce, sent_version
from triage.vetting import DBS_LEVELS, NPPV_LEVELS


class VersionedForm(FlaskForm):
    """A form that carries the version of the vetting record it was opened on."""

    version = HiddenField()

    def version_number(self) -> int | None:
        """The version sent back, or None when it was not sent or is not a number (a stale or
        forged form)."""
        return sent_version(self.version)


class PoliceVettingForm(VersionedForm):
    """Police vetting: the level granted and its dates."""

    level = RadioField(
        "Level of police vetting granted",
        choices=list(NPPV_LEVELS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the police vetting level")],
    )
    granted_on = GovDateField("Date granted", validators=[Optional()])
    expires_on = GovDateField(
        "Expiry date",
        description="The first day the vetting no longer counts. For example, 27 3 2029",
        validators=[Optional()],
    )
    submit = SubmitField("Save police vetting", widget=GovSubmitInput())


class DbsCheckForm(VersionedForm):
    """A DBS check: level, issue date, a short reference and the recheck date."""

    level = RadioField(
        "Level of DBS check",
        choices=list(DBS_LEVELS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the level of the DBS check")],
    )
    issued_on = GovDateField("Certificate issue date", validators=[Optional()])
    certificate_last4 = StringField(
        "Last 4 digits of the certificate number (optional)",
        description="Only the last 4 digits are kept, to match the certificate the person shows",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=8)],
    )
    recheck_on = GovDateField(
        "Recheck date",
        description="The first day the check no longer counts without a recheck, usually "
        "3 years after issue",
        validators=[Optional()],
    )
    submit = SubmitField("Save DBS check", widget=GovSubmitInput())


class InductionForm(VersionedForm):
    """The day the person attended the Force induction."""

    completed_on = GovDateField("Date of the Force induction", validators=[Optional()])
    submit = SubmitField("Save induction", widget=GovSubmitInput())


class TrainingForm(SentOnce):
    """A completed course: sent twice, it is added once."""

    course = StringField(
        "Course name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the name of the course"), Length(max=200)],
    )
    completed_on = GovDateField("Completed on", validators=[Optional()])
    expires_on = GovDateField(
        "Expiry date (optional)",
        description="Leave blank if the course does not need refreshing",
        validators=[Optional()],
    )
    submit = SubmitField("Add training record", widget=GovSubmitInput())
