"""Administration: staff accounts, teams, the audit trail, subject access and letter wording."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import letter_wording, message_templates, routes, vetting  # noqa: E402,F401
