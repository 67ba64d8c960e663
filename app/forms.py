"""Helpers shared by every feature's forms."""

import re
import secrets

from flask import abort, flash, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput
from wtforms import DateField, HiddenField, RadioField, SubmitField, validators
from wtforms.utils import unset_value
from wtforms.validators import InputRequired

from casework.db import MAX_ID, db, sent_before
from casework.errors import NotFound, ValidationError


class SentOnce(FlaskForm):
    """A form that makes a record, carrying a one-time token: the same form sent twice (a
    double click, a resend after a slow answer, a page the browser kept, sent again) makes one
    record, the service keeping the token hashed under a unique key (``casework.db.made_once``).
    A form shown fresh, or sent without its token, gets a new one."""

    submission_token = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        token = self.submission_token  # None in a subclass that edits rather than makes
        if token is not None and not token.data:
            token.data = secrets.token_urlsafe(24)


SENT_TWICE = (
    "You sent this form twice. It was saved the first time; the second send saved nothing, so "
    "anything you changed before sending it again has not been saved. Check what was saved, "
    "and change it there if you need to."
)


def flash_made(made, message: str) -> None:
    """Confirm what a creating form made (``message``); or, when this send found what an
    earlier send of the same form had made (a double click, a resend after a slow answer, a
    page the browser kept and sent again), say that instead, read out at once like a success,
    so a correction made before sending again is not thought saved."""
    if sent_before(made):
        flash(SENT_TWICE, "alert")
    else:
        flash(message, "success")


def apply_errors(form, exc: ValidationError | NotFound) -> None:
    """Show a service's validation messages against the form fields they belong to."""
    if isinstance(exc, ValidationError):
        errors = exc.errors
    else:
        errors = {"": "That record no longer exists"}
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(message)


def add_missing_errors(form, check) -> None:
    """A form that failed its own checks gets the service's checks too (``check()`` raises
    ValidationError), on the fields with no error yet, so every problem is shown at once
    rather than a few at a time. Nothing is stored: ``check`` only validates."""
    try:
        check()
    except ValidationError as exc:
        for name, message in exc.errors.items():
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors") and not field.errors:
                field.errors = [message]


REFUSED = object()

# What a choice field says of a value it did not offer (an old page whose list has changed
# since, or an edited request), instead of WTForms' "Not a valid choice" or its echo of the
# value posted.
TICK_SHOWN = "Tick only the options shown"


def from_the_list(what: str) -> str:
    """The message of a select offered a value it did not list: "Select a team from the list"."""
    return f"Select {what} from the list"


class Radios(RadioField):
    """A radio question that refuses a value it did not offer with what its InputRequired asks
    ("Select how you would like us to contact you"), or else by asking for one of the options:
    never WTForms' "Not a valid choice"."""

    def __init__(self, label=None, validators=None, *, invalid_choice_message=None, **kwargs):
        asked = next(
            (v.message for v in validators or () if isinstance(v, InputRequired)),
            None,
        )
        super().__init__(
            label,
            validators,
            invalid_choice_message=invalid_choice_message or asked or "Select one of the options",
            **kwargs,
        )


def call_service(form, save):
    """Call ``save`` (a service call) for a submitted form and return what it returns. A record
    that is missing, or that the signed-in person may not see, is a 404; input the service
    refuses is rolled back, so nothing is stored, and shown against the form's fields, and
    REFUSED is returned."""
    try:
        return save()
    except NotFound:
        abort(404)
    except ValidationError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        return REFUSED


