"""A calendar invitation as iCalendar text (RFC 5545, with RFC 5546's METHOD): one event with
its UID and SEQUENCE, so a mail program files an update or a cancellation against the same
entry. Pure: the caller gives every value, times are written in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

PRODID = "-//Waypoint//HSB advice line//EN"
METHODS = ("REQUEST", "CANCEL")
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 3.1): each continuation starts with a
    space, and a UTF-8 character is never split between lines."""
    parts: list[str] = []
    current, size = "", 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1
            limit = LINE_OCTETS
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC form, like 20261026T100000Z."""
    if moment.tzinfo is None:
        raise ValueError("a calendar time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def build_invite(
    *,
    uid: str,
    sequence: int,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str = "",
    location: str = "",
    stamp: datetime,
    method: str = "REQUEST",
    organizer: str | None = None,
    attendee: str | None = None,
) -> str:
    """The invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL) as iCalendar text,
    CRLF line endings, lines folded."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"SEQUENCE:{int(sequence)}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(starts_at)}",
        f"DTEND:{utc_stamp(ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if organizer:
        lines.append(f"ORGANIZER:mailto:{organizer}")
    if attendee:
        lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{attendee}")
    lines += [
        "STATUS:CANCELLED" if method == "CANCEL" else "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
