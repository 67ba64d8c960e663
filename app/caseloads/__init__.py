"""Caseloads: one caseworker's caseload as their team leader sees it, the team's caseload
settings, picking up a referral, and reassigning a case. The caseworker's own caseload and
"My team" are main.caseload and main.team, which render through app.caseloads.views."""

from flask import Blueprint

bp = Blueprint("caseloads", __name__)

from app.caseloads import routes  # noqa: E402,F401
