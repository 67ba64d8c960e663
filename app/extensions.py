"""Extension instances, bound to the app in create_app()."""

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from casework.db import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

__all__ = ["db", "migrate", "login_manager", "csrf", "limiter"]


def public_form_limit() -> str:
    """The rate limit on every public form's POST (PUBLIC_FORM_RATE_LIMIT)."""
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]


def public_form_sent(response) -> bool:
    """Whether a public form's POST counts towards its limit: only when it was accepted. A
    form sent back with its errors to put right (or timed out) does not, so a person
    correcting mistakes is not locked out, while every referral made is counted."""
    return response.status_code < 400
