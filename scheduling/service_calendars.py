"""The service calendars built from settings (hours and bank-holiday region)."""

from __future__ import annotations

from scheduling.calendar import Calendar, parse_service_hours


def victim_calendar(config) -> Calendar:
    """The victim service's calendar, from VICTIM_SERVICE_HOURS and BANK_HOLIDAY_REGION."""
    return _cached(config["VICTIM_SERVICE_HOURS"], config["BANK_HOLIDAY_REGION"])


def hsb_calendar(config) -> Calendar:
    """The HSB advice line's calendar, from HSB_LINE_HOURS and BANK_HOLIDAY_REGION."""
    return _cached(config["HSB_LINE_HOURS"], config["BANK_HOLIDAY_REGION"])


_CALENDARS: dict[tuple[str, str], Calendar] = {}


def _cached(hours: str, region: str) -> Calendar:
    key = (hours, region)
    if key not in _CALENDARS:
        _CALENDARS[key] = Calendar(hours=parse_service_hours(hours), region=region)
    return _CALENDARS[key]
