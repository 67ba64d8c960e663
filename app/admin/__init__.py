"""Administration: staff accounts, teams, the audit trail, subject access and letter wording."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import letter_wording, routes  # noqa: E402,F401
from app.admin import vetting  # noqa: E402,F401  (staff vetting and training)
