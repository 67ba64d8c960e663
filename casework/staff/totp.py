"""Time-based one-time codes (RFC 6238, HMAC-SHA1, 30 seconds, 6 digits): the second factor staff
add to their password, with any authenticator app. Pure functions; nothing here stores anything.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# A code is accepted for one step either side of now: phones' clocks drift, and a person typing
# a code as it changes should not be refused.
WINDOW = 1


def new_secret() -> str:
    """A fresh shared secret: 160 random bits, base32 as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def step_at(moment: datetime) -> int:
    """The RFC 6238 time step a moment falls in."""
    return int(moment.timestamp()) // STEP_SECONDS


def code_for(secret: str, step: int, digits: int = DIGITS) -> str:
    """The code for one time step (RFC 4226 HOTP with the step as the counter)."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret) % 8))
    digest = hmac.digest(key, step.to_bytes(8, "big"), "sha1")
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def matching_step(
    secret: str, code: str, moment: datetime, *, after: int | None = None
) -> int | None:
    """The time step ``code`` belongs to, within the window around ``moment``, or None.

    A step at or before ``after`` (the last one used) is refused, so a code seen over someone's
    shoulder, or replayed from a captured request, cannot be used a second time.
    """
    code = "".join((code or "").split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(moment)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(code_for(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str = "Waypoint") -> str:
    """The otpauth:// link an authenticator app reads (Key Uri Format)."""
    query = urlencode(
        {"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?{query}"
