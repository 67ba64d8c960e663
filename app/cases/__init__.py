"""One case's pages (summary, Contact, Timeline, Access) and a team
leader opening a case from a referral."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from app.cases import messages, routes  # noqa: E402,F401
