"""Service days, working days, bank holidays and service-hours sums (DESIGN.md Deadline rules).

Pure: no Flask, no database. Moments go in and come out timezone-aware; the calendar thinks in
the service's local time (Europe/London), so a deadline at "close" is 18:00 on the clock on the
wall in winter and in summer alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

log = logging.getLogger("waypoint.calendar")

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class ServiceHours:
    """Opening and closing time for each weekday (0 = Monday); a missing weekday is closed."""

    by_weekday: dict[int, tuple[time, time]]

    def for_day(self, day: date) -> tuple[time, time] | None:
        return self.by_weekday.get(day.weekday())


# Victim service (spec 3.2): Mon, Tue, Thu, Fri, Sat 09:00-18:00; Wed 09:00-20:00.
VICTIM_SERVICE_HOURS = ServiceHours(
    {d: (time(9), time(20) if d == 2 else time(18)) for d in (0, 1, 2, 3, 4, 5)}
)
# HSB advice line (statement of outcomes): Mon-Fri 08:00-20:00.
HSB_LINE_HOURS = ServiceHours({d: (time(8), time(20)) for d in range(5)})


def parse_service_hours(text: str) -> ServiceHours:
    """Read hours written as ``mon=09:00-18:00,wed=09:00-20:00,...`` (the settings format)."""
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    hours: dict[int, tuple[time, time]] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            day, span = part.split("=")
            start, end = (time.fromisoformat(t) for t in span.split("-"))
            weekday = names.index(day.strip().lower()[:3])
        except ValueError as exc:
            raise ValueError(f"service hours: cannot read {part!r}; use mon=09:00-18:00") from exc
        if end <= start:
            raise ValueError(f"service hours: {part!r} closes before it opens")
        hours[weekday] = (start, end)
    if not hours:
        raise ValueError("service hours: no open days given")
    return ServiceHours(hours)


# --- bank holidays -------------------------------------------------------------------------

REGIONS = ("england-and-wales", "scotland", "northern-ireland")


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def computed_england_and_wales(year: int) -> set[date]:
    """England and Wales bank holidays by the usual rules, for years past the published list.

    Weekend Christmas and Boxing Days move to the next free weekdays; New Year to Monday.
    Special one-off holidays (coronations, jubilees) cannot be computed and are missing.
    """
    easter = _easter(year)
    days = {
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _first_monday(year, 5),
        _last_monday(year, 5),
        _last_monday(year, 8),
    }
    new_year = date(year, 1, 1)
    days.add(new_year + timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0)))
    taken = set(days)
    for christmas_day in (date(year, 12, 25), date(year, 12, 26)):
        moved = christmas_day
        while moved.weekday() >= 5 or moved in taken:
            moved += timedelta(days=1)
        taken.add(moved)
        days.add(moved)
    return days


@lru_cache(maxsize=8)
def published_bank_holidays(region: str = "england-and-wales") -> tuple[frozenset[date], int]:
    """GOV.UK's published bank holidays for ``region`` from the package's bundled copy (offline).

    Returns the dates and the last year the list covers.
    """
    from govuk_bank_holidays.bank_holidays import BankHolidays

    if region not in REGIONS:
        raise ValueError(f"bank holiday region must be one of {', '.join(REGIONS)}")
    source = BankHolidays(use_cached_holidays=True)
    dates = frozenset(h["date"] for h in source.get_holidays(division=region))
    return dates, max(d.year for d in dates)


@dataclass(frozen=True)
class Calendar:
    """The service calendar: opening hours, bank holidays and the local timezone."""

    hours: ServiceHours = VICTIM_SERVICE_HOURS
    region: str = "england-and-wales"
    tz: ZoneInfo = LONDON
    extra_closures: frozenset[date] = frozenset()
    _warned: set = field(default_factory=set, compare=False, repr=False)

    # -- days --

    def is_bank_holiday(self, day: date) -> bool:
        """A bank holiday as GOV.UK publishes it (the substitute weekday, not the weekend date)."""
        published, last_year = published_bank_holidays(self.region)
        if day.year <= last_year:
            return day in published
        if day.year not in self._warned:
            self._warned.add(day.year)
            log.warning(
                "bank holidays for %s are not published in the bundled list; "
                "using computed dates (update govuk-bank-holidays)",
                day.year,
            )
        if self.region != "england-and-wales":
            return False
        return day in computed_england_and_wales(day.year)

    def is_closed(self, day: date) -> bool:
        return self.is_bank_holiday(day) or day in self.extra_closures

    def is_service_day(self, day: date) -> bool:
        """Open for business: an opening day in the hours, and not a bank holiday."""
        return self.hours.for_day(day) is not None and not self.is_closed(day)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a bank holiday."""
        return day.weekday() < 5 and not self.is_closed(day)

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day``; ``day`` itself is never counted."""
        if count < 1:
            raise ValueError("count must be at least 1")
        current = day
        while count:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count -= 1
        return current

    def next_service_day(self, day: date) -> date:
        """The first service day strictly after ``day``."""
        current = day + timedelta(days=1)
        while not self.is_service_day(current):
            current += timedelta(days=1)
        return current

    # -- moments --

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def _at(self, day: date, clock: time) -> datetime:
        # zoneinfo resolves the local wall time for that date, so BST and GMT are both right.
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)

    def opening_of(self, day: date) -> datetime:
        hours = self.hours.for_day(day)
        if hours is None:
            raise ValueError(f"{day} has no opening hours")
        return self._at(day, hours[0])

    def close_of(self, day: date) -> datetime:
        """Closing time of ``day`` (18:00, or 20:00 on Wednesday) as a UTC moment.

        A working day without service hours (never, with the victim service's hours) closes at
        midnight.
        """
        hours = self.hours.for_day(day)
        if hours is None:
            return self._at(day + timedelta(days=1), time(0))
        return self._at(day, hours[1])

    def is_open_at(self, moment: datetime) -> bool:
        day = self.local_date(moment)
        return self.is_service_day(day) and self.opening_of(day) <= moment < self.close_of(day)

    def close_of_service_day_for(self, moment: datetime) -> datetime:
        """Close of ``moment``'s day if it is a service day and ``moment`` is before its close;
        otherwise close of the next service day (D2)."""
        day = self.local_date(moment)
        if self.is_service_day(day) and moment < self.close_of(day):
            return self.close_of(day)
        return self.close_of(self.next_service_day(day))

    def next_service_moment(self, moment: datetime) -> datetime:
        """``moment`` if the service is open then, otherwise when it next opens."""
        day = self.local_date(moment)
        if self.is_service_day(day):
            if moment < self.opening_of(day):
                return self.opening_of(day)
            if moment < self.close_of(day):
                return moment.astimezone(UTC)
        return self.opening_of(self.next_service_day(day))

    def add_service_hours(self, moment: datetime, amount: timedelta) -> datetime:
        """The moment when ``amount`` of open service time has passed after ``moment`` (D8)."""
        if amount < timedelta(0):
            raise ValueError("amount must not be negative")
        current = self.next_service_moment(moment)
        remaining = amount
        while True:
            close = self.close_of(self.local_date(current))
            available = close - current
            if remaining <= available:
                return current + remaining
            remaining -= available
            current = self.opening_of(self.next_service_day(self.local_date(current)))

    def service_hours_between(self, start: datetime, end: datetime) -> timedelta:
        """How much open service time lies between two moments (zero if ``end`` is earlier)."""
        total = timedelta(0)
        current = self.next_service_moment(start)
        while current < end:
            close = self.close_of(self.local_date(current))
            total += min(close, end) - current
            current = self.opening_of(self.next_service_day(self.local_date(current)))
        return total
