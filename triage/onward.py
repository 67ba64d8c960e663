"""Onward referrals' rules, pure (DESIGN.md D7 and D11; Lot 2 sections 3.1 and 7).

When the target-hardening contractor must attend, when its 12-month follow-up is due, when an
onward referral with no outcome is followed up, whether an emergency call time is one the
referring service could have made, and money typed in pounds and pence. Rules take moments,
dates and an injected calendar; they never query or read a clock.
"""

from __future__ import annotations

import calendar as months
import re
from datetime import UTC, date, datetime, time, timedelta

from triage.deadlines import DueObligation
from triage.plans import close_of_day_or_next_service_day

# D7: the contractor agrees a date and attends within 5 working days of the referral; an
# emergency referral is attended within 4 clock hours; the satisfaction follow-up is 12 months
# after completion.
TH_WORKING_DAYS = 5
TH_EMERGENCY_HOURS = 4
TH_FOLLOW_UP_MONTHS = 12
# D11: an onward referral sent with no outcome is followed up at the close of the 10th working
# day after sending.
ONWARD_FOLLOW_UP_WORKING_DAYS = 10
# Lot 2 3.1: the referring services (and so emergency phone referrals) are open 8am-8pm
# Monday to Saturday.
REFERRING_OPEN, REFERRING_CLOSE = time(8), time(20)
# The most one property's items can cost, as a sanity bound on typing (the whole annual fund).
MAX_PENCE = 90_000 * 100


def th_attendance_due(made_at: datetime, urgency: str, calendar) -> DueObligation:
    """D7: a standard referral is attended by the close of the 5th working day after the day it
    was made (that day never counted); an emergency one within 4 clock hours of the call."""
    if urgency == "emergency":
        # Real elapsed hours: summed in UTC, since aware arithmetic in a local zone adds wall
        # clock hours and a clock change would stretch or shrink the 4 hours.
        due = made_at.astimezone(UTC) + timedelta(hours=TH_EMERGENCY_HOURS)
        return DueObligation("th_attendance", "contractor", due)
    day = calendar.add_working_days(calendar.local_date(made_at), TH_WORKING_DAYS)
    return DueObligation("th_attendance", "contractor", calendar.close_of(day))


def th_follow_up_due(completed_on: date, calendar) -> DueObligation:
    """D7: the 12-month follow-up, at the close of the same day a year after completion (28
    February for 29 February), or of the next service day when the service is closed then."""
    day = anniversary(completed_on, TH_FOLLOW_UP_MONTHS // 12)
    return DueObligation("th_follow_up", "staff", close_of_day_or_next_service_day(day, calendar))


def anniversary(day: date, years: int = 1) -> date:
    """The same day ``years`` later; 28 February for 29 February in a year without one. (Not
    twelve steps of a month: 31 January would drift to the 28th.)"""
    year = day.year + years
    return date(year, day.month, min(day.day, months.monthrange(year, day.month)[1]))


def onward_follow_up_due(sent_at: datetime, calendar) -> DueObligation:
    """D11: the close of the 10th working day after the day the referral was sent."""
    day = calendar.add_working_days(calendar.local_date(sent_at), ONWARD_FOLLOW_UP_WORKING_DAYS)
    return DueObligation("onward_follow_up", "staff", calendar.close_of(day))


def referring_service_open(moment: datetime, calendar) -> bool:
    """Whether an emergency call at ``moment`` falls in the referring services' hours: 08:00 to
    20:00 UK time, Monday to Saturday (Lot 2 3.1)."""
    local = moment.astimezone(calendar.tz)
    return local.weekday() < 6 and REFERRING_OPEN <= local.time() < REFERRING_CLOSE


# ASCII digits only: \d would take other scripts' digits, which int() accepts.
# A space after the pound sign is how some people type it ("£ 1,000").
_POUNDS = re.compile(r"(?:£ ?)?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{2}))?")
# Longer than any amount up to MAX_PENCE could be written ("£90,000.00" is 10).
_MAX_TYPED = 20


def pounds_to_pence(text: str) -> int:
    """Money typed in pounds and pence ("£1,234.50", "75", "75.5" is refused) as whole pence,
    never through a float. ValueError with a message a person can act on."""
    cleaned = (text or "").strip()
    if len(cleaned) > _MAX_TYPED:
        raise ValueError(f"Enter an amount no more than £{MAX_PENCE // 100:,}")
    match = _POUNDS.fullmatch(cleaned)
    if not match:
        raise ValueError("Enter an amount in pounds and pence, like 125.50")
    pence = int(match.group(1).replace(",", "")) * 100 + int(match.group(2) or 0)
    if pence > MAX_PENCE:
        raise ValueError(f"Enter an amount no more than £{MAX_PENCE // 100:,}")
    return pence


def pence_to_pounds(pence: int | None) -> str:
    """Whole pence as "£1,234.50", an overspend as "-£12.34" (empty when not known)."""
    if pence is None:
        return ""
    sign, pence = ("-", -pence) if pence < 0 else ("", pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"
