"""Young people's group sessions (spec 3.8): the team's sessions, recording one, its page with
attendance, and the quarterly return's CSV."""

from flask import Blueprint

bp = Blueprint("groups", __name__)

from app.groups import routes  # noqa: E402,F401
