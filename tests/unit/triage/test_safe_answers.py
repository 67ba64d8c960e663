"""A safe time as answered on a form, into a SafeWindow, with the problem against its field."""

from datetime import time

import pytest

from triage.safe_answers import parse_time, window_from_answers
from triage.safe_times import describe


def test_nothing_answered_is_no_window_and_no_problem():
    assert window_from_answers("", [], "", "") == ([], {})


@pytest.mark.parametrize(
    ("days", "specific", "words"),
    [
        ("weekdays", [], "weekdays 17:00 to 20:00"),
        ("weekends", [], "weekends 17:00 to 20:00"),
        ("any", [], "any day 17:00 to 20:00"),
        ("specific", ["2"], "Wednesday 17:00 to 20:00"),
        ("specific", ["0", "3"], "Monday and Thursday 17:00 to 20:00"),
    ],
)
def test_days_and_times_become_one_window(days, specific, words):
    windows, problems = window_from_answers(days, specific, "17:00", "20.00")
    assert problems == {}
    assert describe(windows) == words


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        (("", [], "09:00", "12:00"), "safe_days", "Select which days"),
        (("specific", [], "09:00", "12:00"), "safe_specific_days", "Select at least one day"),
        (("specific", ["9"], "09:00", "12:00"), "safe_specific_days", "Select days from the list"),
        (("weekdays", [], "", "12:00"), "safe_from", "Enter the time it becomes safe"),
        (("weekdays", [], "9am", "12:00"), "safe_from", "Enter a time like 09:00"),
        (("weekdays", [], "09:00", "24:00"), "safe_until", "Enter a time like 17:30"),
        (("weekdays", [], "20:00", "20:00"), "safe_until", "must be after its start"),
        (("weekdays", [], "20:00", "08:00"), "safe_until", "must be after its start"),
    ],
)
def test_a_part_answered_or_wrong_window_is_a_problem_never_dropped(answers, field, message):
    windows, problems = window_from_answers(*answers)
    assert windows == []
    assert message in problems[field]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("9:00", time(9)), ("17.30", time(17, 30)), ("23:59", time(23, 59)), ("7", None), ("", None)],
)
def test_parse_time(text, parsed):
    assert parse_time(text) == parsed
