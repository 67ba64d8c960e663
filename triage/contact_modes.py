"""The one list of contact modes (issue: people and cases). Everything that records a contact —
an attempt, a case note, a needs assessment — says which of these it was, so the quarterly
return can tell phone-only support from some face-to-face or some web chat (spec section 7).
"""

from __future__ import annotations

from dataclasses import dataclass

CONTACT_MODES = {
    "telephone": "Telephone",
    "face_to_face": "Face to face",
    "web_chat": "Web chat",
    "email": "Email",
    "letter": "Letter",
    "sms": "SMS text",
}

# A note that records no contact (a case discussion, an update from a partner) has no mode.
NO_CONTACT = "none"

# How an attempt's channel is counted: a home visit is face to face.
ATTEMPT_CHANNEL_MODES = {"telephone": "telephone", "home_visit": "face_to_face"}

# What a case note may record: one of the contact modes, or no contact.
NOTE_MODES = {**CONTACT_MODES, NO_CONTACT: "No contact"}

# Attempts that reached the person: a call on which they spoke to us, a visit that took place.
# A missed call, a voicemail or an unanswered door is an attempt, not support given.
CONTACT_MADE = {("telephone", "spoke"), ("home_visit", "visited")}


def mode_label(mode: str | None) -> str:
    """Words for a mode, or for no contact."""
    return CONTACT_MODES.get(mode or "", "No contact")


def support_modes(modes: list[str]) -> str:
    """How a person was supported, for the quarterly return: ``phone_only`` when every contact
    was by telephone, ``some_face_to_face`` or ``some_web_chat`` when any was (face to face
    first), ``other`` for contact by other modes only, ``none`` when there was none."""
    used = {m for m in modes if m in CONTACT_MODES}
    if not used:
        return "none"
    if "face_to_face" in used:
        return "some_face_to_face"
    if "web_chat" in used:
        return "some_web_chat"
    if used == {"telephone"}:
        return "phone_only"
    return "other"


def attempt_mode(channel: str) -> str | None:
    """The contact mode an attempt's channel counts as (a home visit is face to face)."""
    return ATTEMPT_CHANNEL_MODES.get(channel)


def attempt_support_mode(channel: str, outcome: str) -> str | None:
    """The mode an attempt adds to how a person was supported: its channel's mode when the
    person was reached, None for an attempt that reached nobody."""
    return attempt_mode(channel) if (channel, outcome) in CONTACT_MADE else None


@dataclass(frozen=True)
class SupportModes:
    """The quarterly return's three "support provided" figures for one person receiving further
    support (spec section 7): telephone support only, some face to face, some online web chat.
    The last two are counted independently: a person with both is in both figures."""

    telephone_only: bool
    some_face_to_face: bool
    some_web_chat: bool


def support_mode_flags(modes: list[str]) -> SupportModes:
    """Which of the quarterly return's support figures a person's recorded contact modes put
    them in (spec section 7 "Support provided"). Modes that are not contact (``none``) or not
    known are ignored; no contact at all is in none of the figures."""
    used = {m for m in modes if m in CONTACT_MODES}
    return SupportModes(
        telephone_only=used == {"telephone"},
        some_face_to_face="face_to_face" in used,
        some_web_chat="web_chat" in used,
    )
