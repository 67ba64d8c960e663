"""The HSB advice line's calls (Twilio Voice): a call arriving, and its outcome.

``/webhooks/twilio/voice`` answers a call with TwiML: inside the line's opening hours it rings
every advisor on duty at once; outside them, or with nobody on duty, it says the line's hours and
takes a voicemail. ``/webhooks/twilio/voice/status`` receives the outcome (the Dial's or the
Record's action). Both check Twilio's signature; each event is applied once.
"""

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from app.auth.session import request_origin
from app.extensions import csrf, db
from app.webhooks import bp
from app.webhooks.signature import public_url, require_signature
from casework.db import utcnow
from casework.hsb.calls import apply_call_status, receive_call
from scheduling.messaging.content import wording_from
from scheduling.service_calendars import hsb_calendar

RING_SECONDS = 25
VOICEMAIL_SECONDS = 180
STATUS_PATH = "/webhooks/twilio/voice/status"
VOICE = "Polly.Amy"


def _hours_words() -> str:
    return (
        "The line is open Monday to Friday, 8am to 8pm, except bank holidays."
        if current_app.config["HSB_LINE_HOURS"].startswith("mon=08:00-20:00")
        else "Please see our website for the line's opening hours."
    )


def _twiml(response: VoiceResponse):
    return str(response), 200, {"Content-Type": "text/xml"}


@bp.route("/webhooks/twilio/voice", methods=["POST"])
@csrf.exempt
def twilio_voice():
    """A call to the advice line: ring the advisors on duty, or take a voicemail."""
    require_signature()
    call = receive_call(
        db.session,
        request.form.get("CallSid", "").strip(),
        request.form.get("From"),
        calendar=hsb_calendar(current_app.config),
        now=utcnow(),
        origin=request_origin(),
    )
    response = VoiceResponse()
    if call.numbers:
        dial = response.dial(action=public_url(STATUS_PATH), method="POST", timeout=RING_SECONDS)
        for number in call.numbers:
            dial.number(number)
        return _twiml(response)
    if call.open:
        opening = "Thank you for calling the harmful sexual behaviour advice line. "
        opening += "No advisor can take your call right now."
    else:
        opening = "Thank you for calling the harmful sexual behaviour advice line. "
        opening += "The line is closed. " + _hours_words()
    response.say(
        opening + " Please leave your name, your role, your organisation and a number to call "
        "you back on after the tone, and an advisor will call you back. "
        "Please do not give the names of any children.",
        voice=VOICE,
        language="en-GB",
    )
    response.record(
        action=public_url(STATUS_PATH), method="POST", max_length=VOICEMAIL_SECONDS, play_beep=True
    )
    return _twiml(response)


@bp.route(STATUS_PATH, methods=["POST"])
@csrf.exempt
def twilio_voice_status():
    """The outcome of a call (answered, missed, a voicemail left), applied once."""
    require_signature()
    contact = apply_call_status(
        db.session,
        request.form.get("CallSid", "").strip(),
        request.form.to_dict(),
        calendar=hsb_calendar(current_app.config),
        wording=wording_from(current_app.config),
        now=utcnow(),
        origin=request_origin(),
    )
    response = VoiceResponse()
    if contact is not None and contact.call_outcome == "missed":
        response.say(
            "Sorry, no advisor could take your call. An advisor will call you back.",
            voice=VOICE,
            language="en-GB",
        )
    elif contact is not None and contact.call_outcome == "voicemail":
        response.say("Thank you. An advisor will call you back.", voice=VOICE, language="en-GB")
    response.hangup()
    return _twiml(response)
