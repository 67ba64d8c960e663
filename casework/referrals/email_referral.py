"""The standard emailed partner referral (README: The standard emailed referral): parsed and
imported through the partner route.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr

from casework.audit import Origin
from casework.db import submission_key
from casework.errors import ValidationError
from casework.invisible import CONTROL_CHARACTER, UNHOLDABLE, without_format_characters
from casework.referrals.partner_referral import ReferrerDetails, submit_partner_referral
from casework.referrals.victim_details import (
    PARTNER_METHODS,
    VictimDetails,
    existing_reference,
)
from triage import equality
from triage.safe_answers import DAY_CHOICES, SPECIFIC_DAYS

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
    "safe to email": "safe_to_email",
    "safe to post": "safe_to_post",
    "safe days": "safe_days",
    "safe from": "safe_from",
    "safe until": "safe_until",
    # The protected characteristics (triage.equality), each optional.
    "age group": "age_band",
    "disability": "disability",
    "gender same as sex registered at birth": "gender_reassignment",
    "marital status": "marital_status",
    "pregnancy or maternity": "pregnancy_maternity",
    "ethnic group": "ethnic_group",
    "religion": "religion",
    "sex": "sex",
    "sexual orientation": "sexual_orientation",
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


def _safe_days(value: str) -> tuple[str, tuple[str, ...]]:
    """'weekdays', 'weekends', 'any day' or day names ('Monday; Thursday') as the form's
    answers; anything else is passed on for check_victim to refuse with its message."""
    text = value.strip().lower()
    if not text:
        return "", ()
    words = {"any day": "any", "every day": "any", **{k: k for k in DAY_CHOICES}}
    if text in words:
        return words[text], ()
    numbers = {name.lower(): number for number, name in SPECIFIC_DAYS.items()}
    days = [d.strip() for d in re.split(r"[;,]| and ", text) if d.strip()]
    return "specific", tuple(numbers.get(d, d) for d in days)


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
    # Lines end at a line feed only: splitlines() would also end one at a control character
    # inside a value (a vertical tab, U+0085), keeping half of it.
    for line in body.split("\n"):
        name, sep, value = line.rstrip("\r").partition(":")
        key = EMAIL_FIELDS.get(name.strip().lower())
        if sep and key:
            values[key] = without_format_characters(value).strip()
    if not values:
        raise ValidationError({"": "no 'Field: value' lines of the standard referral were found"})
    if not values.get("referrer_email"):  # else the sender's
        values["referrer_email"] = parseaddr(str(message.get("From", "")))[1]
    unholdable = [key for key, value in values.items() if CONTROL_CHARACTER.search(value)]
    if unholdable:
        raise ValidationError(dict.fromkeys(unholdable, UNHOLDABLE))
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
    safe_days, specific_days = _safe_days(values.get("safe_days", ""))
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
        safe_to_email=_yes_no(values.get("safe_to_email", ""), "safe_to_email"),
        safe_to_post=_yes_no(values.get("safe_to_post", ""), "safe_to_post"),
        safe_days=safe_days,
        safe_specific_days=specific_days,
        safe_from=values.get("safe_from", ""),
        safe_until=values.get("safe_until", ""),
        # An email without the safe-time lines did not ask: not the same as "any time".
        asked_safe_windows=any(k in values for k in ("safe_days", "safe_from", "safe_until")),
        characteristics={
            name: equality.from_words(name, values[name])
            for name in equality.FIELDS
            if name in values
        },
    )
    referrer = ReferrerDetails(
        agency_name=values.get("agency_name", ""),
        agency_kind=values.get("agency_kind", ""),
        referrer_name=values.get("referrer_name", ""),
        referrer_email=values["referrer_email"],
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
        if existing_reference(session, submission_key("partner", f"email:{token}")):
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
        ).reference
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
