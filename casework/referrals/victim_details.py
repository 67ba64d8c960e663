"""What a referrer tells us about the victim on any public route (the web form, a partner's form or
email), checked the same way, and the double-submit guard they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from casework.errors import ValidationError
from casework.people.contact_details import (
    is_mobile,
    normalise_email,
    normalise_phone,
    normalise_postcode,
)
from casework.referrals.models import Referral
from triage import equality
from triage.safe_answers import window_from_answers

# What a person may tell us about what happened, as the police flags triage understands.
CONCERNS = {
    "DOMESTIC_ABUSE": "Someone close to me (a partner, ex-partner or family member) hurt me",
    "SEXUAL_OFFENCE": "It was a sexual offence",
    "HATE_CRIME": "I was targeted because of who I am (hate crime)",
    "PERSISTENTLY_TARGETED": "It keeps happening (harassment, stalking, repeated crimes)",
    "INTIMIDATED": "I am frightened about giving evidence or about the person who did it",
    "BEREAVED": "Someone close to me died because of a crime",
    "VULNERABLE": "I have a disability, illness or mental health condition",
}


SELF_METHODS = {
    "MOBILE_PHONE": "Call my mobile",
    "HOME_PHONE": "Call my landline",
    "SMS": "Text message",
    "EMAIL": "Email",
    "POST": "Letter",
}


PARTNER_METHODS = {**SELF_METHODS, "WORK_PHONE": "Call a work number", "IN_PERSON": "In person"}


@dataclass(frozen=True)
class VictimDetails:
    """Who the referral is for and how to reach them, as typed into a form or an email."""

    forename: str
    surname: str
    contact_method: str
    date_of_birth: date | None = None
    phone: str = ""
    email: str = ""
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    safe_to_voicemail: bool | None = None
    safe_to_text: bool | None = None
    safe_times: str = ""
    account: str = ""
    occurred_on: date | None = None
    crime_reference: str = ""
    concerns: tuple[str, ...] = ()
    preferred_worker_gender: str = ""
    preferred_language: str = ""
    safe_to_email: bool | None = None
    safe_to_post: bool | None = None
    # One safe window as answered (triage.safe_answers); asked_safe_windows False (an email in
    # a format without them) leaves the windows "not asked yet" rather than "any time".
    safe_days: str = ""
    safe_specific_days: tuple[str, ...] = ()
    safe_from: str = ""
    safe_until: str = ""
    asked_safe_windows: bool = True
    # The protected characteristics they chose to give (triage.equality), by field name.
    characteristics: dict[str, str | None] = field(default_factory=dict)


@dataclass
class CheckedVictim:
    """A referrer's answers about the victim after checking: normalised values and the
    problems found."""

    errors: dict[str, str] = field(default_factory=dict)

    def need(self, condition: bool, name: str, message: str) -> None:
        if not condition and name not in self.errors:
            self.errors[name] = message


def check_victim(victim: VictimDetails, methods: dict[str, str], today: date) -> dict:
    """Validate and normalise; every problem is reported at once against its field."""
    check = CheckedVictim()
    check.need(bool(victim.forename.strip()), "forename", "Enter a first name")
    check.need(bool(victim.surname.strip()), "surname", "Enter a last name")
    check.need(
        len(victim.forename) <= 100, "forename", "First name must be 100 characters or fewer"
    )
    check.need(len(victim.surname) <= 100, "surname", "Last name must be 100 characters or fewer")
    check.need(
        victim.contact_method in methods,
        "contact_method",
        "Select how you would like to be contacted",
    )
    if victim.date_of_birth:
        check.need(
            victim.date_of_birth <= today, "date_of_birth", "Date of birth must be in the past"
        )
        check.need(
            victim.date_of_birth.year > today.year - 120,
            "date_of_birth",
            "Enter a real date of birth",
        )
    if victim.occurred_on:
        check.need(
            victim.occurred_on <= today,
            "occurred_on",
            "The date it happened must be today or in the past",
        )
    unknown = [c for c in victim.concerns if c not in CONCERNS]
    check.need(not unknown, "concerns", "Select from the list")

    phone, problem = normalise_phone(victim.phone)
    if problem:
        check.errors["phone"] = "Enter a UK telephone number, like 07700 900 982"
    email, problem = normalise_email(victim.email)
    if problem:
        check.errors["email"] = (
            "Enter an email address in the correct format, like name@example.com"
        )
    postcode, problem = normalise_postcode(victim.postcode)
    if problem:
        check.errors["postcode"] = "Enter a real UK postcode, like LE1 1AA"

    method = victim.contact_method
    if method in ("MOBILE_PHONE", "HOME_PHONE", "WORK_PHONE"):
        check.need(bool(phone), "phone", "Enter a telephone number so we can call")
    if method == "MOBILE_PHONE" and phone:
        # Taken, a landline under "call my mobile" left a referral with no usable mobile, and
        # the person thinking all was well.
        check.need(
            is_mobile(phone),
            "phone",
            "That is not a UK mobile number: enter a mobile number, like 07700 900 982, or "
            "choose to be called on a landline",
        )
    if method == "SMS":
        check.need(is_mobile(phone), "phone", "Enter a mobile number so we can text")
        check.need(
            victim.safe_to_text is not False,
            "safe_to_text",
            "You chose text messages but said it is not safe to text: choose another "
            "way to be contacted, or change your answer",
        )
    if method == "EMAIL":
        check.need(bool(email), "email", "Enter an email address so we can email")
        check.need(
            victim.safe_to_email is not False,
            "safe_to_email",
            "You chose email but said it is not safe to email: choose another way to be "
            "contacted, or change your answer",
        )
    if method == "POST":
        check.need(
            victim.safe_to_post is not False,
            "safe_to_post",
            "You chose letters but said post to the address is not safe: choose another way "
            "to be contacted, or change your answer",
        )
    if method in ("POST", "IN_PERSON"):
        check.need(
            bool(victim.address_line_1.strip()),
            "address_line_1",
            "Enter the first line of the address",
        )
        check.need(bool(postcode), "postcode", "Enter a postcode")
    check.need(len(victim.account) <= 5000, "account", "Keep this to 5,000 characters or fewer")
    windows, problems = safe_contact_windows(victim)
    for name, message in {**problems, **equality.problems(victim.characteristics)}.items():
        check.need(False, name, message)
    if check.errors:
        raise ValidationError(check.errors)
    phones = {"home_phone": None, "mobile_phone": None, "work_phone": None}
    if phone:
        slot = {"HOME_PHONE": "home_phone", "WORK_PHONE": "work_phone"}.get(method)
        phones[slot or ("mobile_phone" if is_mobile(phone) else "home_phone")] = phone
    return {
        "forename": victim.forename.strip(),
        "surname": victim.surname.strip(),
        "date_of_birth": victim.date_of_birth,
        "contact_method": method,
        "email": email,
        "address_line_1": victim.address_line_1.strip()[:200] or None,
        "address_line_2": victim.address_line_2.strip()[:200] or None,
        "town": victim.town.strip()[:100] or None,
        "postcode": postcode,
        "safe_to_voicemail": victim.safe_to_voicemail,
        "safe_to_text": victim.safe_to_text,
        "safe_times": victim.safe_times.strip()[:200] or None,
        "account": victim.account.strip() or None,
        "occurred_on": victim.occurred_on,
        "crime_reference": victim.crime_reference.strip().upper()[:40] or None,
        "flags": tuple(dict.fromkeys(victim.concerns)),
        "preferred_worker_gender": victim.preferred_worker_gender.strip()[:20] or None,
        "preferred_language": victim.preferred_language.strip()[:60] or None,
        "safe_to_email": victim.safe_to_email,
        "safe_to_post": victim.safe_to_post,
        "safe_windows": windows,
        **equality.clean(victim.characteristics),
        **phones,
    }


def safe_contact_windows(answers) -> tuple[list[dict] | None, dict[str, str]]:
    """The safe windows for the ``safe_windows`` column from a form's answers (an empty list:
    asked, and any time in service hours will do; None: not asked) and the problems found."""
    if not getattr(answers, "asked_safe_windows", True):
        return None, {}
    windows, problems = window_from_answers(
        answers.safe_days, answers.safe_specific_days, answers.safe_from, answers.safe_until
    )
    return [w.to_json() for w in windows], problems


def existing_reference(session, dedupe_key: str) -> str | None:
    """The reference of the referral a submission already made, if any."""
    return session.scalar(sa.select(Referral.reference).where(Referral.dedupe_key == dedupe_key))
