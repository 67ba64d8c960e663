"""The form for evidence of local practice."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional

from app.forms import SentOnce, too_long
from casework.hsb.evidence import MAX_LOCAL_AUTHORITY, MAX_SUMMARY
from casework.hsb.models import EVIDENCE_KINDS, EVIDENCE_THEMES, REGIONS, SETTING_TYPES


class EvidenceForm(SentOnce):
    """Good practice, a challenge or a barrier, its themes, where, and what happened: sent
    twice, it is recorded once."""

    kind = RadioField(
        "What is it?",
        widget=GovRadioInput(),
        choices=list(EVIDENCE_KINDS.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    themes = SelectMultipleField(
        "Themes",
        widget=GovCheckboxesInput(),
        choices=list(EVIDENCE_THEMES.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    region = SelectField(
        "Region",
        widget=GovSelect(),
        choices=[("", "Not known"), *REGIONS.items()],
        validate_choice=False,
    )
    local_authority = StringField(
        "Local authority (optional)",
        widget=GovTextInput(),
        validators=[Optional(), too_long("The local authority", MAX_LOCAL_AUTHORITY)],
    )
    setting_type = SelectField(
        "Setting",
        widget=GovSelect(),
        choices=[("", "Not known"), *SETTING_TYPES.items()],
        validate_choice=False,
    )
    summary = TextAreaField(
        "Summary",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The summary", MAX_SUMMARY)],
    )
    submit = SubmitField("Record the evidence", widget=GovSubmitInput())

    def fields_for_service(self) -> dict:
        return {
            "kind": self.kind.data or None,
            "themes": list(self.themes.data or []),
            "region": self.region.data or None,
            "local_authority": self.local_authority.data,
            "setting_type": self.setting_type.data or None,
            "summary": self.summary.data,
        }
