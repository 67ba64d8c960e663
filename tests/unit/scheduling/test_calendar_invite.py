"""The calendar invitation as iCalendar text (RFC 5545): folding, escaping, UTC times."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from scheduling.messaging.calendar_invite import build_invite, escape_text, fold, utc_stamp

LONDON = ZoneInfo("Europe/London")
STAMP = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def invite(**changes) -> str:
    values = {
        "uid": "abc123@waypoint",
        "sequence": 0,
        "starts_at": datetime(2026, 10, 26, 10, 0, tzinfo=LONDON),
        "ends_at": datetime(2026, 10, 26, 11, 0, tzinfo=LONDON),
        "summary": "HSB advice line follow-up session",
        "description": "Call 0113 496 0000",
        "location": "Telephone",
        "stamp": STAMP,
        **changes,
    }
    return build_invite(**values)


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_every_line_ends_with_crlf_and_the_event_is_wrapped():
    text = invite()
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "BEGIN:VEVENT" in lines and "END:VEVENT" in lines
    assert "METHOD:REQUEST" in lines and "UID:abc123@waypoint" in lines
    assert "SEQUENCE:0" in lines and "STATUS:CONFIRMED" in lines


def test_times_are_written_in_utc_across_the_clock_change():
    lines = unfold(invite())
    # Monday 26 October 2026: British summer time has ended, London is UTC+0.
    assert "DTSTART:20261026T100000Z" in lines and "DTEND:20261026T110000Z" in lines
    summer = unfold(
        invite(
            starts_at=datetime(2026, 10, 23, 10, 0, tzinfo=LONDON),
            ends_at=datetime(2026, 10, 23, 11, 0, tzinfo=LONDON),
        )
    )
    assert "DTSTART:20261023T090000Z" in summer  # BST, UTC+1
    spring = unfold(
        invite(
            starts_at=datetime(2027, 3, 29, 10, 0, tzinfo=LONDON),
            ends_at=datetime(2027, 3, 29, 10, 30, tzinfo=LONDON),
        )
    )
    assert "DTSTART:20270329T090000Z" in spring and "DTEND:20270329T093000Z" in spring
    assert utc_stamp(datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=-5)))) == (
        "20260101T170000Z"
    )


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        utc_stamp(datetime(2026, 10, 26, 10, 0))


def test_text_is_escaped():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    lines = unfold(invite(location="Room 4, Leeds; ask at reception\nFloor 2"))
    assert "LOCATION:Room 4\\, Leeds\\; ask at reception\\nFloor 2" in lines


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    description = "Joining details: " + "é" * 60 + " https://meet.example.org/" + "x" * 80
    text = invite(description=description)
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert f"DESCRIPTION:{description}" in unfold(text)
    folded = fold("X" * 200)
    assert [len(p) for p in folded.split("\r\n")] == [75, 75, 52]
    assert all(p.startswith(" ") for p in folded.split("\r\n")[1:])
    assert fold("short") == "short"


def test_a_cancellation():
    lines = unfold(invite(method="CANCEL", sequence=2))
    assert "METHOD:CANCEL" in lines and "STATUS:CANCELLED" in lines and "SEQUENCE:2" in lines
    with pytest.raises(ValueError):
        invite(method="PUBLISH")


def test_organizer_and_attendee():
    lines = unfold(invite(organizer="line@waypoint.test", attendee="dsl@school.example"))
    assert "ORGANIZER:mailto:line@waypoint.test" in lines
    assert "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:dsl@school.example" in lines
