"""Security headers on every response, no caching of anything but static assets, and the
guards every request passes before any view sees its input."""

import re
import unicodedata

from flask import Flask, abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from casework.db import MAX_ID
from casework.invisible import CONTROLS, FORMAT_REMOVED


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a whole number no row's id can exceed (casework.db.MAX_ID),
    so a larger one is a plain 404 instead of an overflow in the database driver."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app: Flask) -> None:
    """Bound the ids routes take; called before any blueprint adds its rules."""
    app.url_map.converters["int"] = RecordIdConverter


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_REFUSED = "The form contained a character that cannot be stored. Remove it and try again."


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def refuse_unstorable_input():
    """Before anything else reads the request: a query string that is not UTF-8 (sent by hand,
    never by a browser) or a NUL character anywhere in the query or a posted form is refused
    with a clear 400. NUL cannot be stored in PostgreSQL text and means nothing in a form."""
    try:
        args = list(request.args.items(multi=True))
        posted = request.method == "POST" and request.mimetype in FORM_TYPES
        fields = list(request.form.items(multi=True)) if posted else []
    except UnicodeDecodeError:
        abort(400)
    if _has_nul(args) or _has_nul(fields):
        abort(400, NUL_REFUSED)


# Characters no form needs, invisible where they are shown, that break or mislead what is
# stored (casework.invisible): control characters (tab and line breaks kept) and format
# characters such as a right-to-left override, which shows a name or a team backwards.
_REMOVED = dict.fromkeys(CONTROLS) | FORMAT_REMOVED | {0x0B: " ", 0x0C: " "}
_ANY_REMOVED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_REMOVED)) + "]")


def strip_invisible_characters():
    """A posted form's values with the invisible characters above taken out (a vertical tab
    or form feed, which a word processor pastes for a line break, becomes a space), before any
    form or view reads them, so no page stores them. The Twilio webhooks are left as sent
    (their signature is over what was sent), and so are passwords (one set with such a
    character must still match)."""
    if (
        request.method != "POST"
        or request.mimetype not in FORM_TYPES
        or request.path.startswith("/webhooks/")
    ):
        return
    pairs = list(request.form.items(multi=True))
    if any(_ANY_REMOVED.search(value) for _, value in pairs):
        request.form = ImmutableMultiDict(
            [
                (key, value if "password" in key else value.translate(_REMOVED))
                for key, value in pairs
            ]
        )


def visible_text(value: str) -> str:
    """``value`` without control and format characters of any kind (Unicode Cc and Cf), for
    matching a word someone typed: a right-to-left mark before "STOP" is still STOP."""
    return "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cf"))


def register(app: Flask) -> None:
    # First of all the before-request functions: sign-in, CSRF and rate limits read the request.
    """Guard every request's input and set security headers on every response."""
    guards = app.before_request_funcs.setdefault(None, [])
    guards[0:0] = [refuse_unstorable_input, strip_invisible_characters]

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Never to other sites; to ourselves it must be sent: over HTTPS, Flask-WTF refuses a
        # form whose Referer is missing or names another host (WTF_CSRF_SSL_STRICT).
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.path.startswith("/static/"):
            # Pages may carry personal data about victims: never keep them in any cache.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
