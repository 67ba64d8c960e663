"""Complaints about the service (spec 9): the list, recording one, its page where it is
investigated and decided, and the quarterly return's counts and CSV."""

from flask import Blueprint

bp = Blueprint("complaints", __name__)

from app.complaints import routes  # noqa: E402,F401
