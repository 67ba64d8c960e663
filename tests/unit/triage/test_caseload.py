"""The caseload's next-call rule: three calls, at least two hours apart (D1, spec 3.7)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from scheduling.calendar import Calendar
from triage.caseload import NextCall, is_failed_call, next_call, within_safe_times
from triage.safe_times import EVERY_DAY, WEEKDAYS, SafeWindow

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # the night the clocks go forward


@pytest.mark.parametrize(
    ("failed", "owed", "expected"),
    [
        ([], True, NextCall("now")),
        ([], False, NextCall("none")),
        ([NOW - timedelta(hours=3)], False, NextCall("none")),
        ([NOW - timedelta(hours=2)], True, NextCall("now")),
        ([NOW - timedelta(minutes=119)], True, NextCall("later", NOW + timedelta(minutes=1))),
        (
            [NOW - timedelta(hours=5), NOW - timedelta(minutes=30)],
            True,
            NextCall("later", NOW + timedelta(minutes=90)),
        ),
        ([NOW - timedelta(hours=h) for h in (2, 4, 6)], True, NextCall("no_more")),
    ],
)
def test_next_call_allowed(failed, owed, expected):
    assert next_call(failed, call_owed=owed, now=NOW) == expected


def test_the_gap_is_measured_from_the_latest_failed_call_whatever_order_given():
    calls = [NOW - timedelta(minutes=10), NOW - timedelta(hours=4)]
    assert next_call(calls, call_owed=True, now=NOW).at == NOW + timedelta(minutes=110)


@pytest.mark.parametrize(
    ("channel", "outcome", "failed"),
    [
        ("telephone", "no_answer", True),
        ("telephone", "voicemail", True),
        ("telephone", "wrong_number", True),
        ("telephone", "spoke", False),
        ("home_visit", "no_answer", False),
    ],
)
def test_which_attempts_count_towards_the_three(channel, outcome, failed):
    assert is_failed_call(channel, outcome) is failed


# Safe times: the next call is given inside them (DESIGN.md safe contact). Around the clock
# change of Sunday 29 March 2026: Monday 30 March is in summer time (UTC+1).
CAL = Calendar()
WEEKDAY_EVENINGS = (SafeWindow(WEEKDAYS, time(17), time(18)),)
SATURDAY_NIGHT = datetime(2026, 3, 28, 22, tzinfo=UTC)


def test_a_call_possible_now_waits_for_the_persons_safe_time():
    moved = within_safe_times(NextCall("now"), WEEKDAY_EVENINGS, CAL, now=SATURDAY_NIGHT)
    # 17:00 on Monday 30 March, British Summer Time: 16:00 UTC.
    assert moved == NextCall("later", datetime(2026, 3, 30, 16, tzinfo=UTC), safe_time=True)


def test_a_call_inside_the_safe_time_stays_as_it_was():
    inside = datetime(2026, 3, 30, 16, 30, tzinfo=UTC)  # 17:30 BST, Monday
    assert within_safe_times(NextCall("now"), WEEKDAY_EVENINGS, CAL, now=inside) == NextCall("now")
    later = NextCall("later", inside)
    assert within_safe_times(later, WEEKDAY_EVENINGS, CAL, now=SATURDAY_NIGHT) == later


def test_the_two_hour_gap_ending_after_the_window_moves_to_the_next_day():
    gap_ends = NextCall("later", datetime(2026, 3, 30, 17, 15, tzinfo=UTC))  # 18:15 BST
    moved = within_safe_times(gap_ends, WEEKDAY_EVENINGS, CAL, now=SATURDAY_NIGHT)
    assert moved == NextCall("later", datetime(2026, 3, 31, 16, tzinfo=UTC), safe_time=True)


def test_with_no_windows_the_next_call_waits_only_for_the_service_to_open():
    # Saturday 22:00: closed on Sunday, so Monday 30 March 09:00 BST (08:00 UTC).
    assert within_safe_times(NextCall("now"), (), CAL, now=SATURDAY_NIGHT) == NextCall(
        "later", datetime(2026, 3, 30, 8, tzinfo=UTC), opening=True
    )
    # The two-hour gap ends at 17:30 on a Monday, inside hours: unchanged.
    monday_afternoon = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
    gap_ends = NextCall("later", monday_afternoon)
    assert within_safe_times(gap_ends, (), CAL, now=monday_afternoon) == gap_ends
    # Ends at 18:30, after Monday's close: Tuesday 09:00 (GMT).
    after_close = NextCall("later", monday_afternoon + timedelta(hours=1))
    assert within_safe_times(after_close, (), CAL, now=monday_afternoon) == NextCall(
        "later", datetime(2026, 11, 24, 9, tzinfo=UTC), opening=True
    )
    # Wednesday opens until 20:00: a call at 19:00 may be made now.
    wednesday_evening = datetime(2026, 11, 25, 19, tzinfo=UTC)
    assert within_safe_times(NextCall("now"), (), CAL, now=wednesday_evening) == NextCall("now")
    # Christmas Day (Friday) and the substitute bank holiday on Monday 28 December: Saturday
    # 26 December is a service day.
    christmas = datetime(2026, 12, 25, 12, tzinfo=UTC)
    assert within_safe_times(NextCall("now"), (), CAL, now=christmas).at == datetime(
        2026, 12, 26, 9, tzinfo=UTC
    )


def test_windows_open_while_the_service_is_shut_wait_only_for_it_to_open():
    # Safe every day 08:00-22:00, read at 19:00 on Saturday 21 November: Monday 09:00, said
    # as the service opening, not as their safe times.
    all_day = (SafeWindow(EVERY_DAY, time(8), time(22)),)
    saturday_evening = datetime(2026, 11, 21, 19, tzinfo=UTC)
    assert within_safe_times(NextCall("now"), all_day, CAL, now=saturday_evening) == NextCall(
        "later", datetime(2026, 11, 23, 9, tzinfo=UTC), opening=True
    )


def test_no_call_owed_is_unchanged_and_windows_never_open_say_so():
    for call in (NextCall("none"), NextCall("no_more")):
        assert within_safe_times(call, WEEKDAY_EVENINGS, CAL, now=SATURDAY_NIGHT) == call
    at_night = (SafeWindow(WEEKDAYS, time(23), time(23, 30)),)
    assert within_safe_times(NextCall("now"), at_night, CAL, now=SATURDAY_NIGHT) == NextCall(
        "no_safe_time"
    )


def test_a_bank_holiday_monday_is_passed_over():
    # Spring bank holiday, Monday 25 May 2026: the service is closed, so Tuesday 17:00 BST.
    saturday = datetime(2026, 5, 23, 12, tzinfo=UTC)
    moved = within_safe_times(NextCall("now"), WEEKDAY_EVENINGS, CAL, now=saturday)
    assert moved.at == datetime(2026, 5, 26, 16, tzinfo=UTC)


def test_an_evening_window_meets_only_wednesdays_late_opening():
    # Safe weekdays 18:00-20:00; the service closes at 18:00 except Wednesday (20:00). On
    # Monday 23 November 2026 (GMT) the next call is Wednesday 25 November at 18:00.
    evenings = (SafeWindow(WEEKDAYS, time(18), time(20)),)
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)
    moved = within_safe_times(NextCall("now"), evenings, CAL, now=monday)
    assert moved == NextCall("later", datetime(2026, 11, 25, 18, tzinfo=UTC), safe_time=True)
