"""Error pages: plain words, no stack traces, and an audit row where security is concerned."""

import logging
from datetime import UTC, datetime

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from redis.exceptions import RedisError

from casework.db import db, utcnow
from casework.errors import ConcurrentEdit

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again."),
    401: ("You need to sign in", "Sign in to see this page."),
    403: (
        "You do not have permission to see this page",
        "If you think you should, speak to your team leader or administrator.",
    ),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("There is a problem with your request", "That action is not available here."),
    409: (
        "Someone else changed this first",
        "Nothing you sent was saved. Go back, reload the page to see it as it is now, then make "
        "your change again.",
    ),
    413: ("The file is too large", None),
    429: ("Too many attempts", "Try again later."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: ("Sorry, the service is unavailable", "Try again later."),
}


# The forms the public fill in without signing in: their error pages keep to the public
# pages' own way out (back to the form, 999, and for victims the Exit this page button),
# never the staff sign-in.
PUBLIC_FORMS = {
    "public.refer": "Ask for support",
    "public.partner_referral": "Refer someone for support",
    "advice_line.professionals": "Ask the harmful sexual behaviour advice line",
    "advice_line.public_feedback": "Tell us how the advice went",
}
VICTIM_FORMS = {"public.refer"}


def _page(code: int, heading: str | None = None, body: str | None = None):
    default_heading, default_body = MESSAGES[code]
    public = request.endpoint in PUBLIC_FORMS
    return render_template(
        "errors/public.html" if public else "errors/error.html",
        code=code,
        heading=heading or default_heading,
        body=body or default_body,
        form_name=PUBLIC_FORMS.get(request.endpoint),
        exit_button=request.endpoint in VICTIM_FORMS,
    ), code


def _when_limit_resets() -> str | None:
    """When the rate limit this request broke lets the next one through, in local time
    ("14:05", or "14:05 on Tuesday 24 November" when that is not today)."""
    from app.extensions import limiter
    from app.filters import local_time

    try:
        current = limiter.current_limit
        reset = datetime.fromtimestamp(current.reset_at, UTC) if current else None
    except Exception:  # the shared store may be what failed: say only "later"
        return None
    if reset is None:
        return None
    if local_time(reset, "%Y-%m-%d") == local_time(utcnow(), "%Y-%m-%d"):
        return local_time(reset, "%H:%M")
    return local_time(reset, "%H:%M on %A %-d %B")


def too_many(exc):
    """A rate limit reached: when to try again, in words; on a public form, what the limit
    is for, since the person has done nothing wrong."""
    db.session.rollback()
    when = _when_limit_resets()
    after = f"after {when}" if when else "later"
    if request.endpoint in PUBLIC_FORMS:
        return _page(
            429,
            "This form has been sent too many times",
            "To keep the service safe, only a few forms can be sent from one internet "
            f"connection each hour. You can send it again {after}.",
        )
    return _page(429, body=f"Try again {after}.")


def register(app: Flask) -> None:
    """An error page for each status, and the CSRF and bad-request pages."""
    from app.security import NUL_REFUSED

    for code in MESSAGES:
        if code in (400, 413, 429, 500):
            continue
        app.register_error_handler(code, lambda exc, code=code: _page(code))
    app.register_error_handler(429, too_many)

    @app.errorhandler(400)
    def bad_request(exc):
        db.session.rollback()
        if getattr(exc, "description", None) == NUL_REFUSED:
            return _page(400, body=NUL_REFUSED)
        return _page(400)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        from app.refusals import audit_refusal

        db.session.rollback()
        audit_refusal("security.csrf_failed", {"why": exc.description})
        if request.endpoint in PUBLIC_FORMS and request.method == "POST":
            # The form again, with what they typed and a fresh token, saying it timed out:
            # a person who took their time over it (or whose browser lost its cookie) loses
            # nothing, and nothing is saved from the expired post.
            return current_app.view_functions[request.endpoint](**(request.view_args or {}))
        return _page(
            400,
            "Your form has expired",
            "For your security, forms time out. Go back, reload the page and try again.",
        )

    @app.errorhandler(413)
    def too_large(exc):
        """A request over MAX_UPLOAD_MB: on the upload page, the form again with the limit in
        words; elsewhere a plain page saying the same."""
        from app.imports.routes import upload_too_large
        from casework.referrals.import_jobs import too_large_message

        db.session.rollback()
        if request.endpoint == "imports.police_upload":
            page = upload_too_large()
            if page is not None:
                return page
        return _page(413, body=too_large_message(current_app.config["MAX_UPLOAD_MB"]) + ".")

    @app.errorhandler(ConcurrentEdit)
    def stale(exc):
        """A version-checked save that lost a race no service turned into its own words:
        refused, nothing saved, never a server error."""
        db.session.rollback()
        return _page(409)

    @app.errorhandler(RedisError)
    @app.errorhandler(StorageError)
    def limits_unavailable(exc):
        """The rate limits' shared storage (Redis) does not answer: a limited request (sign-in,
        the public forms) is refused, not let through uncounted, with a page saying to try
        again; never a server error. Logged by type only: the text can quote the address."""
        db.session.rollback()
        logging.getLogger("waypoint.web").error(
            "rate limit storage unavailable (%s): refused %s %s",
            type(exc).__name__,
            request.method,
            request.endpoint,
        )
        return _page(
            503,
            body="This cannot be done at the moment. Try again in a few minutes.",
        )

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return _page(500)
