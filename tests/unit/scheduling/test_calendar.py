"""The service calendar at the dates that catch people out (DESIGN.md Deadline rules)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.calendar import (
    HSB_LINE_HOURS,
    Calendar,
    computed_england_and_wales,
    parse_service_hours,
    published_bank_holidays,
)

LONDON = ZoneInfo("Europe/London")
VICTIM = Calendar()
HSB = Calendar(hours=HSB_LINE_HOURS)


def local(text: str) -> datetime:
    """A wall-clock time in London, e.g. '2026-11-23 10:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    "day,bank_holiday,service_day,working_day",
    [
        (date(2026, 12, 25), True, False, False),  # Christmas Day, Friday
        (date(2026, 12, 26), False, True, False),  # Boxing Day on a Saturday: a service day
        (date(2026, 12, 28), True, False, False),  # the substitute Monday is the holiday
        (date(2026, 12, 27), False, False, False),  # Sunday: never open
        (date(2026, 4, 3), True, False, False),  # Good Friday
        (date(2026, 4, 6), True, False, False),  # Easter Monday
        (date(2026, 5, 4), True, False, False),  # Early May
        (date(2026, 8, 31), True, False, False),  # Summer bank holiday
        (date(2026, 11, 25), False, True, True),  # an ordinary Wednesday
        (date(2026, 11, 28), False, True, False),  # an ordinary Saturday
        (date(2027, 12, 27), True, False, False),  # Christmas 2027 is Saturday: Monday substitute
        (date(2027, 12, 28), True, False, False),  # and Boxing Day's substitute Tuesday
    ],
)
def test_days(day, bank_holiday, service_day, working_day):
    assert VICTIM.is_bank_holiday(day) is bank_holiday
    assert VICTIM.is_service_day(day) is service_day
    assert VICTIM.is_working_day(day) is working_day


@pytest.mark.parametrize(
    "day,count,expected",
    [
        (date(2026, 11, 23), 1, date(2026, 11, 24)),  # Monday + 1: receipt day not counted
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday + 1 skips the weekend
        (date(2026, 11, 21), 5, date(2026, 11, 27)),  # from a Saturday
        (date(2026, 12, 23), 5, date(2027, 1, 4)),  # over Christmas and New Year
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # 25th, 28th are holidays
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Easter
        (date(2026, 3, 27), 10, date(2026, 4, 14)),  # ten days spanning Easter
    ],
)
def test_add_working_days(day, count, expected):
    assert VICTIM.add_working_days(day, count) == expected


def test_add_working_days_refuses_zero():
    with pytest.raises(ValueError):
        VICTIM.add_working_days(date(2026, 11, 23), 0)


@pytest.mark.parametrize(
    "day,closes_utc",
    [
        (date(2026, 11, 23), "2026-11-23T18:00:00+00:00"),  # Monday, GMT
        (date(2026, 11, 25), "2026-11-25T20:00:00+00:00"),  # Wednesday late close
        (date(2026, 7, 1), "2026-07-01T19:00:00+00:00"),  # Wednesday in BST: 20:00 local
        (date(2026, 3, 28), "2026-03-28T18:00:00+00:00"),  # Saturday before clocks go forward
        (date(2026, 3, 30), "2026-03-30T17:00:00+00:00"),  # Monday after: 18:00 BST
        (date(2026, 10, 24), "2026-10-24T17:00:00+00:00"),  # Saturday before clocks go back
        (date(2026, 10, 26), "2026-10-26T18:00:00+00:00"),  # Monday after: GMT again
    ],
)
def test_close_of_day_is_the_local_closing_time(day, closes_utc):
    assert VICTIM.close_of(day).isoformat() == closes_utc


@pytest.mark.parametrize(
    "received,due_local",
    [
        ("2026-11-23 10:00", "2026-11-23 18:00"),  # Monday morning: close the same day
        ("2026-11-23 17:59", "2026-11-23 18:00"),
        ("2026-11-23 18:00", "2026-11-24 18:00"),  # at close: the next service day
        ("2026-11-25 19:00", "2026-11-25 20:00"),  # Wednesday's late close
        ("2026-11-25 20:30", "2026-11-26 18:00"),
        ("2026-11-21 12:00", "2026-11-21 18:00"),  # Saturday is a service day
        ("2026-11-21 19:00", "2026-11-23 18:00"),  # Saturday evening: Sunday is closed
        ("2026-11-22 10:00", "2026-11-23 18:00"),  # Sunday
        ("2026-12-24 18:30", "2026-12-26 18:00"),  # Christmas Eve late: Boxing Day Saturday
        ("2026-12-26 18:30", "2026-12-29 18:00"),  # past 27th (Sunday) and 28th (holiday)
        ("2026-12-25 09:30", "2026-12-26 18:00"),  # on Christmas Day itself
        ("2026-04-02 19:00", "2026-04-04 18:00"),  # Thursday before Good Friday: Saturday
        ("2026-03-29 01:30", "2026-03-30 18:00"),  # the night the clocks go forward (Sunday)
        ("2026-10-25 01:30", "2026-10-26 18:00"),  # the ambiguous hour when they go back
    ],
)
def test_close_of_service_day_for(received, due_local):
    due = VICTIM.close_of_service_day_for(local(received))
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime.fromisoformat(due_local)


