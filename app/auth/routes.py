from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import CodeForm, SignInForm
from app.auth.session import request_origin, session_policy, two_step_box
from app.extensions import db, limiter
from casework.db import utcnow
from casework.staff.sign_in import SECOND_STEP, authenticate, sign_out, verify_second_step

SIGN_IN_FAILED = "Enter a correct email address and password"
CODE_FAILED = "Enter the 6-digit security code your authenticator app shows now"
PENDING = "two_step_pending"
PENDING_SECONDS = 300


def _login_rate_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    """Staff sign-in. Every failure looks the same to the person; the audit trail knows why."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        staff, reason = authenticate(
            db.session,
            form.email.data,
            form.password.data,
            origin=request_origin(),
            now=utcnow(),
            policy=session_policy(),
        )
        if staff is None:
            error = SIGN_IN_FAILED
        elif reason == SECOND_STEP:
            session.clear()
            session[PENDING] = {"staff": staff.id, "at": utcnow().timestamp()}
            return redirect(url_for("auth.second_step", next=_safe_next(request.args.get("next"))))
        else:
            session.clear()  # no session fixation: a fresh cookie for a fresh sign-in
            login_user(staff, remember=False)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def second_step():
    """The second step of signing in: the code from the person's authenticator app."""
    pending = session.get(PENDING) or {}
    if not pending or utcnow().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        flash("Sign in again: the time to enter the security code ran out.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        staff, reason = verify_second_step(
            db.session,
            pending["staff"],
            form.code.data,
            box=two_step_box(),
            origin=request_origin(),
            now=utcnow(),
            policy=session_policy(),
        )
        if staff is not None:
            session.clear()
            login_user(staff, remember=False)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        if reason != "bad_code":  # locked, deactivated or reset meanwhile: start again
            session.pop(PENDING, None)
            flash(SIGN_IN_FAILED, "info")
            return redirect(url_for("auth.login"))
        form.code.errors.append(CODE_FAILED)
    return render_template("auth/code.html", form=form), (401 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session in the database, then clear the cookie."""
    sign_out(db.session, current_user._get_current_object(), origin=request_origin(), now=utcnow())
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str | None:
    """Follow ?next= only to a path on this site, never to another host.

    Judged as a browser would read it: browsers drop tabs and newlines anywhere in a URL, strip
    leading control characters and spaces, and treat a backslash as a slash, so a tab between two
    slashes, or a backslash after one, leads off-site. Any such character refuses the target.
    """
    if not target or len(target) > 2000:
        return None
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    if "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
