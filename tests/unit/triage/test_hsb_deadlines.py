"""The HSB advice line's rules as tables: D8 (callback 4 line-hours after receipt) and D12
(negative feedback followed up by close of the 2nd working day), with the real calendar built from
the line's configured hours, across closing time, weekends, bank holidays and clock changes; and
the callback, referral-prompt and negative-feedback rules."""

from datetime import UTC, datetime

import pytest

from config import Config
from scheduling.calendar import Calendar, parse_service_hours
from triage.hsb import (
    callback_due,
    feedback_follow_up_due,
    is_negative_feedback,
    needs_callback,
    prompts_referral,
)

LINE = Calendar(hours=parse_service_hours(Config.HSB_LINE_HOURS), region="england-and-wales")


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# (received, due): UTC moments. GMT until 29 March 2026 and from 25 October 2026; BST between
# (so 08:00 on the wall is 07:00 UTC in summer).
D8 = {
    "mid-morning: four hours later": (utc(2026, 11, 25, 10, 15), utc(2026, 11, 25, 14, 15)),
    "16:00: due at 20:00 exactly": (utc(2026, 11, 25, 16), utc(2026, 11, 25, 20)),
    "17:30: 2 h 30 left today, 1 h 30 from 08:00": (
        utc(2026, 11, 25, 17, 30),
        utc(2026, 11, 26, 9, 30),
    ),
    "19:59: one minute today": (utc(2026, 11, 25, 19, 59), utc(2026, 11, 26, 11, 59)),
    "20:00 exactly: closed, from 08:00": (utc(2026, 11, 25, 20), utc(2026, 11, 26, 12)),
    "before opening: from 08:00": (utc(2026, 11, 25, 6, 45), utc(2026, 11, 25, 12)),
    "Friday evening runs into Monday": (utc(2026, 11, 27, 18, 30), utc(2026, 11, 30, 10, 30)),
    "Friday after close: Monday": (utc(2026, 11, 27, 21), utc(2026, 11, 30, 12)),
    "Saturday: Monday": (utc(2026, 11, 28, 10), utc(2026, 11, 30, 12)),
    "Sunday night: Monday": (utc(2026, 11, 29, 23, 59), utc(2026, 11, 30, 12)),
    # Christmas Day 2026 is a Friday; Boxing Day's substitute is Monday 28 December.
    "Christmas Eve evening: Tuesday 29 December": (
        utc(2026, 12, 24, 19),
        utc(2026, 12, 29, 11),
    ),
    "Christmas Day: Tuesday 29 December": (utc(2026, 12, 25, 11), utc(2026, 12, 29, 12)),
    "substitute bank holiday Monday 28 December": (
        utc(2026, 12, 28, 9),
        utc(2026, 12, 29, 12),
    ),
    # Good Friday 26 March 2027, Easter Monday 29 March; the clocks go forward on 28 March.
    "Thursday before Good Friday: the Tuesday after Easter, in BST": (
        utc(2027, 3, 25, 18),
        utc(2027, 3, 30, 9),
    ),
    "Good Friday: Tuesday 12:00 BST": (utc(2027, 3, 26, 10), utc(2027, 3, 30, 11)),
    "Easter Monday: Tuesday 12:00 BST": (utc(2027, 3, 29, 14), utc(2027, 3, 30, 11)),
    # The clocks go forward on Sunday 29 March 2026.
    "Friday before the clocks go forward": (utc(2026, 3, 27, 18), utc(2026, 3, 30, 9)),
    "Saturday night before the clocks go forward": (utc(2026, 3, 28, 22), utc(2026, 3, 30, 11)),
    # The clocks go back on Sunday 25 October 2026.
    "Friday before the clocks go back (18:00 BST)": (
        utc(2026, 10, 23, 17),
        utc(2026, 10, 26, 10),
    ),
    "Saturday night before the clocks go back": (utc(2026, 10, 24, 21), utc(2026, 10, 26, 12)),
    "summer mid-morning: four hours later": (utc(2026, 7, 15, 9), utc(2026, 7, 15, 13)),
    "summer 19:30 BST: half an hour today": (utc(2026, 7, 15, 18, 30), utc(2026, 7, 16, 10, 30)),
}


@pytest.mark.parametrize(("received", "due"), D8.values(), ids=D8.keys())
def test_callback_due(received, due):
    obligation = callback_due(received, LINE)
    assert obligation.kind == "callback"
    assert obligation.due_at == due


