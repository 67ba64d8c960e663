"""Normalising and checking contact details: UK phone numbers, postcodes, email addresses.

Problems are described without repeating the detail itself, so a report or log never carries
a person's data.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9][0-9ABEHMNPRV-Y]?|[0-9][A-HJKPS-UW])"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


PUNCTUATION = str.maketrans("", "", " -().")
NATIONAL_TEN = re.compile(r"^(?:0|\+44|0044)([1-9]\d{9})$")


def normalise_phone(raw: str | None) -> tuple[str | None, str | None]:
    """A UK number in E.164, or None and why not. Ofcom's drama ranges are possible numbers."""
    text = (raw or "").strip()
    if not text:
        return None, None
    # Fast path for the usual shape (0 or +44 then ten digits), which phonenumbers also
    # accepts as a possible GB number; anything else goes to phonenumbers itself.
    usual = NATIONAL_TEN.match(text.translate(PUNCTUATION).replace("+44(0)", "+44"))
    if usual:
        return "+44" + usual.group(1), None
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None, "is not a phone number"
    # "Possible local only" (a number missing its area code) cannot be dialled: not usable.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None, "is not a possible UK phone number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def is_mobile(e164: str | None) -> bool:
    """True for a UK mobile number (07...), which can receive SMS."""
    return bool(e164) and e164.startswith("+447")


def normalise_postcode(raw: str | None) -> tuple[str | None, str | None]:
    """A UK postcode as ``LE2 1HL``, or None and why not."""
    compact = re.sub(r"\s+", "", (raw or "")).upper()
    if not compact:
        return None, None
    if not POSTCODE.match(compact):
        return None, "is not a valid UK postcode"
    return f"{compact[:-3]} {compact[-3:]}", None


MAX_EMAIL = 254  # the longest address SMTP carries (RFC 5321)


def normalise_email(raw: str | None) -> tuple[str | None, str | None]:
    """An email address in the form matching compares, or None when it is not one."""
    text = (raw or "").strip()
    if not text:
        return None, None
    if len(text) > MAX_EMAIL or not EMAIL.match(text):
        return None, "is not a valid email address"
    return text.lower(), None


@lru_cache(maxsize=65536)
def normalise_name(forename: str, surname: str) -> str:
    """Name folded for matching: no accents, case, spaces or punctuation.

    'Tomasz Wiśniewski' and 'tomasz wisniewski' fold to the same text.
    """
    text = unicodedata.normalize("NFKD", f"{forename} {surname}")
    return re.sub(r"[^a-z]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())
