"""A safe time as a person answers it on a form (which days, from when, until when) turned into a
:class:`triage.safe_times.SafeWindow`, with a message against each field that is wrong.

Pure: no clock, no database.
"""

from __future__ import annotations

import re
from datetime import time

from triage.safe_times import DAY_NAMES, EVERY_DAY, WEEKDAYS, SafeWindow

DAY_CHOICES = {
    "weekdays": "Weekdays (Monday to Friday)",
    "weekends": "Weekends (Saturday and Sunday)",
    "any": "Any day",
    "specific": "Only on certain days",
}
DAYS_OF_CHOICE = {
    "weekdays": WEEKDAYS,
    "weekends": frozenset({5, 6}),
    "any": EVERY_DAY,
}
SPECIFIC_DAYS = {str(i): name for i, name in enumerate(DAY_NAMES)}
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
FIELDS = ("safe_days", "safe_specific_days", "safe_from", "safe_until")


def parse_time(text: str | None) -> time | None:
    """'17:30', '9:00' or '17.30' as a time of day; None when it is not one."""
    found = TIME.match((text or "").strip())
    return time(int(found[1]), int(found[2])) if found else None


def window_from_answers(
    days: str | None, specific: list[str] | tuple[str, ...], start: str | None, end: str | None
) -> tuple[list[SafeWindow], dict[str, str]]:
    """The safe windows a person gave (none when they left every part blank: any time in
    service hours) and the problems found, keyed by field name. A part-answered window is a
    problem, never silently dropped: it may be all that keeps a call away from an abuser."""
    days, start, end = (days or "").strip(), (start or "").strip(), (end or "").strip()
    specific = [d for d in specific or () if d]
    if not (days or specific or start or end):
        return [], {}
    errors: dict[str, str] = {}
    if days not in DAY_CHOICES:
        errors["safe_days"] = "Select which days it is safe to contact them"
        chosen = frozenset()
    elif days == "specific":
        if not specific:
            errors["safe_specific_days"] = "Select at least one day"
        elif not all(d in SPECIFIC_DAYS for d in specific):
            errors["safe_specific_days"] = "Select days from the list"
        chosen = frozenset(int(d) for d in specific if d in SPECIFIC_DAYS)
    else:
        chosen = DAYS_OF_CHOICE[days]
    from_time, until_time = parse_time(start), parse_time(end)
    if from_time is None:
        errors["safe_from"] = (
            "Enter a time like 09:00" if start else "Enter the time it becomes safe, like 09:00"
        )
    if until_time is None:
        errors["safe_until"] = (
            "Enter a time like 17:30" if end else "Enter the time it stops being safe, like 17:30"
        )
    if errors:
        return [], errors
    window = SafeWindow(chosen, from_time, until_time)
    problem = window.problem()
    if problem:
        field = "safe_until" if "end" in problem else "safe_days"
        return [], {field: problem}
    return [window], {}