# (arrived, due): close (20:00 on the wall) of the 2nd working day after the arrival's local day.
D12 = {
    "Wednesday: Friday 20:00": (utc(2026, 11, 25, 9), utc(2026, 11, 27, 20)),
    "Wednesday late night: still Friday": (utc(2026, 11, 25, 23, 59), utc(2026, 11, 27, 20)),
    "Thursday: Monday": (utc(2026, 11, 26, 12), utc(2026, 11, 30, 20)),
    "Friday evening: Tuesday": (utc(2026, 11, 27, 19), utc(2026, 12, 1, 20)),
    "Saturday: Tuesday": (utc(2026, 11, 28, 12), utc(2026, 12, 1, 20)),
    "Sunday: Tuesday": (utc(2026, 11, 29, 12), utc(2026, 12, 1, 20)),
    "before Christmas: Tuesday 29 December": (utc(2026, 12, 23, 10), utc(2026, 12, 29, 20)),
    "Christmas Eve: Wednesday 30 December": (utc(2026, 12, 24, 10), utc(2026, 12, 30, 20)),
    "Thursday before Good Friday 2027: Wednesday, 20:00 BST": (
        utc(2027, 3, 25, 10),
        utc(2027, 3, 31, 19),
    ),
    "Easter Monday 2027: Wednesday": (utc(2027, 3, 29, 10), utc(2027, 3, 31, 19)),
    "Friday before the clocks go forward: Tuesday, 20:00 BST": (
        utc(2026, 3, 27, 23, 30),
        utc(2026, 3, 31, 19),
    ),
    "Saturday 28 March 2026: Tuesday, 20:00 BST": (utc(2026, 3, 28, 12), utc(2026, 3, 31, 19)),
    "Saturday 24 October 2026: Tuesday, 20:00 GMT": (
        utc(2026, 10, 24, 12),
        utc(2026, 10, 27, 20),
    ),
    "just after midnight BST is the next day": (utc(2026, 10, 22, 23, 30), utc(2026, 10, 27, 20)),
    "23:30 BST is still Thursday": (utc(2026, 10, 22, 22, 30), utc(2026, 10, 26, 20)),
}


@pytest.mark.parametrize(("arrived", "due"), D12.values(), ids=D12.keys())
def test_feedback_follow_up_due(arrived, due):
    obligation = feedback_follow_up_due(arrived, LINE)
    assert obligation.kind == "feedback_follow_up"
    assert obligation.due_at == due


NEEDS_CALLBACK = [
    ("telephone", "missed", False, True),
    ("telephone", "voicemail", False, True),
    ("telephone", "answered", False, False),
    ("telephone", None, False, True),  # outcome not known yet: owed until reported answered
    ("telephone", "answered", True, True),
    ("email", None, False, False),
    ("email", None, True, True),
    ("web_form", None, True, True),
    ("chat", None, False, False),
    ("email", "missed", False, False),
]


@pytest.mark.parametrize(("channel", "outcome", "out_of_hours", "expected"), NEEDS_CALLBACK)
def test_needs_callback(channel, outcome, out_of_hours, expected):
    assert needs_callback(channel, outcome, out_of_hours) is expected


PROMPTS_REFERRAL = [
    ("red", None, None, True),
    ("red", "normal", False, True),
    ("amber", "abusive", True, True),
    ("amber", "violent", True, True),
    (None, "violent", True, True),
    ("amber", "abusive", False, False),
    ("amber", "abusive", None, False),
    ("amber", "problematic", True, False),
    ("green", "normal", True, False),
    (None, None, None, False),
]


@pytest.mark.parametrize(("light", "continuum", "risk", "expected"), PROMPTS_REFERRAL)
def test_prompts_referral(light, continuum, risk, expected):
    assert prompts_referral(light, continuum, risk) is expected


NEGATIVE = [
    (1, (None, None), (None, None), True),
    (2, (3, 3), (4, 4), True),
    (3, (3, 3), (3, 3), False),
    (5, (3, 3), (4, 5), False),
    (None, (None, None), (None, None), False),
    (4, (4, 3), (3, 3), True),
    (4, (3, 4), (3, 2), True),
    (5, (None, 4), (2, None), False),  # never answered both times
    (None, (2, 2), (1, 2), True),
]


@pytest.mark.parametrize(("satisfaction", "before", "after", "expected"), NEGATIVE)
def test_is_negative_feedback(satisfaction, before, after, expected):
    assert is_negative_feedback(satisfaction, before, after) is expected
