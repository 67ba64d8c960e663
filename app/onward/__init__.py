"""A case's Onward referrals tab: consent to share, referrals to registry agencies (target
hardening, mental health nurses, the sexual violence and domestic abuse services, any other),
sent by secure email or made by phone, and their outcomes (issue 14)."""

from flask import Blueprint

bp = Blueprint("onward", __name__)

from app.onward import routes  # noqa: E402,F401
