"""Forms for follow-up sessions: booking one (or moving it), held or missed, cancelling."""

import re
from datetime import time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from app.forms import GovDateField, posted_int, too_long
from casework.hsb.models import SESSION_MEANS
from casework.hsb.sessions import DURATIONS, MAX_JOINING, MAX_NOTES

TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def parse_clock(text: str | None) -> time | None:
    """'14:30' or '9.05' as a time of day; None when it is not one."""
    found = TIME.match(text or "")
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


class VersionedForm(FlaskForm):
    """A form for a change to a record as it was read: its version, to refuse a stale one."""

    version = HiddenField()

    def loaded_version(self) -> int | None:
        """The version the page was showing, or None when missing or not a number."""
        return posted_int(self.version.data)


class SessionForm(VersionedForm):
    """When and how the session happens."""

    day = GovDateField("Date", validators=[Optional()])
    start_time = StringField(
        "Start time", widget=GovTextInput(), validators=[Optional(), too_long("The time", 5)]
    )
    duration = SelectField(
        "How long",
        widget=GovSelect(),
        choices=[(str(k), v) for k, v in DURATIONS.items()],
        default="60",
        validate_choice=False,
    )
    means = RadioField(
        "How will it happen?",
        widget=GovRadioInput(),
        choices=list(SESSION_MEANS.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    joining_details = TextAreaField(
        "Joining details",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The joining details", MAX_JOINING)],
    )
    notes = TextAreaField(
        "What the session will cover (optional, not emailed)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The notes", MAX_NOTES)],
    )
    submit = SubmitField("Book the session", widget=GovSubmitInput())

    def clock(self) -> time | None:
        return parse_clock(self.start_time.data)

    def minutes(self) -> int | None:
        return posted_int(self.duration.data)


class OutcomeForm(VersionedForm):
    """Held or missed."""

    outcome = HiddenField()


class CancelForm(VersionedForm):
    """Cancel the session."""

    submit = SubmitField("Cancel the session", widget=GovSubmitInput())
