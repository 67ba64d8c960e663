"""The HSB advice line (issue 16): the advisors' queue of callbacks and new contacts, each
contact's page (who, the advice, resources given, follow-up sessions, evidence of local practice,
feedback), the resource directory, the evidence list, the public /professionals form and the
feedback link, and the monthly monitoring for the funder."""

from flask import Blueprint

bp = Blueprint("advice_line", __name__)

from app.advice_line import (  # noqa: E402,F401
    contact_page,
    contacts,
    evidence,
    feedback,
    queue,
    reports,
    resources,
    sessions,
)
