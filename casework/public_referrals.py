"""Referrals people make themselves (self-referral) and partner agencies make for them.

A self-referral is accepted on the person's own account, with no proof of crime (spec 3.1).
How and when it is safe to contact them is recorded here and honoured by everything later.
Neither route ever tells the person sending it whether the victim is already known.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr

import sqlalchemy as sa

from casework.audit import Origin
from casework.contact_details import (
    is_mobile,
    normalise_email,
    normalise_phone,
    normalise_postcode,
)
from casework.errors import ValidationError
from casework.intake import NewReferral, store_referrals
from casework.referral import PartnerAgency, Referral
from triage.deadlines import webchat_slots

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


@dataclass(frozen=True)
class ReferrerDetails:
    agency_name: str
    agency_kind: str = ""
    referrer_name: str = ""
    referrer_email: str = ""
    referrer_phone: str = ""


@dataclass
class _Checked:
    errors: dict[str, str] = field(default_factory=dict)

    def need(self, condition: bool, name: str, message: str) -> None:
        if not condition and name not in self.errors:
            self.errors[name] = message


def _check_victim(victim: VictimDetails, methods: dict[str, str], today: date) -> dict:
    """Validate and normalise; every problem is reported at once against its field."""
    check = _Checked()
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
    if method in ("POST", "IN_PERSON"):
        check.need(
            bool(victim.address_line_1.strip()),
            "address_line_1",
            "Enter the first line of the address",
        )
        check.need(bool(postcode), "postcode", "Enter a postcode")
    check.need(len(victim.account) <= 5000, "account", "Keep this to 5,000 characters or fewer")
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
        **phones,
    }


def _key(kind: str, token: str) -> str:
    return hashlib.sha256(f"{kind}:{token}".encode()).hexdigest()


def _existing_reference(session, dedupe_key: str) -> str | None:
    return session.scalar(sa.select(Referral.reference).where(Referral.dedupe_key == dedupe_key))


def available_webchat_slots(calendar, now: datetime) -> list[datetime]:
    return webchat_slots(now, calendar)


def submit_self_referral(
    session,
    victim: VictimDetails,
    *,
    submission_token: str,
    webchat_at: datetime | None,
    calendar,
    now: datetime,
    origin: Origin,
) -> str:
    """Accept a self-referral and return its reference. Submitting the same form twice
    (same token) creates one referral and returns the same reference."""
    token = (submission_token or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
        raise ValidationError({"": "This form has expired. Reload the page and try again."})
    dedupe_key = _key("self", token)
    existing = _existing_reference(session, dedupe_key)
    if existing:
        return existing
    clean = _check_victim(victim, SELF_METHODS, calendar.local_date(now))
    if webchat_at is not None and webchat_at not in set(webchat_slots(now, calendar)):
        raise ValidationError(
            {"webchat_at": "That web chat time is no longer available: choose another"}
        )
    item = NewReferral(source="self", dedupe_key=dedupe_key, webchat_at=webchat_at, **clean)
    [referral_id] = store_referrals(
        session, [item], received_at=now, calendar=calendar, origin=origin, now=now
    )
    session.commit()
    return session.get(Referral, referral_id).reference


def find_or_create_agency(session, referrer: ReferrerDetails, now: datetime) -> PartnerAgency:
    """The partner agency by name (case-insensitive), recorded the first time it refers."""
    name = " ".join(referrer.agency_name.split())[:200]
    agency = session.scalar(
        sa.select(PartnerAgency).where(sa.func.lower(PartnerAgency.name) == name.lower())
    )
    if agency is None:
        agency = PartnerAgency(
            name=name,
            kind=referrer.agency_kind.strip()[:100] or None,
            contact_name=referrer.referrer_name.strip()[:200] or None,
            contact_email=(referrer.referrer_email.strip().lower()[:254] or None),
            contact_phone=referrer.referrer_phone.strip()[:32] or None,
            created_at=now,
        )
        session.add(agency)
        session.flush()
    return agency


def submit_partner_referral(
    session,
    referrer: ReferrerDetails,
    victim: VictimDetails,
    *,
    consent: bool,
    dedupe_token: str,
    calendar,
    now: datetime,
    origin: Origin,
    received_at: datetime | None = None,
) -> str:
    """Accept a partner agency's referral (form or standard email) and return its reference."""
    dedupe_key = _key("partner", dedupe_token)
    existing = _existing_reference(session, dedupe_key)
    if existing:
        return existing
    errors = {}
    if not referrer.agency_name.strip():
        errors["agency_name"] = "Enter the name of your agency"
    if not referrer.referrer_name.strip():
        errors["referrer_name"] = "Enter your name"
    email, problem = normalise_email(referrer.referrer_email)
    if not email:
        errors["referrer_email"] = "Enter your work email address so we can reply"
    if not consent:
        errors["consent"] = "Confirm the person has agreed to be referred"
    try:
        clean = _check_victim(victim, PARTNER_METHODS, calendar.local_date(now))
    except ValidationError as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationError(errors)
    agency = find_or_create_agency(session, referrer, now)
    item = NewReferral(
        source="partner",
        dedupe_key=dedupe_key,
        partner_agency_id=agency.id,
        referrer_name=referrer.referrer_name.strip()[:200],
        offence=(victim.account.strip()[:200] or None),
        **clean,
    )
    [referral_id] = store_referrals(
        session, [item], received_at=received_at or now, calendar=calendar, origin=origin, now=now
    )
    session.commit()
    return session.get(Referral, referral_id).reference


# --- the standard emailed referral ----------------------------------------------------------

