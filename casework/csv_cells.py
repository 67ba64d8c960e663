"""CSV downloads that a spreadsheet opens safely."""

from __future__ import annotations


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (None is an empty cell)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
