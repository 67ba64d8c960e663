"""Template filters: UTC in storage, Europe/London on the page."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import phonenumbers
from flask import Flask, current_app, request, url_for

from casework.db import MAX_ID
from casework.referrals.models import source_words
from triage import equality, safe_times
from triage.enhanced import flag_words


def local_time(value: datetime | None, fmt: str = "%-d %b %Y %H:%M") -> str:
    """A stored UTC moment as the UK clock showed it."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])).strftime(fmt)


def describe_duration(delta: timedelta) -> str:
    """'3 h 20 min', '2 days 4 h', '45 min': how a person says a span of time."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min"


def time_ago(delta: timedelta | None) -> str:
    """'3 minutes ago', '2 hours ago', '1 day ago': how long since something happened."""
    if delta is None:
        return ""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute ago"
    if minutes < 60:
        count, unit = minutes, "minute"
    elif minutes < 48 * 60:
        count, unit = minutes // 60, "hour"
    else:
        count, unit = minutes // (24 * 60), "day"
    return f"{count} {unit}{'s' if count != 1 else ''} ago"


def time_left(due_at: datetime | None, now: datetime | None = None) -> str:
    """'due in 3 h 20 min' or 'overdue by 1 h', plainly."""
    if due_at is None:
        return ""
    now = now or datetime.now(UTC)
    if due_at >= now:
        return f"due in {describe_duration(due_at - now)}"
    return f"overdue by {describe_duration(now - due_at)}"


def phone(e164: str | None) -> str:
    """A stored E.164 number as people write it in the UK: '07700 900412'."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def safe_windows_words(value) -> str:
    """A stored ``safe_windows`` column in words; "Not asked yet" when it was never asked."""
    if value is None:
        return "Not asked yet"
    return safe_times.describe(safe_times.from_json(value))


def characteristic_rows(record, now: datetime) -> list[tuple[str, str]]:
    """The nine protected characteristics of a person or referral in words, for staff who may
    see the record: age from the date of birth when there is one, "Not asked yet" when unasked."""
    today = now.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])).date()
    rows = []
    for field, name in equality.CHARACTERISTIC_NAMES.items():
        value = getattr(record, field, None)
        if field == "age_band":
            words = equality.describe_age(value, record.date_of_birth, today)
        else:
            words = equality.describe(field, value)
        rows.append((name, words))
    return rows


def page_url(number: int) -> str:
    """This page's URL with the same filters and another page number."""
    items = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    items.append(("page", str(number)))
    return f"{request.path}?{urlencode(items)}"


def url_for_id(endpoint: str, name: str):
    """A function from a record's id to ``endpoint``'s URL for it, for a list's rows: one
    ``url_for`` per list instead of one per row (building URLs cost a team view more than its
    rows' data). The URL is built once with an id no row has and that id replaced."""
    url = url_for(endpoint, **{name: MAX_ID})
    head, found, tail = url.partition(str(MAX_ID))
    if not found:  # the id is not in the path as written: build each URL
        return lambda record_id: url_for(endpoint, **{name: record_id})
    return lambda record_id: f"{head}{int(record_id)}{tail}"


def sentence(text: str | None) -> str:
    """``text`` ending as a sentence ends: a full stop added unless the words (often a
    person's own) already end with one, or with ! ? or an ellipsis."""
    text = (text or "").rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def register(app: Flask) -> None:
    """Make the template filters available to every template."""
    app.add_template_filter(local_time, "local_time")
    app.add_template_global(page_url, "page_url")
    app.add_template_global(url_for_id, "url_for_id")
    app.add_template_filter(time_left, "time_left")
    app.add_template_filter(time_ago, "time_ago")
    app.add_template_filter(phone, "phone")
    app.add_template_global(source_words, "source_words")
    app.add_template_global(characteristic_rows, "characteristic_rows")
    app.add_template_filter(safe_windows_words, "safe_windows")
    app.add_template_filter(flag_words, "flag_words")
    app.add_template_filter(sentence, "sentence")