EMAIL_FIELDS = {
    "agency": "agency_name",
    "agency type": "agency_kind",
    "referrer name": "referrer_name",
    "referrer email": "referrer_email",
    "referrer phone": "referrer_phone",
    "forename": "forename",
    "surname": "surname",
    "date of birth": "date_of_birth",
    "contact method": "contact_method",
    "phone": "phone",
    "email": "email",
    "address line 1": "address_line_1",
    "address line 2": "address_line_2",
    "town": "town",
    "postcode": "postcode",
    "safe to leave voicemail": "safe_to_voicemail",
    "safe to text": "safe_to_text",
    "safe times": "safe_times",
    "crime reference": "crime_reference",
    "occurred on": "occurred_on",
    "concerns": "concerns",
    "details": "account",
    "consent": "consent",
    "preferred worker gender": "preferred_worker_gender",
    "preferred language": "preferred_language",
}
YES = {"yes", "y", "true"}
NO = {"no", "n", "false"}


def _yes_no(value: str, name: str) -> bool | None:
    value = value.strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValidationError({name: f"{name.replace('_', ' ')} must be yes or no"})


def _iso_date(value: str, name: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValidationError({name: f"{name.replace('_', ' ')} must be a date as YYYY-MM-DD"})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: f"{name.replace('_', ' ')} is not a real date"}) from None


def parse_referral_email(raw: bytes) -> tuple[str, ReferrerDetails, VictimDetails, bool]:
    """Read a standard emailed referral: ``Field: value`` lines in the plain-text body.

    Returns a de-duplication token (the Message-ID, or a hash of the body), the referrer,
    the victim and whether consent was confirmed.
    """
    message = BytesParser(policy=policy.default).parsebytes(raw)
    body_part = message.get_body(preferencelist=("plain",))
    if body_part is None:
        raise ValidationError({"": "the email has no plain-text body"})
    body = body_part.get_content()
    values: dict[str, str] = {}
    for line in body.splitlines():
        name, sep, value = line.partition(":")
        key = EMAIL_FIELDS.get(name.strip().lower())
        if sep and key:
            values[key] = value.strip()
    if not values:
        raise ValidationError({"": "no 'Field: value' lines of the standard referral were found"})
    method_words = {v.lower(): k for k, v in PARTNER_METHODS.items()} | {
        "mobile": "MOBILE_PHONE",
        "home phone": "HOME_PHONE",
        "landline": "HOME_PHONE",
        "telephone": "HOME_PHONE",
        "work phone": "WORK_PHONE",
        "text": "SMS",
        "letter": "POST",
    }
    method = values.get("contact_method", "").strip()
    method = (
        method.upper()
        if method.upper() in PARTNER_METHODS
        else method_words.get(method.lower(), method.upper())
    )
    concerns = tuple(
        c.strip().upper().replace(" ", "_")
        for c in values.get("concerns", "").split(";")
        if c.strip()
    )
    victim = VictimDetails(
        forename=values.get("forename", ""),
        surname=values.get("surname", ""),
        contact_method=method,
        date_of_birth=_iso_date(values.get("date_of_birth", ""), "date_of_birth"),
        phone=values.get("phone", ""),
        email=values.get("email", ""),
        address_line_1=values.get("address_line_1", ""),
        address_line_2=values.get("address_line_2", ""),
        town=values.get("town", ""),
        postcode=values.get("postcode", ""),
        safe_to_voicemail=_yes_no(values.get("safe_to_voicemail", ""), "safe_to_voicemail"),
        safe_to_text=_yes_no(values.get("safe_to_text", ""), "safe_to_text"),
        safe_times=values.get("safe_times", ""),
        account=values.get("account", ""),
        occurred_on=_iso_date(values.get("occurred_on", ""), "occurred_on"),
        crime_reference=values.get("crime_reference", ""),
        concerns=concerns,
        preferred_worker_gender=values.get("preferred_worker_gender", ""),
        preferred_language=values.get("preferred_language", ""),
    )
    referrer = ReferrerDetails(
        agency_name=values.get("agency_name", ""),
        agency_kind=values.get("agency_kind", ""),
        referrer_name=values.get("referrer_name", ""),
        referrer_email=values.get("referrer_email", "")
        or parseaddr(str(message.get("From", "")))[1],
        referrer_phone=values.get("referrer_phone", ""),
    )
    token = str(message.get("Message-ID", "")).strip() or hashlib.sha256(body.encode()).hexdigest()
    consent = values.get("consent", "").strip().lower() in YES
    return token, referrer, victim, consent


def import_referral_email(
    session, raw: bytes, *, calendar, now: datetime, origin: Origin
) -> tuple[str, str]:
    """Import one standard emailed referral; returns (outcome, reference or reason).

    outcome is ``imported``, ``duplicate`` (the same email imported before: nothing changes)
    or ``rejected`` with the reason, which never repeats the email's personal data.
    """
    try:
        token, referrer, victim, consent = parse_referral_email(raw)
        if _existing_reference(session, _key("partner", f"email:{token}")):
            return "duplicate", ""
        reference = submit_partner_referral(
            session,
            referrer,
            victim,
            consent=consent,
            dedupe_token=f"email:{token}",
            calendar=calendar,
            now=now,
            origin=origin,
        )
    except ValidationError as exc:
        session.rollback()
        fields = [name for name in exc.errors if name]
        reason = (
            "; ".join(exc.errors.values())
            if not fields
            else (
                "; ".join(
                    f"{name.replace('_', ' ')}: {message}" for name, message in exc.errors.items()
                )
            )
        )
        return "rejected", reason
    return "imported", reference
