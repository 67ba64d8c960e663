"""Needs assessments of a case: the list with distance travelled, starting, continuing and
completing an assessment (adult and children and young people's versions)."""

from flask import Blueprint

bp = Blueprint("assessments", __name__)

from app.assessments import routes  # noqa: E402,F401
