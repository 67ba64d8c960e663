"""Error pages: plain words, no stack traces, and an audit row where security is concerned."""

import logging

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from redis.exceptions import RedisError

from casework.db import db
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
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: ("Sorry, the service is unavailable", "Try again later."),
}


def _page(code: int, heading: str | None = None, body: str | None = None):
    default_heading, default_body = MESSAGES[code]
    return render_template(
        "errors/error.html",
        code=code,
        heading=heading or default_heading,
        body=body or default_body,
    ), code


def register(app: Flask) -> None:
    """An error page for each status, and the CSRF and bad-request pages."""
    from app.security import NUL_REFUSED

    for code in MESSAGES:
        if code in (400, 413, 500):
            continue
        app.register_error_handler(code, lambda exc, code=code: _page(code))

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