@pytest.mark.parametrize(
    "at,expected",
    [
        ("2026-11-23 08:00", "2026-11-23 09:00"),
        ("2026-11-23 12:00", "2026-11-23 12:00"),
        ("2026-11-23 18:00", "2026-11-24 09:00"),
        ("2026-11-21 18:30", "2026-11-23 09:00"),
        ("2026-12-24 19:00", "2026-12-26 09:00"),
    ],
)
def test_next_service_moment(at, expected):
    moment = VICTIM.next_service_moment(local(at))
    assert moment.astimezone(LONDON).replace(tzinfo=None) == datetime.fromisoformat(expected)


@pytest.mark.parametrize(
    "received,hours,expected",
    [
        ("2026-11-23 10:00", 4, "2026-11-23 14:00"),  # inside one day
        ("2026-11-23 20:00", 4, "2026-11-24 12:00"),  # at close: from 08:00 next day
        ("2026-11-20 19:00", 4, "2026-11-23 11:00"),  # one hour left on Friday, three on Monday
        ("2026-11-20 18:00", 4, "2026-11-23 10:00"),  # two hours left on Friday, two on Monday
        ("2026-12-24 19:00", 4, "2026-12-29 11:00"),  # over Christmas to Tuesday 29th
        ("2026-03-27 18:00", 4, "2026-03-30 10:00"),  # over the clock change
    ],
)
def test_hsb_line_service_hours(received, hours, expected):
    due = HSB.add_service_hours(local(received), timedelta(hours=hours))
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime.fromisoformat(expected)


def test_service_hours_between_counts_only_open_time():
    start, end = local("2026-11-20 18:00"), local("2026-11-23 10:00")
    assert HSB.service_hours_between(start, end) == timedelta(hours=4)
    assert HSB.service_hours_between(end, start) == timedelta(0)


def test_published_list_is_read_offline_and_computed_dates_match_it():
    published, last_year = published_bank_holidays()
    assert last_year >= 2027
    for year in range(2013, last_year + 1):
        in_year = {d for d in published if d.year == year}
        computed = computed_england_and_wales(year)
        # Published lists add one-off holidays (jubilees, coronations, a funeral) and moved
        # May Days; the computed rules must never invent a holiday the list does not have.
        assert computed - in_year <= {d for d in computed if d.month == 5}, year


def test_past_the_published_list_computed_dates_are_used_with_a_warning(caplog):
    calendar = Calendar()
    _, last_year = published_bank_holidays()
    year = next(y for y in range(last_year + 1, last_year + 10) if date(y, 12, 25).weekday() < 5)
    assert calendar.is_bank_holiday(date(year, 12, 25))
    assert not calendar.is_working_day(date(year, 12, 25))
    assert not calendar.is_bank_holiday(date(year, 11, 3))
    assert "not published" in caplog.text


def test_parse_service_hours_setting():
    hours = parse_service_hours("mon=09:00-18:00, wed=09:00-20:00")
    assert hours.by_weekday == {0: (time(9), time(18)), 2: (time(9), time(20))}
    with pytest.raises(ValueError, match="closes before it opens"):
        parse_service_hours("mon=18:00-09:00")
    with pytest.raises(ValueError, match="cannot read"):
        parse_service_hours("monday 9 to 5")


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 1), timezones=st.just(LONDON)
)


@given(moments)
def test_close_of_service_day_is_never_before_receipt_and_falls_on_a_service_day(moment):
    due = VICTIM.close_of_service_day_for(moment)
    assert due > moment
    assert VICTIM.is_service_day(VICTIM.local_date(due))


@given(moments, st.integers(min_value=0, max_value=30))
def test_service_hours_round_trip(moment, hours):
    due = HSB.add_service_hours(moment, timedelta(hours=hours))
    assert due >= moment
    assert HSB.service_hours_between(moment, due) == timedelta(hours=hours)
