"""The triage queue: open referrals, most urgent first, with filters."""

from flask import Blueprint

bp = Blueprint("queue", __name__)

from app.queue import routes  # noqa: E402,F401
