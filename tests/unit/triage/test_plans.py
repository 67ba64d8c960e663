"""The support plan's rules: when a review falls due (D10) at bank holidays, weekends, the
Wednesday late close and clock changes; a reassessment brought forward; overdue actions; the
review interval setting; and when a plan for reducing support is due (spec 10)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.calendar import Calendar
from triage.plans import (
    action_overdue,
    add_month,
    last_opening_day_due,
    plan_review_due,
    reassessment_after_review,
    resilience_plan_due,
    review_days_problem,
)

LONDON = ZoneInfo("Europe/London")
CAL = Calendar()


def wall(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    "start,days,due",
    [
        (date(2026, 11, 2), 28, "2026-11-30 18:00"),  # a Monday: its close
        (date(2026, 11, 4), 28, "2026-12-02 20:00"),  # a Wednesday: the late close
        (date(2026, 11, 7), 28, "2026-12-05 18:00"),  # a Saturday is a service day
        (date(2026, 11, 1), 28, "2026-11-30 18:00"),  # a Sunday: the next service day
        (date(2026, 11, 30), 28, "2026-12-29 18:00"),  # Mon 28 Dec 2026, the Boxing Day holiday
        (date(2026, 11, 27), 28, "2026-12-26 18:00"),  # Sat 26 Dec 2026 is a service day
        (date(2026, 3, 9), 28, "2026-04-07 18:00"),  # Easter Monday: the Tuesday
        (date(2026, 3, 2), 28, "2026-03-30 18:00"),  # the day after the clocks go forward
        (date(2026, 3, 1), 28, "2026-03-30 18:00"),  # Sunday 29 March, clocks forward: Monday
        (date(2026, 9, 27), 28, "2026-10-26 18:00"),  # Sunday 25 October, clocks back: Monday
        (date(2026, 11, 2), 7, "2026-11-09 18:00"),
        (date(2026, 11, 2), 91, "2027-02-01 18:00"),
    ],
)
def test_plan_review_is_due_at_the_close_of_the_day_or_the_next_service_day(start, days, due):
    found = plan_review_due(start, days, CAL)
    assert found.kind == "plan_review"
    assert wall(found.due_at) == due


def test_plan_review_due_at_a_bst_close_is_17_00_utc():
    found = plan_review_due(date(2026, 3, 2), 28, CAL)
    assert found.due_at.astimezone(ZoneInfo("UTC")).hour == 17


def test_a_reopened_plan_review_is_the_first_of_its_cycle_after_now():
    after = datetime(2026, 3, 10, 12, tzinfo=LONDON)
    found = plan_review_due(date(2026, 1, 5), 28, CAL, after=after)
    assert wall(found.due_at) == "2026-03-30 18:00"  # 2 Feb, 2 Mar passed; 30 Mar next


@pytest.mark.parametrize(
    "reviewed_on,due",
    [
        (date(2026, 12, 24), "2027-01-05 18:00"),  # Christmas, Boxing Day and New Year holidays
        (date(2026, 11, 20), "2026-11-27 18:00"),  # a Friday: the weekend is not counted
        (date(2026, 11, 23), "2026-11-30 18:00"),
        (date(2026, 10, 21), "2026-10-28 20:00"),  # to a Wednesday: its late close
    ],
)
def test_a_review_that_prompts_a_reassessment_brings_it_to_5_working_days(reviewed_on, due):
    found = reassessment_after_review(reviewed_on, CAL)
    assert found.kind == "reassessment"
    assert wall(found.due_at) == due


@pytest.mark.parametrize(
    "status,due_on,overdue",
    [
        ("to_do", date(2026, 11, 22), True),
        ("in_progress", date(2026, 11, 22), True),
        ("to_do", date(2026, 11, 23), False),  # due today is not yet overdue
        ("done", date(2026, 11, 1), False),
        ("not_needed", date(2026, 11, 1), False),
    ],
)
def test_only_open_actions_past_their_due_date_are_overdue(status, due_on, overdue):
    assert action_overdue(status, due_on, date(2026, 11, 23)) is overdue


@pytest.mark.parametrize("value", ["7", "28", "91", " 14 ", 7, 91])
def test_review_interval_accepts_whole_days_from_7_to_91(value):
    assert review_days_problem(value) is None


@pytest.mark.parametrize("value", ["6", "92", "7.5", "", None, "abc", "١٢", "-7", True, "0028"])
def test_review_interval_refuses_anything_else(value):
    assert review_days_problem(value) is not None


@pytest.mark.parametrize(
    "day,later",
    [
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 3, 31), date(2026, 4, 30)),
    ],
)
def test_a_calendar_month_later_keeps_the_day_or_the_months_last(day, later):
    assert add_month(day) == later


def test_a_resilience_plan_is_due_once_a_case_is_open_more_than_a_month():
    opened = date(2026, 11, 20)
    assert not resilience_plan_due(opened, date(2026, 12, 20))
    assert resilience_plan_due(opened, date(2026, 12, 21))


def test_the_last_opening_day_due_agrees_with_the_rule_every_day_for_two_years():
    today = date(2026, 1, 1)
    while today < date(2028, 1, 1):
        last = last_opening_day_due(today)
        for offset in range(-3, 4):
            day = last + timedelta(days=offset)
            assert resilience_plan_due(day, today) is (day <= last), (today, day)
        today += timedelta(days=1)
