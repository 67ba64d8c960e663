"""The one list of contact modes (issue: people and cases). Everything that records a contact —
an attempt, a case note, later an assessment — says which of these it was, so the quarterly
return can tell phone-only support from some face-to-face or some web chat (spec section 7).
"""

from __future__ import annotations

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
