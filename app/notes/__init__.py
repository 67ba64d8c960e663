"""Case notes: the list on a case, writing, editing (first 24 hours) and amending a note."""

from flask import Blueprint

bp = Blueprint("notes", __name__)

from app.notes import routes  # noqa: E402,F401