class ActionForm(FlaskForm):
    """A button that changes something: CSRF-protected, no fields of its own."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


def button_action(act) -> None:
    """A one-button decision (a form with only its CSRF token): run ``act``, which calls the
    service and returns what to tell the person; flash that, or the service's refusal; 404 when
    the record may not be seen."""
    if not ActionForm().validate_on_submit():
        return
    try:
        message = act()
    except NotFound:
        abort(404)
    except ValidationError as exc:
        db.session.rollback()
        flash(next(iter(exc.errors.values())), "error")
    else:
        flash(message, "success")


# Past any list's last page (an audit trail of millions of rows included), so a page number
# asked for is answered as itself; a bigger one is nonsense, and page 1 is shown.
MAX_PAGE = 1_000_000_000


def posted_id(name: str) -> int | None:
    """A record id sent in the form, or None when absent, not a number, or no possible id."""
    value = request.form.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def posted_int(value) -> int | None:
    """A record id chosen from a list or sent back in a hidden field (text), or None when
    absent, not ASCII digits ("²" is a digit to isdigit, not to int) or no possible id."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def posted_version(value) -> int | None:
    """The version a form carries, or None when absent or not a number."""
    text = (value or "").strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def sent_version(field) -> int | None:
    """The record version a form's hidden field was sent with, or None when it was not sent
    or is not a version. What was sent, not the field's data: a form prefilled from the record
    would otherwise take the record's current version for a missing field, and a stale or
    hand-made post would pass the version check."""
    return posted_version((field.raw_data or [None])[0])


def page_number() -> int:
    """The ``page`` asked for in the query string, 1 when absent or not a sensible page."""
    value = request.args.get("page", 1, type=int)
    return value if value is not None and 0 < value <= MAX_PAGE else 1


class GovDateField(DateField):
    """A date entered as day, month and year boxes (GOV.UK date input), in UK order.

    govuk-frontend-wtf expects three raw values or none; an absent field gives none, and a
    request with one value or four (sent by hand, not by the page) is refused as not a real date
    and shown back in three boxes. Years outside 1900-2100 are refused: no date Waypoint records
    lies outside them, and the arithmetic on dates near year 9999 overflows.
    """

    MIN_YEAR, MAX_YEAR = 1900, 2100

    def __init__(self, label=None, validators=None, *, subject=None, **kwargs):
        kwargs.setdefault("format", ["%d %m %Y", "%Y-%m-%d"])
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(label, validators, **kwargs)
        # What a message calls the date when its label is a question ("When did it happen?"):
        # "The date it happened must be a real date", not "The date must ...".
        self.subject = subject

    def _say(self, problem: str) -> str:
        """'Date of birth must be a real date', or for a question label its ``subject`` (else
        'The date') 'must...'."""
        return f"{field_subject(self.label.text) or self.subject or 'The date'} {problem}"

    def process_formdata(self, valuelist):
        if (
            valuelist
            and any(v.strip() for v in valuelist)
            and not all(v.strip() for v in valuelist)
        ):
            self.data = None
            raise ValueError(self._say("must include a day, month and year"))
        if valuelist and len(valuelist) != 3:
            self.data = None
            raise ValueError(self._say("must be a real date, like 27 3 2007"))
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self._say("must be a real date, like 27 3 2007")) from None
        if self.data is not None and not self.MIN_YEAR <= self.data.year <= self.MAX_YEAR:
            self.data = None
            raise ValueError(
                self._say(f"must be a date between {self.MIN_YEAR} and {self.MAX_YEAR}")
            )

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if not self.raw_data:
            self.raw_data = None
        elif len(self.raw_data) != 3:
            self.raw_data = [*self.raw_data[:3], "", "", ""][:3]


def field_subject(label: str) -> str | None:
    """What a field is called in an error message: its label without "(optional)"; None for a
    label that is a question ("When did it happen?"), which no message can start with."""
    name = re.sub(r"\s*\(optional\)\s*$", "", label or "", flags=re.I).strip()
    return None if not name or name.endswith("?") else name


class Length(validators.Length):
    """A length limit whose message names the field from its label ("Town must be 100
    characters or fewer"), never WTForms' "Field cannot be longer than 100 characters"."""

    def __call__(self, form, field):
        if self.message is None and self.min == -1 and self.max != -1:
            length = len(field.data) if field.data else 0
            if length > self.max:
                subject = field_subject(field.label.text)
                limit = f"{self.max:,} characters or fewer"
                raise validators.ValidationError(
                    f"{subject} must be {limit}" if subject else f"Keep your answer to {limit}"
                )
            return
        super().__call__(form, field)


def too_long(what: str, limit: int) -> Length:
    """A length limit whose message names the field: "The place must be 200 characters or
    fewer"."""
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")
