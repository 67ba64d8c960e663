"""Template filters: UTC in storage, Europe/London on the page."""

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request


def local_time(value: datetime | None, fmt: str = "%-d %b %Y %H:%M") -> str:
    """A stored UTC moment as the UK clock showed it."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])).strftime(fmt)


def page_url(number: int) -> str:
    """This page's URL with the same filters and another page number."""
    items = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    items.append(("page", str(number)))
    return f"{request.path}?{urlencode(items)}"


def register(app: Flask) -> None:
    app.add_template_filter(local_time, "local_time")
    app.add_template_global(page_url, "page_url")
