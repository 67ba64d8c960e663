"""The triage queue, one referral's page, and the police download upload."""

from flask import Blueprint

bp = Blueprint("triage", __name__)

from app.triage import routes  # noqa: E402,F401
