"""D6: a reassessment falls due 182 days after the last assessment, at the close of that day or
of the next service day; and who is offered the children and young people's version."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduling.calendar import Calendar
from triage.reassessment import REASSESSMENT_DAYS, reassessment_due, young_person_version

LONDON = ZoneInfo("Europe/London")
CAL = Calendar()


def wall(moment):
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %a %H:%M")


@pytest.mark.parametrize(
    "last_held,due",
    [
        (date(2026, 6, 29), "2026-12-29 Tue 18:00"),  # Mon 28 Dec: substitute bank holiday
        (date(2026, 6, 26), "2026-12-26 Sat 18:00"),  # Christmas Day: Boxing Day Saturday opens
        (date(2026, 6, 27), "2026-12-26 Sat 18:00"),  # a Saturday is a service day
        (date(2026, 11, 2), "2027-05-04 Tue 18:00"),  # early May bank holiday: Tuesday
        (date(2026, 5, 24), "2026-11-23 Mon 18:00"),  # a Sunday: Monday
        (date(2026, 5, 27), "2026-11-25 Wed 20:00"),  # Wednesday late opening
        (date(2026, 9, 27), "2027-03-30 Tue 18:00"),  # clocks forward on Easter Sunday: Tuesday
        (date(2026, 4, 26), "2026-10-26 Mon 18:00"),  # Sunday the clocks go back: Monday GMT
    ],
)
def test_reassessment_is_due_at_the_close_of_the_182nd_day_or_the_next_service_day(last_held, due):
    assert wall(reassessment_due(last_held, CAL)) == due


def test_a_clock_change_moves_the_close_in_utc_not_on_the_wall():
    assert reassessment_due(date(2026, 9, 28), CAL) == datetime(2027, 3, 30, 17, tzinfo=UTC)
    assert reassessment_due(date(2026, 4, 27), CAL) == datetime(2026, 10, 26, 18, tzinfo=UTC)


def test_six_months_is_182_days():
    assert REASSESSMENT_DAYS == 182


@pytest.mark.parametrize(
    "age,young", [(None, False), (0, True), (12, True), (17, True), (18, False), (40, False)]
)
def test_under_18_on_the_day_gets_the_young_persons_version(age, young):
    assert young_person_version(age) is young


def test_a_case_reopened_after_its_reassessment_day_has_five_working_days_not_a_breach():
    calendar = CAL
    held = date(2026, 5, 1)
    # Still to come when reopened: the 182-day date stands.
    assert reassessment_due(held, calendar, reopened_on=date(2026, 6, 1)) == reassessment_due(
        held, calendar
    )
    # Passed (due 30 October): five working days from Friday 20 November, Friday 27th 18:00.
    assert reassessment_due(held, calendar, reopened_on=date(2026, 11, 20)) == datetime(
        2026, 11, 27, 18, tzinfo=UTC
    )
