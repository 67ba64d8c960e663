"""A case's support plan: goals and actions from the assessment, reviews (D10) and the plan for
reducing support (resilience)."""

from flask import Blueprint

bp = Blueprint("plans", __name__)

from app.plans import routes  # noqa: E402,F401
