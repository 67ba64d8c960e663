"""The print queue: letters waiting to be printed and posted."""

from flask import Blueprint

bp = Blueprint("letters", __name__)

from app.letters import routes  # noqa: E402,F401
