"""The telephony provider's signed callbacks (Twilio): delivery statuses and inbound texts."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from app.webhooks import routes  # noqa: E402,F401
