"""Forms for the hardship fund: a payment from a case, and an admin's budget and threshold."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from app.forms import Length, SentOnce, posted_int
from casework.support.hardship import MAX_DETAIL, MAX_REASON
from casework.support.models import HARDSHIP_PURPOSES


class HardshipPaymentForm(SentOnce):
    """A payment from the hardship fund: how much, what for, and (an admin paying over the
    budget) why."""

    amount = StringField("Amount, in pounds", widget=GovTextInput())
    purpose = RadioField(
        "What is the payment for?",
        widget=GovRadioInput(),
        choices=list(HARDSHIP_PURPOSES.items()),
        # Checked by the service with the amount and the detail, so every problem shows at once.
        validate_choice=False,
    )
    detail = TextAreaField(
        "What it will pay for and why the person needs it",
        widget=GovCharacterCount(),
        validators=[
            Length(max=MAX_DETAIL, message=f"The detail must be {MAX_DETAIL:,} characters or fewer")
        ],
    )
    override_reason = TextAreaField(
        "Reason for paying over the budget (admins only)",
        widget=GovCharacterCount(),
        validators=[
            Optional(),
            Length(
                max=MAX_REASON, message=f"The reason must be {MAX_REASON:,} characters or fewer"
            ),
        ],
    )
    submit = SubmitField("Request the payment", widget=GovSubmitInput())


class HardshipBudgetForm(FlaskForm):
    """An admin sets a financial year's budget."""

    year = HiddenField()
    seen = HiddenField()
    budget = StringField("Budget for the year, in pounds", widget=GovTextInput())
    submit = SubmitField("Save the budget", widget=GovSubmitInput())

    def seen_pence(self) -> int | None:
        """The budget (pence) the admin saw when the form was shown, or None."""
        value = (self.seen.data or "").strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 12):
            return None
        return int(value)

    def chosen_year(self) -> int | None:
        """The financial year the form is for, or None when absent or not a number."""
        return posted_int(self.year.data)


class HardshipThresholdForm(FlaskForm):
    """An admin sets above what amount a payment needs a team leader's approval."""

    threshold = StringField("Approval needed above, in pounds", widget=GovTextInput())
    version = HiddenField()
    submit = SubmitField("Save the threshold", widget=GovSubmitInput())

    def loaded_version(self) -> int | None:
        """The settings' version the form was shown with (0: none saved yet), or None."""
        value = (self.version.data or "").strip()
        if value == "0":
            return 0
        return posted_int(value)
