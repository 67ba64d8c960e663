"""The HSB advice line's rules (DESIGN.md HSB advice line triage, D8, D12): pure functions of
plain values and an injected calendar; no clock, no database.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from triage.deadlines import DueObligation

CALLBACK_HOURS = timedelta(hours=4)
FEEDBACK_FOLLOW_UP_WORKING_DAYS = 2
# A satisfaction answer at or below this (SATISFACTION: 2 dissatisfied, 1 very dissatisfied)
# is negative feedback.
DISSATISFIED = 2


class LineCalendar(Protocol):
    """What these rules need of the HSB line's calendar (scheduling.calendar.Calendar)."""

    def is_open_at(self, moment: datetime) -> bool: ...
    def add_service_hours(self, moment: datetime, amount: timedelta) -> datetime: ...
    def add_working_days(self, day: date, count: int) -> date: ...
    def close_of(self, day: date) -> datetime: ...
    def local_date(self, moment: datetime) -> date: ...


def needs_callback(channel: str, call_outcome: str | None, out_of_hours: bool) -> bool:
    """D8: a missed call, a voicemail, or any contact outside opening hours is called back. So
    is a call whose outcome is not known yet (still ringing, or its outcome never reported):
    the clock runs from receipt until the telephony provider reports it answered."""
    if out_of_hours:
        return True
    return channel == "telephone" and call_outcome in (None, "missed", "voicemail")


def callback_due(received_at: datetime, calendar: LineCalendar) -> DueObligation:
    """D8: four of the line's open hours after receipt (received out of hours: four hours
    after it next opens)."""
    return DueObligation(
        "callback", "telephone", calendar.add_service_hours(received_at, CALLBACK_HOURS)
    )


def feedback_follow_up_due(arrived_at: datetime, calendar: LineCalendar) -> DueObligation:
    """D12: negative feedback is followed up by close of the 2nd working day after it arrives
    (the day it arrives never counts)."""
    day = calendar.add_working_days(
        calendar.local_date(arrived_at), FEEDBACK_FOLLOW_UP_WORKING_DAYS
    )
    return DueObligation("feedback_follow_up", "telephone", calendar.close_of(day))


def prompts_referral(
    traffic_light: str | None, continuum: str | None, risk_of_significant_harm: bool | None
) -> bool:
    """Red on the traffic light, or abusive or violent on the continuum with a risk of
    significant harm: the advisor is prompted to advise a referral to children's social care or
    the police, and must record what was advised."""
    if traffic_light == "red":
        return True
    return continuum in ("abusive", "violent") and bool(risk_of_significant_harm)


def is_negative_feedback(
    satisfaction: int | None,
    before: tuple[int | None, int | None],
    after: tuple[int | None, int | None],
) -> bool:
    """Dissatisfied or worse, or confidence lower after the advice than before on any question
    answered both times."""
    if satisfaction is not None and satisfaction <= DISSATISFIED:
        return True
    return any(
        b is not None and a is not None and a < b for b, a in zip(before, after, strict=True)
    )


def previous_working_day(day: date, calendar) -> date:
    """The working day before ``day`` (a follow-up session's reminder goes then)."""
    current = day - timedelta(days=1)
    while not calendar.is_working_day(current):
        current -= timedelta(days=1)
    return current
