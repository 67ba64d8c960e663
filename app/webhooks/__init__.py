"""The telephony provider's signed callbacks (Twilio): delivery statuses, inbound texts, and
the HSB advice line's calls."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from app.webhooks import routes, voice  # noqa: E402,F401
