"""Forms for the resource directory: adding or editing a resource, hiding one with a reason,
showing it again."""

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
from wtforms.validators import Optional

from app.forms import SentOnce, posted_int, too_long
from casework.hsb.models import REGIONS, RESOURCE_AUDIENCES, RESOURCE_KINDS, RESOURCE_TOPICS
from casework.hsb.resources import (
    MAX_DESCRIPTION,
    MAX_HIDDEN_REASON,
    MAX_LOCAL_AUTHORITY,
    MAX_TITLE,
    MAX_URL,
)


class VersionedForm(FlaskForm):
    """A form for a change to a record as it was read: its version, to refuse a stale one."""

    version = HiddenField()

    def loaded_version(self) -> int | None:
        """The version the page was showing, or None when missing or not a number."""
        return posted_int(self.version.data)


class ResourceForm(VersionedForm):
    """A resource's details."""

    title = StringField(
        "Title", widget=GovTextInput(), validators=[Optional(), too_long("The title", MAX_TITLE)]
    )
    url = StringField(
        "Web address (optional)",
        widget=GovTextInput(),
        validators=[Optional(), too_long("The web address", MAX_URL)],
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovCharacterCount(),
        validators=[Optional(), too_long("The description", MAX_DESCRIPTION)],
    )
    kind = RadioField(
        "Kind of resource",
        widget=GovRadioInput(),
        choices=list(RESOURCE_KINDS.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    audiences = SelectMultipleField(
        "Who is it for?",
        widget=GovCheckboxesInput(),
        choices=list(RESOURCE_AUDIENCES.items()),
        validate_choice=False,
        validators=[Optional()],
    )
    topic = SelectField(
        "Topic",
        widget=GovSelect(),
        choices=[("", "Choose a topic"), *RESOURCE_TOPICS.items()],
        validate_choice=False,
    )
    region = SelectField(
        "Area",
        widget=GovSelect(),
        choices=[("", "National (England-wide)"), *REGIONS.items()],
        validate_choice=False,
    )
    local_authority = StringField(
        "Local authority (optional)",
        widget=GovTextInput(),
        validators=[Optional(), too_long("The local authority", MAX_LOCAL_AUTHORITY)],
    )
    submit = SubmitField("Save the resource", widget=GovSubmitInput())

    def fields_for_service(self) -> dict:
        return {
            "title": self.title.data,
            "url": self.url.data,
            "description": self.description.data,
            "kind": self.kind.data or None,
            "audiences": list(self.audiences.data or []),
            "topic": self.topic.data or None,
            "region": self.region.data or None,
            "local_authority": self.local_authority.data,
        }


class NewResourceForm(SentOnce, ResourceForm):
    """A resource being added: sent twice, it is added once."""


class HideForm(VersionedForm):
    """Hide a broken or retired resource, saying why."""

    reason = StringField(
        "Why hide it?",
        widget=GovTextInput(),
        validators=[Optional(), too_long("The reason", MAX_HIDDEN_REASON)],
    )
    submit = SubmitField("Hide the resource", widget=GovSubmitInput())


class UnhideForm(VersionedForm):
    """Show a hidden resource again."""

    submit = SubmitField("Show it again", widget=GovSubmitInput())
