"""How Waypoint's log lines look, and where they go: standard error, one line an event, either
human-readable (``LOG_FORMAT=text``) or one JSON object a line (``LOG_FORMAT=json``), for the
``waypoint`` loggers, Flask's own and Werkzeug's (README: Logs).

A line carries what the code that logged it chose to give (``extra=``) and nothing else: no
formatter here reaches into the request for its form, cookies or headers.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Waypoint's own loggers (waypoint.requests, waypoint.scheduler, ...), the development server's
# and the scheduler library's (its warnings, such as a missed run: its INFO lines stay unlogged).
LOGGERS = ("waypoint", "werkzeug", "apscheduler")

# What every LogRecord has: anything else on a record came from ``extra=`` and is a field.
_RECORD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def problems(config) -> list[str]:
    """The log settings that cannot work, in words (start-up refuses them)."""
    found = []
    log_format, level = config.get("LOG_FORMAT", "text"), config.get("LOG_LEVEL", "INFO")
    if str(log_format).strip().lower() not in FORMATS:
        found.append(f"LOG_FORMAT must be text or json, not {log_format!r}")
    if str(level).strip().upper() not in LEVELS:
        found.append(f"LOG_LEVEL must be one of {', '.join(LEVELS)}, not {level!r}")
    return found


def fields(record: logging.LogRecord, *, empty: bool = False) -> dict:
    """The structured fields a record was logged with, in the order given; those that are None
    (no staff id on a public page) only when ``empty``."""
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _RECORD and not key.startswith("_") and (empty or value is not None)
    }


def _time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonLines(logging.Formatter):
    """One JSON object a line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
    then the record's fields (``event``, ``request_id``, ...; null when empty, so every line of
    an event has the same keys); a traceback in ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in fields(record, empty=True).items():
            line.setdefault(key, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, separators=(",", ":"))


def _text_value(value) -> str:
    if isinstance(value, str) and value and not any(c.isspace() or c in '"=' for c in value):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, default=str, separators=(",", ":"))


class TextLines(logging.Formatter):
    """One line for a person: time (UTC), level, logger, message, then ``key=value`` fields;
    a traceback follows on the lines after."""

    def format(self, record: logging.LogRecord) -> str:
        extra = fields(record)
        extra.pop("event", None)  # the message says what happened
        line = f"{_time(record)} {record.levelname} {record.name} {record.getMessage()}"
        if extra:
            line += " " + " ".join(f"{key}={_text_value(value)}" for key, value in extra.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


class ProcessStderr(logging.StreamHandler):
    """The process's own standard error, whatever ``sys.stderr`` is later swapped for: what a
    command prints (its JSON) stays apart from its log even when it runs in-process under
    Click's test runner, which captures both streams as one."""

    def __init__(self) -> None:
        super().__init__(sys.__stderr__ or sys.stderr)


_handler = ProcessStderr()


def configure(log_format: str, level: str, loggers: tuple[str, ...] = ()) -> logging.Handler:
    """Send ``LOGGERS`` and ``loggers`` to standard error in ``log_format`` (text or json), the
    ``waypoint`` loggers and ``loggers`` at ``level``. Once per process, however many apps are
    built: a later call changes the format and level, never adds a second handler.

    The loggers still pass their records on to the root logger, which has no handler unless
    something adds one (pytest does, to capture; ``flask db upgrade``'s Alembic does, for its
    own lines)."""
    _handler.setFormatter(JsonLines() if log_format.strip().lower() == "json" else TextLines())
    for name in (*LOGGERS, *loggers):
        logger = logging.getLogger(name)
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
    for name in ("waypoint", *loggers):
        logging.getLogger(name).setLevel(level.strip().upper())
    return _handler
