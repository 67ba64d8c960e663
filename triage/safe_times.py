"""When it is safe to contact a person: the windows they gave (DESIGN.md Deadline rules, safe
contact), stored as JSON on the person and the referral.

A window is some days of the week and a time of day, in the service's time zone: "weekdays
09:00 to 12:00". No windows (None or an empty list) means they gave none, so any time inside
service hours will do. Pure: nothing here reads a clock, queries or sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


@dataclass(frozen=True)
class SafeWindow:
    """Days of the week (0 = Monday) and a time of day from ``start`` up to ``end``."""

    days: frozenset[int]
    start: time
    end: time

    def problem(self) -> str | None:
        """Why this window cannot be stored, in words for the person entering it, or None."""
        if not self.days:
            return "Select at least one day when it is safe to contact them"
        if not self.days <= EVERY_DAY:
            return "Select days of the week"
        if self.end <= self.start:
            return "The end of a safe time must be after its start"
        return None

    def describe(self) -> str:
        """In words: "weekdays 09:00 to 12:00", "Saturday and Sunday 10:00 to 16:00"."""
        if self.days == EVERY_DAY:
            days = "any day"
        elif self.days == WEEKDAYS:
            days = "weekdays"
        elif self.days == frozenset({5, 6}):
            days = "weekends"
        else:
            names = [DAY_NAMES[d] for d in sorted(self.days)]
            days = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{days} {self.start:%H:%M} to {self.end:%H:%M}"

    def to_json(self) -> dict:
        return {
            "days": sorted(self.days),
            "start": f"{self.start:%H:%M}",
            "end": f"{self.end:%H:%M}",
        }


def from_json(value) -> tuple[SafeWindow, ...]:
    """The windows stored in a ``safe_windows`` column; anything malformed is left out."""
    windows = []
    for item in value or ():
        try:
            window = SafeWindow(
                days=frozenset(int(d) for d in item["days"]),
                start=time.fromisoformat(item["start"]),
                end=time.fromisoformat(item["end"]),
            )
        except (KeyError, TypeError, ValueError):
            continue
        if window.problem() is None:
            windows.append(window)
    return tuple(windows)


def to_json(windows) -> list[dict] | None:
    """For the ``safe_windows`` column: None when no window was given."""
    return [w.to_json() for w in windows] or None


def describe(windows) -> str:
    """All the windows in words, or that any time will do."""
    if not windows:
        return "Any time in service hours"
    return "; ".join(w.describe() for w in windows)


def outside_windows(moment: datetime, windows, tz) -> bool:
    """Whether ``moment`` falls outside every one of the person's safe windows (local time);
    False when they gave none, since then any time in service hours will do."""
    if not windows:
        return False
    local = moment.astimezone(tz)
    return not any(
        local.weekday() in w.days and w.start <= local.time().replace(tzinfo=None) < w.end
        for w in windows
    )


# --- when a message may go -----------------------------------------------------------------

# How far ahead to look for a safe moment: a fortnight covers every weekly window even across
# Christmas, Easter and a run of bank holidays.
LOOK_AHEAD_DAYS = 21


def _local(day, clock: time, tz) -> datetime:
    # zoneinfo resolves the wall time of that date, so BST and GMT are both right.
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def next_safe_moment(moment: datetime, windows, calendar) -> datetime | None:
    """The first moment at or after ``moment`` that is inside service hours (a service day,
    not a bank holiday) and inside one of the person's safe windows; with no windows, the next
    moment the service is open. None when no such moment comes within three weeks: the windows
    never meet service hours, and the message is held for staff (DESIGN.md Deadline rules,
    safe contact). Windows are local (Europe/London) times; the end of a window is the first
    moment outside it, so a window to 20:00 takes a message at 19:59 and not at 20:00."""
    if not windows:
        return calendar.next_service_moment(moment)
    first_day = calendar.local_date(moment)
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = first_day + timedelta(days=offset)
        hours = calendar.hours.for_day(day)
        if hours is None or not calendar.is_service_day(day):
            continue
        candidates = []
        for window in windows:
            if day.weekday() not in window.days:
                continue
            start = _local(day, max(hours[0], window.start), calendar.tz)
            end = _local(day, min(hours[1], window.end), calendar.tz)
            at = max(start, moment.astimezone(UTC))
            if at < end:
                candidates.append(at)
        if candidates:
            return min(candidates)
    return None


def windows_problem(windows, hours) -> str | None:
    """Why these windows can never be used, in words for staff, or None: none of them
    overlaps the service's opening hours on any of its days."""
    if not windows:
        return None
    for window in windows:
        for day in window.days:
            open_hours = hours.by_weekday.get(day)
            if open_hours and max(open_hours[0], window.start) < min(open_hours[1], window.end):
                return None
    return (
        "The safe times they gave ("
        + describe(windows)
        + ") never fall in the service's opening hours: a member of staff must decide how "
        "to reach them"
    )
