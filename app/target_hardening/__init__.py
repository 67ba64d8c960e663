"""What the target-hardening contractor reports back on a referral, recorded by staff, and the
target-hardening report (Lot 2 sections 3.1, 4, 6 and 7)."""

from flask import Blueprint

bp = Blueprint("target_hardening", __name__)

from app.target_hardening import routes  # noqa: E402,F401
