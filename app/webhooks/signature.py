"""The X-Twilio-Signature check shared by every Twilio webhook.

Twilio signs the URL it was given, which is the public one (PUBLIC_BASE_URL) when Waypoint runs
behind a proxy; the URL the request arrived at is accepted too (a direct deployment). A request
without a valid signature for either gets 403, audited, and changes nothing.
"""

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

from app.refusals import audit_refusal


def public_url(path: str) -> str:
    """``path`` on the public base URL, as Twilio is told it."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def _signed_urls() -> list[str]:
    query = request.query_string.decode("latin-1")
    public = public_url(request.path) + (f"?{query}" if query else "")
    return [public] if public == request.url else [public, request.url]


def require_signature() -> None:
    """Abort with 403 (audited) unless the request carries a valid Twilio signature."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(token)
    form = request.form.to_dict()
    if (
        not token
        or not signature
        or not any(validator.validate(url, form, signature) for url in _signed_urls())
    ):
        audit_refusal("security.bad_twilio_signature")
        abort(403)
