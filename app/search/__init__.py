"""Staff search: people by name, reference, phone, email, postcode or birth date."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from app.search import routes  # noqa: E402,F401
