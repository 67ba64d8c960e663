"""Contact obligations and when they fall due (DESIGN.md D1-D3; spec 3.7).

Rules take the receipt moment and a calendar (injected), and return obligations; they never
read a clock, query or send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from triage.enhanced import ENHANCED

PHONE_METHODS = {
    "HOME_PHONE": "home_phone",
    "MOBILE_PHONE": "mobile_phone",
    "WORK_PHONE": "work_phone",
}
MESSAGE_METHODS = {"EMAIL": "email", "POST": "post", "SMS": "sms"}
CONTACT_METHODS = (*PHONE_METHODS, *MESSAGE_METHODS, "IN_PERSON")


class ServiceCalendar(Protocol):
    """What the deadline rules need of a calendar (scheduling.calendar.Calendar provides it)."""

    def close_of_service_day_for(self, moment: datetime) -> datetime: ...
    def add_working_days(self, day: date, count: int) -> date: ...
    def close_of(self, day: date) -> datetime: ...
    def local_date(self, moment: datetime) -> date: ...


@dataclass(frozen=True)
class DueObligation:
    """Something the service must do for a referral, by ``due_at``."""

    kind: str
    channel: str
    due_at: datetime


def phone_contact_due(received_at: datetime, band: str) -> datetime:
    """Telephone contact within 48 clock hours, or 24 when enhanced (D1; spec 3.7).

    Real elapsed hours: the sum is done in UTC, so a clock change does not stretch it.
    """
    return received_at.astimezone(UTC) + timedelta(hours=24 if band == ENHANCED else 48)


def initial_obligations(
    contact_method: str,
    band: str,
    received_at: datetime,
    calendar: ServiceCalendar,
    *,
    has_mobile: bool = False,
) -> list[DueObligation]:
    """The obligations a new referral creates from the contact method the victim chose.

    D1 telephone: first call. D2 post, email or SMS: the initial message by close of the
    receipt day (or the next service day). D3 in person: a home-visit offer on the same
    terms, by SMS when there is a mobile number or else by letter, and the visit itself by
    close of the 5th working day after receipt.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    if contact_method in PHONE_METHODS:
        return [
            DueObligation(
                "phone_contact", PHONE_METHODS[contact_method], phone_contact_due(received_at, band)
            )
        ]
    same_day = calendar.close_of_service_day_for(received_at)
    if contact_method in MESSAGE_METHODS:
        return [DueObligation("initial_message", MESSAGE_METHODS[contact_method], same_day)]
    if contact_method == "IN_PERSON":
        visit_day = calendar.add_working_days(calendar.local_date(received_at), 5)
        return [
            DueObligation("home_visit_offer", "sms" if has_mobile else "post", same_day),
            DueObligation("home_visit", "in_person", calendar.close_of(visit_day)),
        ]
    raise ValueError(f"unknown contact method {contact_method!r}")


def webchat_slots(
    submitted_at: datetime,
    calendar,
    *,
    step: timedelta = timedelta(minutes=30),
    length: timedelta = timedelta(minutes=30),
) -> list[datetime]:
    """Secure web chat slots a self-referral may book (D5; spec 3.6).

    Only inside service hours, starting from one hour after submission, up to close of the
    5th working day after submission; each slot ends by the close of its day.
    """
    earliest = submitted_at.astimezone(UTC) + timedelta(hours=1)
    last_day = calendar.add_working_days(calendar.local_date(submitted_at), 5)
    slots = []
    day = calendar.local_date(submitted_at)
    while day <= last_day:
        if calendar.is_service_day(day):
            moment, close = calendar.opening_of(day), calendar.close_of(day)
            while moment + length <= close:
                if moment >= earliest:
                    slots.append(moment)
                moment += step
        day += timedelta(days=1)
    return slots
