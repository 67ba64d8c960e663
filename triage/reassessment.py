"""When a reassessment falls due, and which version of the assessment a person is offered
(DESIGN.md D6 and Needs assessment; spec 3.9).

Pure: a date and a calendar in, a moment out. The calendar is injected
(scheduling.calendar.Calendar provides what ServiceDays asks for).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

# D6: a case still open six months after its last assessment is reassessed.
REASSESSMENT_DAYS = 182
# A reopened case whose reassessment day has passed has this many working days to hold it.
REOPENED_WORKING_DAYS = 5
# The children and young people's version is for someone under 18 on the day.
ADULT_AGE = 18


class ServiceDays(Protocol):
    """What the reassessment rule needs of a calendar."""

    def is_service_day(self, day: date) -> bool: ...
    def next_service_day(self, day: date) -> date: ...
    def close_of(self, day: date) -> datetime: ...
    def add_working_days(self, day: date, count: int) -> date: ...


def reassessment_due(
    last_held_on: date, calendar: ServiceDays, *, reopened_on: date | None = None
) -> datetime:
    """D6: the close of the day 182 days after the last complete assessment was held, or of
    the next service day when that day is not one (a Sunday or a bank holiday). Returned in
    UTC; the close is 18:00 (20:00 on a Wednesday) UK time, whatever the clocks are doing.

    A case reopened when that day has passed is not in breach the moment it reopens: its
    reassessment is due at the close of the 5th working day after ``reopened_on`` (the time a
    first needs assessment is given, D4)."""
    day = last_held_on + timedelta(days=REASSESSMENT_DAYS)
    if not calendar.is_service_day(day):
        day = calendar.next_service_day(day)
    if reopened_on is not None and day <= reopened_on:
        day = calendar.add_working_days(reopened_on, REOPENED_WORKING_DAYS)
    return calendar.close_of(day)


def young_person_version(age: int | None) -> bool:
    """Whether the children and young people's version is the one offered: for someone under
    18 on the day; an adult, or someone whose age is not known, gets the adult version."""
    return age is not None and age < ADULT_AGE
