"""The support plan's rules, pure (DESIGN.md D10; spec 3.8 and 10).

When a plan falls due for review, when a review that prompts a reassessment brings the
reassessment forward to, which actions are overdue, and when a case needs a plan for reducing
support. Rules take dates, settings and an injected calendar; they never query or read a clock.
"""

from __future__ import annotations

import calendar as months
from datetime import date, datetime, timedelta

from triage.deadlines import DueObligation

# The team setting's bounds: a review at least weekly, at most every 13 weeks.
REVIEW_DAYS_MIN, REVIEW_DAYS_MAX = 7, 91
# A review that prompts a reassessment brings it forward to the close of this working day.
REASSESSMENT_WORKING_DAYS = 5
OPEN_STATUSES = ("to_do", "in_progress")


def review_days_problem(value) -> str | None:
    """Why ``value`` is not a plan review interval (whole days, 7 to 91), or None when it is."""
    message = f"Enter a whole number of days from {REVIEW_DAYS_MIN} to {REVIEW_DAYS_MAX}"
    if isinstance(value, bool):
        return message
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 3):
        return message
    return None if REVIEW_DAYS_MIN <= int(text) <= REVIEW_DAYS_MAX else message


def close_of_day_or_next_service_day(day: date, calendar) -> datetime:
    """The close of ``day`` when the service is open that day, else of the next service day."""
    if calendar.is_service_day(day):
        return calendar.close_of(day)
    return calendar.close_of(calendar.next_service_day(day))


def plan_review_due(
    start: date, every_days: int, calendar, *, after: datetime | None = None
) -> DueObligation:
    """The plan's next review (D10): ``every_days`` after ``start`` (the day the plan was made or
    last reviewed), due at the close of that day per the victim service's calendar, or of the next
    service day when it is closed. With ``after`` (a reopened case), the first review of that
    cycle falling due after it, so a review long past is not owed at once."""
    day = start + timedelta(days=every_days)
    due = close_of_day_or_next_service_day(day, calendar)
    while after is not None and due <= after:
        day += timedelta(days=every_days)
        due = close_of_day_or_next_service_day(day, calendar)
    return DueObligation("plan_review", "staff", due)


def reassessment_after_review(reviewed_on: date, calendar) -> DueObligation:
    """A review that prompts a reassessment (D6 brought forward): due at the close of the 5th
    working day after the review."""
    day = calendar.add_working_days(reviewed_on, REASSESSMENT_WORKING_DAYS)
    return DueObligation("reassessment", "appointment", calendar.close_of(day))


def action_overdue(status: str, due_on: date | None, today: date) -> bool:
    """An open action (to do or in progress) whose due date has passed (before ``today``,
    Europe/London)."""
    return status in OPEN_STATUSES and due_on is not None and due_on < today


def add_month(day: date) -> date:
    """The same day a calendar month later; the month's last day when it has no such day
    (31 January to 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


def resilience_plan_due(opened_on: date, today: date) -> bool:
    """A case open more than a month (spec 10): ``today`` is after the day a calendar month from
    the day it opened (Europe/London dates), so its plan for reducing support is due."""
    return today > add_month(opened_on)


def last_opening_day_due(today: date) -> date:
    """The latest opening day of a case whose plan for reducing support is due ``today``: every
    case opened on or before it is due (``add_month`` never decreases), every later one is not."""
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    day = date(year, month, min(today.day, months.monthrange(year, month)[1]))
    while resilience_plan_due(day + timedelta(days=1), today):
        day += timedelta(days=1)
    while not resilience_plan_due(day, today):
        day -= timedelta(days=1)
    return day
