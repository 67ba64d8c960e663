"""Onward referrals' rules as tables (DESIGN.md D7, D11; Lot 2 3.1): the target-hardening
visit's due time at weekends, Christmas, Easter, the late-May bank holiday and both clock
changes; an emergency's 4 real hours; the 12-month follow-up; the D11 follow-up; the referring
services' hours; and money typed in pounds and pence. Due times are read on the wall clock in
Europe/London, with the service's real calendar (GOV.UK's bank holidays)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from config import Config
from scheduling.service_calendars import victim_calendar
from triage.onward import (
    anniversary,
    onward_follow_up_due,
    pence_to_pounds,
    pounds_to_pence,
    referring_service_open,
    th_attendance_due,
    th_follow_up_due,
)

LONDON = ZoneInfo("Europe/London")
CAL = victim_calendar(
    {
        "VICTIM_SERVICE_HOURS": Config.VICTIM_SERVICE_HOURS,
        "BANK_HOLIDAY_REGION": Config.BANK_HOLIDAY_REGION,
    }
)


def uk(year, month, day, hour=10, minute=0) -> datetime:
    """A moment given on the UK wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def wall(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%a %Y-%m-%d %H:%M")


# --- D7: the contractor's visit, standard referrals ------------------------------------------


@pytest.mark.parametrize(
    "made,due",
    [
        (uk(2026, 11, 20), "Fri 2026-11-27 18:00"),  # a Friday: the next five weekdays
        (uk(2026, 11, 20, 19, 30), "Fri 2026-11-27 18:00"),  # after close: still that day
        (uk(2026, 11, 21), "Fri 2026-11-27 18:00"),  # a Saturday is not a working day
        (uk(2026, 11, 22), "Fri 2026-11-27 18:00"),  # nor a Sunday
        (uk(2026, 11, 23), "Mon 2026-11-30 18:00"),  # a Monday: the day made never counts
        (uk(2026, 11, 25), "Wed 2026-12-02 20:00"),  # due on a Wednesday: the late close
        # The day before Christmas 2026: Fri 25 Dec, Mon 28 Dec (for Boxing Day, a Saturday)
        # and Fri 1 Jan are bank holidays.
        (uk(2026, 12, 23), "Mon 2027-01-04 18:00"),
        (uk(2026, 12, 24), "Tue 2027-01-05 18:00"),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March, and the clocks go
        # forward on Sunday 28 March between them.
        (uk(2027, 3, 22), "Wed 2027-03-31 20:00"),
        (uk(2027, 3, 25), "Mon 2027-04-05 18:00"),
        (uk(2027, 3, 27), "Mon 2027-04-05 18:00"),
        # The late-May bank holiday, Monday 31 May 2027.
        (uk(2027, 5, 28), "Mon 2027-06-07 18:00"),
        # The clocks go back on Sunday 25 October 2026: 00:30 on Friday in BST is still
        # Thursday in UTC, and the Friday is the day made.
        (datetime(2026, 10, 22, 23, 30, tzinfo=UTC), "Fri 2026-10-30 18:00"),
        (uk(2026, 10, 24, 23, 30), "Fri 2026-10-30 18:00"),
        (uk(2026, 10, 25, 1, 30), "Fri 2026-10-30 18:00"),  # the hour that happens twice
    ],
)
def test_a_standard_referral_is_attended_by_the_close_of_the_fifth_working_day(made, due):
    found = th_attendance_due(made, "standard", CAL)
    assert (found.kind, found.channel) == ("th_attendance", "contractor")
    assert wall(found.due_at) == due


@pytest.mark.parametrize(
    "phoned,due",
    [
        (uk(2026, 11, 20, 14), "Fri 2026-11-20 18:00"),
        (uk(2026, 11, 21, 22, 30), "Sun 2026-11-22 02:30"),  # across midnight
        (uk(2026, 12, 24, 21), "Fri 2026-12-25 01:00"),  # a bank holiday makes no difference
        # The clocks go back at 02:00 BST on 25 October 2026: 4 real hours after 00:30 BST is
        # 03:30 GMT, three hours on the wall clock.
        (uk(2026, 10, 25, 0, 30), "Sun 2026-10-25 03:30"),
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), "Sun 2026-10-25 03:30"),
        # They go forward at 01:00 GMT on 28 March 2027: 4 real hours after 00:30 GMT is
        # 05:30 BST, five hours on the wall clock.
        (uk(2027, 3, 28, 0, 30), "Sun 2027-03-28 05:30"),
        (uk(2027, 3, 27, 19, 59), "Sat 2027-03-27 23:59"),
    ],
)
def test_an_emergency_is_attended_within_four_real_hours_of_the_call(phoned, due):
    found = th_attendance_due(phoned, "emergency", CAL)
    assert wall(found.due_at) == due
    assert (found.due_at - phoned).total_seconds() == 4 * 3600


# --- D7: the 12-month follow-up ----------------------------------------------------------------


