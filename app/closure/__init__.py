"""Closing a case (with its gate: reassessment, settled actions, approval when the team asks
for it) and reopening one with a reason."""

from flask import Blueprint

bp = Blueprint("closure", __name__)

from app.closure import routes  # noqa: E402,F401
