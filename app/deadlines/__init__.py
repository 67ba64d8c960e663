"""The team leader's deadline view."""

from flask import Blueprint

bp = Blueprint("deadlines", __name__)

from app.deadlines import routes  # noqa: E402,F401
