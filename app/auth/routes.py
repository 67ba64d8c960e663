from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import SignInForm
from app.auth.session import request_origin, session_policy
from app.extensions import db, limiter
from casework.db import utcnow
from casework.staff import authenticate, sign_out

SIGN_IN_FAILED = "Enter a correct email address and password"


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
        staff, _reason = authenticate(
            db.session,
            form.email.data,
            form.password.data,
            origin=request_origin(),
            now=utcnow(),
            policy=session_policy(),
        )
        if staff is None:
            error = SIGN_IN_FAILED
        else:
            session.clear()  # no session fixation: a fresh cookie for a fresh sign-in
            login_user(staff, remember=False)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


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
    """Follow ?next= only to a path on this site, never to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
