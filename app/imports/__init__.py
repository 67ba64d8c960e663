"""Police daily downloads uploaded by team leaders, queued for the scheduler to import."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from app.imports import routes  # noqa: E402,F401
