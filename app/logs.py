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
import re

from flask import Flask

# A path followed by its query string, wherever it appears in a log line.
_QUERY_STRING = re.compile(r"(/[^\s?'\"]*)\?[^\s'\"]*")


def drop_query_string(text: str) -> str:
    """``text`` with the query string cut from every path in it."""
    return _QUERY_STRING.sub(r"\1", text)


class DropQueryStrings(logging.Filter):
    """Rewrites a log record so that no query string reaches any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = drop_query_string(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                drop_query_string(arg) if isinstance(arg, str) else arg for arg in record.args
            )
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
