"""Logging for the web app and its commands (README: Logs): the format and level from the
settings (app/log_format.py), one line per request (app/request_log.py), and Werkzeug's own
lines without query strings.

Request logs never hold a query string: what staff type into search (a victim's name, phone
number or birth date: DESIGN.md Stable interfaces, ``/search``) and the filters of other pages
are personal data, and a log is neither access-controlled nor audited.

Werkzeug's request log (``flask run``; ``flask dev`` leaves each request's line to ours) writes
the request line, query string and all; the filter below cuts the query string from every line
it writes, for every path (``/login?next=`` can carry a search too). Behind gunicorn, leave its
access log off (our line replaces it) or give it a format without ``%(r)s``, ``%(q)s`` and
``%(U)s?%(q)s`` (README: Logs).
"""

from __future__ import annotations

import logging

from flask import Flask
from flask.logging import default_handler

_VERSION = " HTTP/"
_ANSI = "\x1b"


def drop_query_string(text: str) -> str:
    """``text`` with every query string cut out: from each ``?`` to the HTTP version that ends
    a request line, or when there is none (a malformed request, sent by hand, whose query
    holds raw spaces) to the end of the text or its closing colour code."""
    while (start := text.find("?")) != -1:
        end = text.rfind(_VERSION, start)
        if end == -1:
            end = text.find(_ANSI, start)
        text = text[:start] + (text[end:] if end != -1 else "")
    return text


def _bad_request_message(text: str) -> str:
    """Werkzeug's reason for refusing a malformed request quotes part of it ("Bad request
    version ('Brown')"), which may be the words of a query: keep the reason only."""
    return text.split(" (", 1)[0]


class DropQueryStrings(logging.Filter):
    """Rewrites a log record so that no query string reaches any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = drop_query_string(record.msg)
        if isinstance(record.args, tuple):
            args = [drop_query_string(a) if isinstance(a, str) else a for a in record.args]
            if isinstance(record.msg, str) and record.msg.endswith("code %d, message %s"):
                args = [_bad_request_message(a) if isinstance(a, str) else a for a in args]
            record.args = tuple(args)
        elif isinstance(record.args, dict):
            record.args = {
                key: drop_query_string(value) if isinstance(value, str) else value
                for key, value in record.args.items()
            }
        return True


def register(app: Flask) -> None:
    """Refuse log settings that cannot work; send Waypoint's, Flask's and Werkzeug's loggers to
    standard error in LOG_FORMAT at LOG_LEVEL; log every request; and put the query-string
    filter on Werkzeug's request log (each once, however many apps are built)."""
    from app import request_log
    from app.log_format import configure, problems

    found = problems(app.config)
    if found:
        raise RuntimeError("; ".join(found))
    handler = configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"], loggers=(app.name,))
    if not any(isinstance(f, request_log.RequestFields) for f in handler.filters):
        handler.addFilter(request_log.RequestFields())
    # Flask's own handler would write its lines a second time, in its own format.
    logging.getLogger(app.name).removeHandler(default_handler)
    request_log.register(app)

    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropQueryStrings) for f in logger.filters):
        logger.addFilter(DropQueryStrings())
