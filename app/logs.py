"""Request logs never hold a query string: what staff type into search (a victim's name, phone
number or birth date: DESIGN.md Stable interfaces, ``/search``) and the filters of other pages
are personal data, and a log is neither access-controlled nor audited.

Werkzeug's request log (``flask dev``, ``flask run``) writes each request line, query string
and all; the filter below cuts the query string from every line it writes, for every path
(``/login?next=`` can carry a search too). Behind gunicorn, configure its access log format
without ``%(r)s``, ``%(q)s`` and ``%(U)s?%(q)s`` (README: Request logs).
"""

from __future__ import annotations

import logging

from flask import Flask

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
    """Put the filter on Werkzeug's request log (once, however many apps are built)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropQueryStrings) for f in logger.filters):
        logger.addFilter(DropQueryStrings())
