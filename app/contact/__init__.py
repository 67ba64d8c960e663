"""Recording contact on a referral, the letters print queue, the deadline view, and the Twilio
webhooks."""

from flask import Blueprint

bp = Blueprint("contact", __name__)

from app.contact import routes  # noqa: E402,F401
