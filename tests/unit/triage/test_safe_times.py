from datetime import UTC, datetime, time

import pytest

from scheduling.calendar import VICTIM_SERVICE_HOURS, Calendar
from triage import safe_times
from triage.safe_times import EVERY_DAY, SafeWindow


def test_windows_round_trip_through_json_and_read_in_words():
    windows = (
        SafeWindow(frozenset(range(5)), time(9), time(12)),
        SafeWindow(frozenset({2}), time(18), time(20)),
    )
    stored = safe_times.to_json(windows)
    assert safe_times.from_json(stored) == windows
    assert safe_times.describe(windows) == "weekdays 09:00 to 12:00; Wednesday 18:00 to 20:00"


def test_no_windows_means_any_time_in_service_hours():
    assert safe_times.to_json(()) is None
    assert safe_times.from_json(None) == ()
    assert safe_times.describe(()) == "Any time in service hours"


def test_a_malformed_stored_window_is_left_out_not_trusted():
    stored = [
        {"days": [0], "start": "25:00", "end": "26:00"},
        {"days": [], "start": "09:00", "end": "10:00"},
        {"days": [1], "start": "12:00", "end": "09:00"},
        {"start": "09:00"},
        {"days": [5, 6], "start": "10:00", "end": "16:00"},
    ]
    assert safe_times.describe(safe_times.from_json(stored)) == "weekends 10:00 to 16:00"


def test_a_window_says_what_is_wrong_with_it():
    assert SafeWindow(frozenset(), time(9), time(10)).problem() == (
        "Select at least one day when it is safe to contact them"
    )
    assert SafeWindow(frozenset({1}), time(10), time(10)).problem() == (
        "The end of a safe time must be after its start"
    )


# --- next_safe_moment: at the edges (DESIGN.md Deadline rules, safe contact) ----------------


CAL = Calendar()
WED_EVENING = (SafeWindow(frozenset({2}), time(18), time(20)),)
MONDAY_MORNING = (SafeWindow(frozenset({0}), time(9), time(10)),)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    "now,expected",
    [
        # Wednesday 18 November 2026 (GMT): the window closes at 20:00, as the service does.
        (utc(2026, 11, 18, 19, 59), utc(2026, 11, 18, 19, 59)),
        (utc(2026, 11, 18, 20, 0), utc(2026, 11, 25, 18, 0)),
        (utc(2026, 11, 18, 20, 1), utc(2026, 11, 25, 18, 0)),
        # Before the window opens on the day: wait for it.
        (utc(2026, 11, 18, 10, 0), utc(2026, 11, 18, 18, 0)),
        # Wednesday 12 August 2026 is summer time: 19:59 BST is 18:59 UTC.
        (utc(2026, 8, 12, 18, 59), utc(2026, 8, 12, 18, 59)),
        (utc(2026, 8, 12, 19, 0), utc(2026, 8, 19, 17, 0)),
    ],
)
def test_a_safe_window_closing_at_20_on_a_wednesday(now, expected):
    assert safe_times.next_safe_moment(now, WED_EVENING, CAL) == expected


def test_a_bank_holiday_monday_is_skipped_for_the_next_safe_monday():
    # Monday 25 May 2026 is the spring bank holiday: the next safe Monday is 1 June.
    now = utc(2026, 5, 22, 12)
    assert safe_times.next_safe_moment(now, MONDAY_MORNING, CAL) == utc(2026, 6, 1, 8)


def test_christmas_and_boxing_day_2026():
    # Friday 25 December 2026 is a bank holiday; Saturday 26 December is a service day
    # (its substitute, Monday 28 December, is the holiday).
    any_day = (SafeWindow(frozenset(range(7)), time(10), time(12)),)
    assert safe_times.next_safe_moment(utc(2026, 12, 24, 13), any_day, CAL) == utc(2026, 12, 26, 10)
    assert safe_times.next_safe_moment(utc(2026, 12, 26, 13), any_day, CAL) == utc(2026, 12, 29, 10)


@pytest.mark.parametrize(
    "now,expected",
    [
        # Clocks go forward on Sunday 29 March 2026: Monday 09:00 is then 08:00 UTC.
        (utc(2026, 3, 27, 12), utc(2026, 3, 30, 8)),
        # Clocks go back on Sunday 25 October 2026: Monday 09:00 is then 09:00 UTC.
        (utc(2026, 10, 20, 12), utc(2026, 10, 26, 9)),
    ],
)
def test_the_clock_changes_keep_the_window_on_the_wall_clock(now, expected):
    assert safe_times.next_safe_moment(now, MONDAY_MORNING, CAL) == expected


def test_no_windows_means_the_next_moment_the_service_is_open():
    # Sunday: closed; Monday 23 November 09:00 GMT.
    assert safe_times.next_safe_moment(utc(2026, 11, 22, 12), (), CAL) == utc(2026, 11, 23, 9)


def test_windows_that_never_meet_service_hours_are_held_not_looped_over():
    night = (
        SafeWindow(frozenset({6}), time(9), time(17)),
        SafeWindow(EVERY_DAY, time(21), time(23)),
    )
    assert safe_times.next_safe_moment(utc(2026, 11, 18, 12), night, CAL) is None
    problem = safe_times.windows_problem(night, VICTIM_SERVICE_HOURS)
    assert "never fall in the service's opening hours" in problem
    assert safe_times.windows_problem(WED_EVENING, VICTIM_SERVICE_HOURS) is None


def test_a_window_partly_outside_service_hours_uses_the_part_inside():
    early = (SafeWindow(frozenset({1}), time(7), time(9, 30)),)
    # Tuesday 17 November 2026: opens 09:00, window ends 09:30.
    assert safe_times.next_safe_moment(utc(2026, 11, 17, 6), early, CAL) == utc(2026, 11, 17, 9)
    assert safe_times.next_safe_moment(utc(2026, 11, 17, 9, 30), early, CAL) == utc(2026, 11, 24, 9)


def test_a_moment_outside_the_windows_is_read_in_uk_time_summer_and_winter():
    evenings = (SafeWindow(frozenset(range(5)), time(17), time(19)),)
    tz = CAL.tz
    # Monday 15 June 2026, British Summer Time: 16:30 UTC is 17:30, inside; 18:30 UTC is 19:30.
    assert not safe_times.outside_windows(datetime(2026, 6, 15, 16, 30, tzinfo=UTC), evenings, tz)
    assert safe_times.outside_windows(datetime(2026, 6, 15, 18, 30, tzinfo=UTC), evenings, tz)
    # Monday 23 November, GMT: 18:30 UTC is 18:30, inside; a Saturday never is.
    assert not safe_times.outside_windows(datetime(2026, 11, 23, 18, 30, tzinfo=UTC), evenings, tz)
    assert safe_times.outside_windows(datetime(2026, 6, 13, 16, 30, tzinfo=UTC), evenings, tz)
    # No windows given: any time will do.
    assert not safe_times.outside_windows(datetime(2026, 6, 13, 16, 30, tzinfo=UTC), (), tz)
