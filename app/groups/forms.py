"""Forms for group sessions: a session's details, a young person's attendance, and cancelling
a session that did not take place."""

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

from app.forms import GovDateField, SentOnce, posted_int, too_long
from casework.support.groups import MAX_NOTE, MAX_PLACE, MAX_TOPIC


class SessionForm(FlaskForm):
    """A session: when, where, who facilitates it, its topic and a note; the version loaded."""

    held_on = GovDateField("Date of the session", validators=[Optional()])
    place = StringField(
        "Where is it held?",
        widget=GovTextInput(),
        validators=[Optional(), too_long("Where the session is held", MAX_PLACE)],
    )
    facilitator_id = SelectField(
        "Facilitator", coerce=str, widget=GovSelect(), validate_choice=False, choices=[]
    )
    topic = StringField(
        "Topic",
        widget=GovTextInput(),
        validators=[Optional(), too_long("The topic", MAX_TOPIC)],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The note", MAX_NOTE)],
    )
    version = HiddenField()
    submit = SubmitField("Save the session", widget=GovSubmitInput())

    def chosen_facilitator(self) -> int | None:
        return posted_int(self.facilitator_id.data)

    def loaded_version(self) -> int | None:
        return posted_int(self.version.data)


class NewSessionForm(SentOnce, SessionForm):
    """A session being recorded: sent twice, it records one."""


ATTENDED = {"yes": "Attended", "no": "Did not attend"}


class AttendanceForm(FlaskForm):
    """One young person's attendance at the session."""

    case_id = SelectField(
        "Young person", coerce=str, widget=GovSelect(), validate_choice=False, choices=[]
    )
    attended = RadioField(
        "Did they attend?",
        widget=GovRadioInput(),
        choices=list(ATTENDED.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    submit = SubmitField("Record attendance", widget=GovSubmitInput())

    def chosen_case(self) -> int | None:
        return posted_int(self.case_id.data)

    def was_there(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.attended.data)


class CancelForm(FlaskForm):
    """Cancel a session that did not take place: the version loaded."""

    version = HiddenField()
    submit = SubmitField("Cancel this session", widget=GovSubmitInput())

    def loaded_version(self) -> int | None:
        return posted_int(self.version.data)
