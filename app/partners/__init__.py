"""The partner registry for admins (partnerships policy 3.4, 7-9): agencies, their level of
partnership, keyworker, MOU and its reviews, information-sharing agreement and contacts."""

from flask import Blueprint

bp = Blueprint("partners", __name__)

from app.partners import routes  # noqa: E402,F401