@pytest.mark.parametrize(
    "completed,due",
    [
        (date(2026, 11, 20), "Sat 2027-11-20 18:00"),  # a Saturday is a service day
        (date(2028, 2, 29), "Wed 2029-02-28 20:00"),  # 29 February: 28 February, a Wednesday
        (date(2027, 1, 31), "Mon 2028-01-31 18:00"),  # not the 28th (no month-by-month drift)
        (date(2026, 8, 31), "Tue 2027-08-31 18:00"),  # (Mon 30 Aug 2027 is a bank holiday)
        (date(2026, 10, 24), "Mon 2027-10-25 18:00"),  # a Sunday: Monday (still BST)
        # Mon 27 and Tue 28 December 2027 are the Christmas bank holidays (25 and 26 fall at
        # the weekend): the next service day is Wednesday, which closes late.
        (date(2026, 12, 27), "Wed 2027-12-29 20:00"),
        (date(2026, 12, 28), "Wed 2027-12-29 20:00"),
        (date(2026, 12, 25), "Sat 2027-12-25 18:00"),  # Christmas Day on a Saturday is open
        (date(2027, 4, 17), "Tue 2028-04-18 18:00"),  # Easter Monday 2028
        # Sunday 28 March 2027, then Easter Monday: the Tuesday, in BST.
        (date(2026, 3, 28), "Tue 2027-03-30 18:00"),
    ],
)
def test_the_follow_up_is_twelve_months_after_completion_on_a_service_day(completed, due):
    found = th_follow_up_due(completed, CAL)
    assert (found.kind, found.channel) == ("th_follow_up", "staff")
    assert wall(found.due_at) == due


def test_an_anniversary_keeps_the_day_of_the_month():
    assert anniversary(date(2028, 2, 29)) == date(2029, 2, 28)
    assert anniversary(date(2027, 1, 31)) == date(2028, 1, 31)
    assert anniversary(date(2028, 2, 29), 4) == date(2032, 2, 29)


# --- D11: an onward referral with no outcome -----------------------------------------------------


@pytest.mark.parametrize(
    "sent,due",
    [
        (uk(2026, 11, 20), "Fri 2026-12-04 18:00"),
        (uk(2026, 11, 21), "Fri 2026-12-04 18:00"),  # Saturday
        (uk(2026, 11, 22), "Fri 2026-12-04 18:00"),  # Sunday
        (uk(2026, 11, 20, 21), "Fri 2026-12-04 18:00"),  # after close on the Friday
        (uk(2026, 12, 24), "Tue 2027-01-12 18:00"),  # Christmas and New Year
        (uk(2027, 3, 25), "Mon 2027-04-12 18:00"),  # Easter 2027, and the clocks forward
        (uk(2027, 3, 22), "Wed 2027-04-07 20:00"),
        (uk(2027, 5, 28), "Mon 2027-06-14 18:00"),  # the late-May bank holiday
        (datetime(2026, 10, 22, 23, 30, tzinfo=UTC), "Fri 2026-11-06 18:00"),  # BST Friday
    ],
)
def test_an_onward_referral_is_followed_up_at_the_close_of_the_tenth_working_day(sent, due):
    found = onward_follow_up_due(sent, CAL)
    assert (found.kind, found.channel) == ("onward_follow_up", "staff")
    assert wall(found.due_at) == due


# --- the referring services' hours (emergency calls) -----------------------------------------


@pytest.mark.parametrize(
    "moment,open_",
    [
        (uk(2026, 11, 23, 7, 59), False),
        (uk(2026, 11, 23, 8, 0), True),
        (uk(2026, 11, 23, 19, 59), True),
        (uk(2026, 11, 23, 20, 0), False),
        (uk(2026, 11, 21, 12), True),  # Saturday
        (uk(2026, 11, 21, 20), False),
        (uk(2026, 11, 22, 12), False),  # Sunday
        # In BST the hours are on the UK clock, not UTC.
        (datetime(2026, 6, 1, 6, 59, tzinfo=UTC), False),  # 07:59 BST
        (datetime(2026, 6, 1, 7, 0, tzinfo=UTC), True),  # 08:00 BST
        (datetime(2026, 6, 1, 18, 59, tzinfo=UTC), True),  # 19:59 BST
        (datetime(2026, 6, 1, 19, 0, tzinfo=UTC), False),  # 20:00 BST
        (datetime(2026, 11, 23, 19, 30, tzinfo=UTC), True),  # 19:30 GMT
        # Lot 2 3.1 says Monday to Saturday, with nothing about bank holidays.
        (uk(2026, 12, 28, 12), True),
    ],
)
def test_the_referring_services_are_open_eight_to_eight_monday_to_saturday(moment, open_):
    assert referring_service_open(moment, CAL) is open_


# --- money ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,pence",
    [
        ("£1,234.50", 123_450),
        ("1234.50", 123_450),
        ("75", 7_500),
        ("£75", 7_500),
        ("£ 1,000", 100_000),
        ("0.00", 0),
        ("0.05", 5),
        ("  125.50 ", 12_550),
        ("£90,000.00", 9_000_000),
        ("007", 700),
    ],
)
def test_pounds_and_pence_become_whole_pence(typed, pence):
    assert pounds_to_pence(typed) == pence
    assert isinstance(pounds_to_pence(typed), int)


@pytest.mark.parametrize(
    "typed",
    [
        "75.5",
        "75.505",
        "1,23",
        "12,34.00",
        "-5",
        "£-5.00",
        "90000.01",
        "1,000,000",
        "9" * 5000,  # longer than int() reads from text
        "1e3",
        "1E3",
        "nan",
        "inf",
        "١٢",  # Arabic-Indic digits
        "12 34",
        "",
        "   ",
        "£",
        "£ ",
        "£  12",
        ".50",
        "12.",
        "$12.00",
        None,
    ],
)
def test_anything_else_is_refused_with_words_a_person_can_act_on(typed):
    with pytest.raises(ValueError) as refused:
        pounds_to_pence(typed)
    assert str(refused.value).startswith("Enter an amount")


def test_pence_are_shown_as_pounds():
    assert pence_to_pounds(123_450) == "£1,234.50"
    assert pence_to_pounds(5) == "£0.05"
    assert pence_to_pounds(0) == "£0.00"
    assert pence_to_pounds(None) == ""
    # An overspend (the funding left can go below nothing) keeps its pence right.
    assert pence_to_pounds(-50) == "-£0.50"
    assert pence_to_pounds(-12_345) == "-£123.45"
