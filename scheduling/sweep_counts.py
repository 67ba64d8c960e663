"""What a run of the sweeps did, in counts only, for the scheduler's log line (README: Logs).

A sweep's summary can name things a log must not hold: an inbox import names each file and
quotes why a line was rejected, an upload job its error. The log keeps the numbers: a count
stays, a list of results becomes how many there were and the totals they add up to, and any
text (a file name, a reason, an error) is dropped, except run_once's own word for a sweep that
failed.
"""

from __future__ import annotations

from collections.abc import Mapping

FAILED = "failed"
# What an import result adds up (police_import.ImportResult.as_json).
_TOTALS = ("imported", "duplicates", "rejected")


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def counts(value):
    """``value`` with only its numbers: a mapping keeps its counts (recursively), a list
    becomes ``{"count": n, ...totals}``; anything else is None (left out)."""
    if _number(value):
        return value
    if isinstance(value, Mapping):
        kept = {key: counts(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not None}
    if isinstance(value, list | tuple):
        return _list_counts(value)
    return None


def _list_counts(items) -> dict:
    """How many results, how many of them failed (carry an ``error``), and the totals of what
    they imported, found duplicated and rejected."""
    summary: dict = {"count": len(items)}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        if "error" in item:
            summary[FAILED] = summary.get(FAILED, 0) + 1
        for key in _TOTALS:
            if _number(item.get(key)):
                summary[key] = summary.get(key, 0) + item[key]
    return summary


def sweep_counts(summary: Mapping) -> dict:
    """run_once's summary reduced to counts, sweep by sweep (its ``now`` is the line's time)."""
    reduced = {}
    for name, value in summary.items():
        if value == FAILED:
            reduced[name] = FAILED
        elif (kept := counts(value)) is not None:
            reduced[name] = kept
    return reduced
