"""One log line per request, written by the app itself, so gunicorn, ``flask dev`` and the test
client log alike (README: Logs).

A line says what was asked (method, route, the path with its ids), how it was answered (status,
duration), who asked (a staff id, never a name or email) and a request id, echoed to the client
in ``X-Request-Id``. Never the query string, the form, cookies or any header's value: they hold
what staff and the public typed about victims, and a log is neither access-controlled nor
audited.
"""

from __future__ import annotations

import logging
import re
import uuid
from time import perf_counter

from flask import Flask, g, has_request_context, request, request_started

from casework.db import known_id

REQUEST_ID_HEADER = "X-Request-Id"
# An incoming request id is kept only when it is a short token (a proxy's or a load balancer's);
# anything else is replaced, so a header cannot write what it likes into the log.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# A route's arguments in its pattern: <name>, <converter:name>, <converter(args):name>.
_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([A-Za-z_][A-Za-z0-9_]*)>")

# How Flask.log_exception begins its line for an unhandled exception.
_FLASK_ERROR = "Exception on "

log = logging.getLogger("waypoint.requests")


def request_id_for(incoming: str | None) -> str:
    """The incoming ``X-Request-Id`` when it is a short token, else a new one."""
    if incoming and _SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def logged_path(rule: str | None, arguments: dict | None) -> str | None:
    """The path as logged: the matched route's pattern with its whole-number arguments filled
    in (``/referrals/12``). Any other argument stays a placeholder (``/professionals/feedback/
    <token>``: a feedback link's token opens a professional's contact), and a path that matched
    no route is not logged (it is whatever was typed)."""
    if rule is None:
        return None
    arguments = arguments or {}

    def fill(match: re.Match) -> str:
        value = arguments.get(match.group(1))
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return f"<{match.group(1)}>"

    return _ARGUMENT.sub(fill, rule)


class RequestFields(logging.Filter):
    """Every line logged while a request is handled carries its request id; Flask's line for an
    unhandled exception names the path as the request line does (its raw path can hold a
    feedback link's token). The traceback stays: it is code, not what was typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not has_request_context():
            return True
        if getattr(record, "request_id", None) is None:
            record.request_id = g.get("request_id")
        if record.exc_info and isinstance(record.msg, str) and record.msg.startswith(_FLASK_ERROR):
            rule = request.url_rule.rule if request.url_rule is not None else None
            path = logged_path(rule, request.view_args) or "-"
            record.msg, record.args = f"{_FLASK_ERROR}{path} [{request.method}]", None
        return True


def _signed_in_staff_id() -> int | None:
    """The staff id, when this request already loaded who is signed in (reading
    ``current_user`` here would load them, and touch their session, on pages that never asked,
    such as static files)."""
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return known_id(user)


def _start(sender, **extra) -> None:
    g.request_started = perf_counter()
    g.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))


def _log_request(response):
    started = g.get("request_started")
    request_id = g.get("request_id") or request_id_for(None)
    rule = request.url_rule.rule if request.url_rule is not None else None
    path = logged_path(rule, request.view_args)
    duration = round((perf_counter() - started) * 1000, 1) if started is not None else None
    response.headers[REQUEST_ID_HEADER] = request_id
    log.info(
        "%s %s %s %s ms",
        request.method,
        path or "-",
        response.status_code,
        duration,
        extra={
            "event": "request",
            "request_id": request_id,
            "method": request.method,
            "path": path,
            "route": rule,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": duration,
            "staff_id": _signed_in_staff_id(),
        },
    )
    return response


def register(app: Flask) -> None:
    """Time each request from its start, and log it once it is answered: after every other
    after-request step (security headers, a blueprint's own), error pages included."""
    request_started.connect(_start, app)
    app.after_request_funcs.setdefault(None, []).insert(0, _log_request)
