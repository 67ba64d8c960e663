"""One referral's page, and the team leader's decisions on it: allocate, raise the priority,
decide a possible repeat-victim match."""

from flask import Blueprint

bp = Blueprint("referrals", __name__)

from app.referrals import entry, routes  # noqa: E402,F401
