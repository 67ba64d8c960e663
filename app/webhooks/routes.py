"""Twilio's callbacks: delivery status, and inbound texts (STOP and START).

Both check the X-Twilio-Signature header against the auth token: a request without a valid
signature gets 403 and changes nothing.
"""

from flask import request

from app.extensions import csrf, db
from app.security import visible_text
from app.webhooks import bp
from app.webhooks.signature import require_signature
from casework.audit import Origin
from casework.db import utcnow
from casework.messages.opt_outs import apply_inbound_text
from casework.messages.outbox import apply_delivery_status
from casework.people.contact_details import normalise_phone

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "YES", "UNSTOP"}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@bp.route("/webhooks/twilio/status", methods=["POST"])
@csrf.exempt
def twilio_status():
    """Delivery status for a message we sent; status only ever moves forward."""
    require_signature()
    error = request.form.get("ErrorCode")
    apply_delivery_status(
        db.session,
        request.form.get("MessageSid", ""),
        request.form.get("MessageStatus", "").lower(),
        error=f"Twilio error {error}" if error else None,
        now=utcnow(),
    )
    return "", 204


@bp.route("/webhooks/twilio/inbound", methods=["POST"])
@csrf.exempt
def twilio_inbound():
    """A text to our number: STOP opts the sender out of every text, START opts back in. Each
    message (its MessageSid) is applied once: a replayed STOP after a later START changes
    nothing."""
    require_signature()
    word = visible_text(request.form.get("Body", "")).strip().upper()
    phone, _problem = normalise_phone(request.form.get("From", ""))
    if phone and (word in STOP_WORDS or word in START_WORDS):
        apply_inbound_text(
            db.session,
            request.form.get("MessageSid", ""),
            phone,
            word in STOP_WORDS,
            origin=Origin(ip=request.remote_addr),
            now=utcnow(),
        )
    return EMPTY_TWIML, 200, {"Content-Type": "text/xml"}
