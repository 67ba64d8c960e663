"""When it is safe to contact a person: the windows they gave (DESIGN.md Deadline rules, safe
contact), stored as JSON on the person and the referral.

A window is some days of the week and a time of day, in the service's time zone: "weekdays
09:00 to 12:00". No windows (None or an empty list) means they gave none, so any time inside
service hours will do. Pure: nothing here reads a clock, queries or sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

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
