"""How a browser's cookie becomes a signed-in staff member, checked against the database."""

from __future__ import annotations

from functools import lru_cache, wraps

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user
from itsdangerous import BadSignature

from casework.access import only_on_the_advice_line
from casework.audit import Origin, record_refusal
from casework.db import db, utcnow
from casework.staff.sealed import SecretBox
from casework.staff.sign_in import SessionPolicy, load_session


def request_origin() -> Origin:
    """The audit origin of the current request."""
    return Origin(ip=request.remote_addr, user_agent=request.headers.get("User-Agent"))


def two_step_box() -> SecretBox:
    """What seals and opens the two-step keys stored in the database."""
    config = current_app.config
    return _box(config.get("TWO_STEP_KEY") or config["SECRET_KEY"])


@lru_cache(maxsize=4)
def _box(key: str) -> SecretBox:
    return SecretBox(key)


def session_policy() -> SessionPolicy:
    """Session timeouts and lockout as the settings give them."""
    return SessionPolicy.from_settings(current_app.config)


class AuditedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, but a cookie that fails its signature is noted for the audit trail."""

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            return self.session_class(serializer.loads(value, max_age=max_age))
        except BadSignature:
            g.forged_cookie = True
            return self.session_class()


# Reachable before two-step verification is set up: setting it up, signing in and out, the
# public forms and webhooks (which know nothing of staff), and the static files.
TWO_STEP_EXEMPT = {
    "main.two_step",
    "auth.login",
    "auth.second_step",
    "auth.logout",
    "static",
    "main.healthz",
    "main.readyz",
    "main.accessibility",
    "main.privacy",
}

# Public pages outside the public blueprint (the HSB line's form for professionals and their
# feedback link, the readiness check): anyone reaches them, signed in or not.
PUBLIC_ENDPOINTS = {
    "main.readyz",
    "advice_line.professionals",
    "advice_line.professionals_sent",
    "advice_line.public_feedback",
}

# All a volunteer may reach besides those: their home ("My cases"), their account, and on a case
# they are assigned to now its summary, Support tab, notes and stepping down (spec 3.12). Each
# view's own role check and casework.access decide the rest.
VOLUNTEER_ENDPOINTS = {
    "main.home",
    "main.account",
    "support.my_cases",
    "cases.case",
    "support.overview",
    "support.step_down_volunteer",
    "notes.case_notes",
    "notes.new_note",
    "notes.edit",
}


def configure_login(app: Flask, login_manager: LoginManager) -> None:
    """Sign-in through Flask-Login, checked against the database on every request."""
    app.session_interface = AuditedSessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str):
        staff = load_session(
            db.session, token, now=utcnow(), policy=session_policy(), origin=request_origin()
        )
        if staff is None:
            session.pop("_user_id", None)
            g.session_rejected = True
        return staff

    @app.before_request
    def require_two_step():
        """Where two-step verification is required, a signed-in person who has not set it up
        can reach only the set-up page and sign-out until they do."""
        if not app.config["REQUIRE_TWO_STEP"] or request.endpoint in TWO_STEP_EXEMPT:
            return None
        if current_user.is_authenticated and not current_user.two_step_on:
            return redirect(url_for("main.two_step"))
        return None

    @app.before_request
    def volunteers_reach_only_their_pages():
        """A volunteer reaches only the pages named in VOLUNTEER_ENDPOINTS (their cases, a
        few pages of each, their account); anything else is refused, audited, whatever its own
        decorator says (spec 3.12)."""
        endpoint = request.endpoint
        if endpoint is None or endpoint in VOLUNTEER_ENDPOINTS or endpoint in TWO_STEP_EXEMPT:
            return None
        if endpoint in PUBLIC_ENDPOINTS:
            return None
        if request.blueprint in ("auth", "public", "webhooks"):
            return None
        if current_user.is_authenticated and current_user.role == "volunteer":
            record_refusal(
                db.session,
                "access.denied",
                actor=current_user,
                origin=request_origin(),
                detail={"path": request.path},
            )
            abort(403)
        return None

    @app.before_request
    def audit_forged_cookie():
        if g.pop("forged_cookie", False):
            from app.refusals import audit_refusal

            audit_refusal("security.bad_cookie")


def role_required(*roles: str, advice_line_staff: bool = False):
    """Let only signed-in staff with one of ``roles`` reach a view; others get 403, audited.

    The victim service's pages: staff of an HSB team (its team leaders included) are refused
    them too, unless the view says it is also theirs (``advice_line_staff``)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles or (
                not advice_line_staff and only_on_the_advice_line(current_user)
            ):
                record_refusal(
                    db.session,
                    "access.denied",
                    actor=current_user,
                    origin=request_origin(),
                    detail={"path": request.path},
                )
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
