"""Questions every route asks the same way: safe contact (email, post, safe times) and the
protected characteristics, worded to the person themselves ("you") or about them ("they").

Each is a plain class of fields to mix into a form; ``*_answers`` read them back as the values
the casework services take. Every question here is optional: a blank answer is "not asked".
"""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, Optional

from app.forms import Length
from triage import equality
from triage.safe_answers import DAY_CHOICES, SPECIFIC_DAYS

YES_NO = [("yes", "Yes"), ("no", "No")]


def _optional_radio(label: str, choices: dict[str, str], message: str) -> RadioField:
    return RadioField(
        label,
        choices=list(choices.items()),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Optional(), AnyOf(list(choices), message=message)],
    )


def _safe_contact_fields(you: bool) -> dict:
    whom = "you" if you else "them"
    return {
        "safe_to_email": _optional_radio(
            f"Is it safe for us to email {whom}?", dict(YES_NO), "Select yes or no"
        ),
        "safe_to_post": _optional_radio(
            f"Is it safe for us to send letters to {'your' if you else 'their'} address?",
            dict(YES_NO),
            "Select yes or no",
        ),
        "safe_days": _optional_radio(
            f"Which days is it safe to contact {whom}? (optional)",
            DAY_CHOICES,
            "Select which days it is safe to contact them",
        ),
        "safe_specific_days": SelectMultipleField(
            "If only on certain days, which days?",
            choices=list(SPECIFIC_DAYS.items()),
            widget=GovCheckboxesInput(),
            validate_choice=False,
            validators=[Optional()],
        ),
        "safe_from": StringField(
            "Safe from (24-hour time)",
            widget=GovTextInput(),
            validators=[Optional(), Length(max=10)],
        ),
        "safe_until": StringField(
            "Safe until (24-hour time)",
            widget=GovTextInput(),
            validators=[Optional(), Length(max=10)],
        ),
        "safe_times": StringField(
            f"Anything else about when or how it is safe to contact {whom}? (optional)",
            widget=GovTextInput(),
            validators=[Optional(), Length(max=200)],
        ),
    }


def _equality_labels(you: bool) -> dict[str, str]:
    if you:
        return {
            "age_band": "If you did not give your date of birth, which age group are you in?",
            "disability": "Do you have a disability or a long-term physical or mental health "
            "condition?",
            "gender_reassignment": "Is the gender you identify with the same as your sex "
            "registered at birth?",
            "marital_status": "What is your legal marital or civil partnership status?",
            "pregnancy_maternity": "Are you pregnant, or have you given birth in the last "
            "26 weeks?",
            "ethnic_group": "What is your ethnic group?",
            "religion": "What is your religion?",
            "sex": "What is your sex?",
            "sexual_orientation": "Which of these best describes your sexual orientation?",
        }
    return {
        "age_band": "If their date of birth is not known, which age group are they in?",
        "disability": "Do they have a disability or a long-term physical or mental health "
        "condition?",
        "gender_reassignment": "Is the gender they identify with the same as their sex "
        "registered at birth?",
        "marital_status": "What is their legal marital or civil partnership status?",
        "pregnancy_maternity": "Are they pregnant, or have they given birth in the last 26 weeks?",
        "ethnic_group": "What is their ethnic group?",
        "religion": "What is their religion?",
        "sex": "What is their sex?",
        "sexual_orientation": "Which of these best describes their sexual orientation?",
    }


def _equality_fields(you: bool) -> dict:
    fields = {}
    for name, label in _equality_labels(you).items():
        answers = equality.choices(name)
        if name == "ethnic_group":
            fields[name] = SelectField(
                label,
                choices=[("", "Not answered"), *answers.items()],
                widget=GovSelect(),
                validate_choice=False,
                validators=[Optional(), AnyOf(list(answers), message="Select from the list")],
            )
        else:
            fields[name] = _optional_radio(label, answers, "Select one of the answers")
    return fields


# Mixins: a form class lists one of these among its bases.
SafeContactForYou = type("SafeContactForYou", (), _safe_contact_fields(True))
SafeContactForThem = type("SafeContactForThem", (), _safe_contact_fields(False))
EqualityForYou = type("EqualityForYou", (), _equality_fields(True))
EqualityForThem = type("EqualityForThem", (), _equality_fields(False))


def yes_no(value: str | None) -> bool | None:
    """'yes' as True, 'no' as False, anything else as None (not answered)."""
    return {"yes": True, "no": False}.get(value or "")


def safe_contact_answers(form) -> dict:
    """The safe-contact answers on ``form``, as VictimDetails (and the services) name them."""
    return {
        "safe_to_email": yes_no(form.safe_to_email.data),
        "safe_to_post": yes_no(form.safe_to_post.data),
        "safe_days": form.safe_days.data or "",
        "safe_specific_days": tuple(form.safe_specific_days.data or ()),
        "safe_from": form.safe_from.data or "",
        "safe_until": form.safe_until.data or "",
        "safe_times": form.safe_times.data or "",
    }


def characteristic_answers(form) -> dict[str, str | None]:
    """The protected characteristics answered on ``form``; blank ones as None."""
    return {name: getattr(form, name).data or None for name in equality.FIELDS}
