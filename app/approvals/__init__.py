"""Approvals: the team leader's list of requests to decide, and deciding one."""

from flask import Blueprint

bp = Blueprint("approvals", __name__)

from app.approvals import routes  # noqa: E402,F401
