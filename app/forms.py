"""Helpers shared by every feature's forms."""

from flask import abort, flash
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField
from wtforms.utils import unset_value

from casework.db import db
from casework.errors import NotFound, ValidationError


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


def button_action(act) -> None:
    """A one-button decision (a form with only its CSRF token): run ``act``, which calls the
    service and returns what to tell the person; flash that, or the service's refusal; 404 when
    the record may not be seen."""
    from app.triage.forms import ActionForm

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


class GovDateField(DateField):
    """A date entered as day, month and year boxes (GOV.UK date input), in UK order.

    govuk-frontend-wtf expects three raw values or none; an absent field gives none.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%d %m %Y", "%Y-%m-%d"])
        kwargs.setdefault("widget", GovDateInput())
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if (
            valuelist
            and any(v.strip() for v in valuelist)
            and not all(v.strip() for v in valuelist)
        ):
            self.data = None
            raise ValueError(f"{self.label.text} must include a day, month and year")
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2007") from None

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if not self.raw_data:
            self.raw_data = None
