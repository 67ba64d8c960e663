"""The advice line's calls through Twilio Voice: who is rung, voicemail out of hours or with
nobody on duty, each outcome and its D8 callback, replays, and forged requests. Signatures are
computed with the real twilio RequestValidator."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from twilio.request_validator import RequestValidator

from casework.db import db
from casework.hsb.callbacks import breaches_this_month
from casework.hsb.models import AdviceContact
from casework.messages.models import WebhookReceipt
from casework.obligations.models import Obligation
from scheduling import sweeps
from scheduling.service_calendars import hsb_calendar
from scheduling.sweeps import context
from tests.conftest import TWILIO_TOKEN, audit_rows, csrf_token
from tests.integration.hsb_helpers import callback_form

VOICE = "/webhooks/twilio/voice"
STATUS = "/webhooks/twilio/voice/status"
# Monday 23 November 2026, 10:00 GMT: the line is open.
OPEN = datetime(2026, 11, 23, 10, tzinfo=UTC)
# Monday 23 November 2026, 21:30 GMT: closed until 08:00 on Tuesday.
CLOSED = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)
SID = "CA" + "1" * 32
CALLER = "07700 900123"


@pytest.fixture
def app_overrides():
    return {"TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "PUBLIC_BASE_URL": "http://localhost"}


def signed_post(client, path, form, *, token=TWILIO_TOKEN, base="http://localhost"):
    signature = RequestValidator(token).compute_signature(f"{base}{path}", form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def call_arrives(client, when=OPEN, sid=SID, caller=CALLER):
    with time_machine.travel(when, tick=False):
        return signed_post(client, VOICE, {"CallSid": sid, "From": caller, "To": "+441610000000"})


def outcome(client, form, when=OPEN + timedelta(minutes=5), sid=SID):
    with time_machine.travel(when, tick=False):
        return signed_post(client, STATUS, {"CallSid": sid, **form})


def contacts():
    db.session.rollback()
    return list(db.session.scalars(sa.select(AdviceContact).order_by(AdviceContact.id)))


def callbacks():
    db.session.rollback()
    return list(db.session.scalars(sa.select(Obligation).where(Obligation.kind == "callback")))


@pytest.fixture
def advisors(create_staff_record):
    made = []
    for role, phone, on_duty in [
        ("hsb_advisor", "+447700900201", True),
        ("hsb_advisor", "+447700900202", True),
        ("hsb_advisor", "+447700900203", False),
        ("caseworker", "+447700900204", True),
    ]:
        staff = create_staff_record(role)
        staff.phone, staff.on_duty = phone, on_duty
        made.append(staff)
    db.session.commit()
    return made


def test_inside_hours_the_line_rings_every_advisor_on_duty(client, advisors):
    response = call_arrives(client)
    assert response.status_code == 200
    xml = response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/xml")
    assert '<Dial action="http://localhost/webhooks/twilio/voice/status"' in xml
    assert "<Number>+447700900201</Number>" in xml
    assert "<Number>+447700900202</Number>" in xml
    assert "+447700900203" not in xml and "+447700900204" not in xml  # off duty; not an advisor
    assert "<Record" not in xml
    [contact] = contacts()
    assert contact.channel == "telephone" and contact.call_sid == SID
    assert contact.phone == "+447700900123" and contact.received_at == OPEN
    assert contact.out_of_hours is False and contact.call_outcome is None
    # Until the phone system says it was answered, the caller is owed a callback (D8).
    [callback] = callbacks()
    assert callback.due_at == OPEN + timedelta(hours=4) and callback.status == "due"


def test_nobody_on_duty_takes_a_voicemail_and_owes_a_callback(client):
    xml = call_arrives(client).get_data(as_text=True)
    assert "<Dial" not in xml
    assert '<Record action="http://localhost/webhooks/twilio/voice/status"' in xml
    assert "No advisor can take your call" in xml
    assert "child's name" not in xml.lower() and "name of the child" not in xml.lower()
    [contact] = contacts()
    assert contact.call_outcome == "missed" and contact.out_of_hours is False
    [callback] = callbacks()
    assert callback.due_at == OPEN + timedelta(hours=4)


def test_outside_hours_voicemail_is_out_of_hours_with_one_callback(client, advisors, sign_in_as):
    xml = call_arrives(client, when=CLOSED).get_data(as_text=True)
    assert "<Dial" not in xml and "<Record" in xml
    assert "Monday to Friday, 8am to 8pm" in xml
    [contact] = contacts()
    assert contact.out_of_hours is True
    recorded = outcome(
        client,
        {
            "RecordingUrl": "https://api.twilio.com/rec/RE1",
            "RecordingSid": "RE" + "a" * 32,
            "RecordingDuration": "42",
        },
        when=CLOSED + timedelta(minutes=2),
    )
    assert recorded.status_code == 200
    [contact] = contacts()
    assert contact.call_outcome == "voicemail"
    [callback] = callbacks()
    # 4 of the line's hours after it next opens: Tuesday 08:00 + 4 h = 12:00 GMT.
    assert callback.due_at == datetime(2026, 11, 24, 12, tzinfo=UTC)
    with time_machine.travel(CLOSED + timedelta(minutes=5), tick=False):
        sign_in_as("hsb_advisor")
        page = client.get(f"/advice-line/contacts/{contact.id}").get_data(as_text=True)
    assert "Voicemail left (42 seconds)" in page and "RE" + "a" * 32 in page
    assert "Due in 14 h 25 min" in page


def test_an_answered_call_has_its_start_and_end_and_no_callback(client, advisors):
    call_arrives(client)
    response = outcome(client, {"DialCallStatus": "completed", "DialCallDuration": "240"})
    assert response.status_code == 200
    [contact] = contacts()
    assert contact.call_outcome == "answered"
    assert contact.ended_at == OPEN + timedelta(minutes=5)
    assert contact.started_at == OPEN + timedelta(minutes=1)
    [withdrawn] = callbacks()
    assert withdrawn.status == "cancelled" and withdrawn.met_at is None


def test_an_answered_call_waits_on_the_queue_as_new_with_no_callback_owed(
    client, advisors, sign_in_as
):
    call_arrives(client)
    outcome(client, {"DialCallStatus": "completed", "DialCallDuration": "240"})
    with time_machine.travel(OPEN + timedelta(minutes=6), tick=False):
        sign_in_as("hsb_advisor")
        queue = client.get("/advice-line").get_data(as_text=True)
    [contact] = contacts()
    assert f">Contact {contact.id}<" in queue
    assert "New, no callback owed" in queue and "Outcome not known yet" not in queue


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
def test_a_call_nobody_answered_is_missed_with_a_callback(client, advisors, status):
    call_arrives(client)
    xml = outcome(client, {"DialCallStatus": status}).get_data(as_text=True)
    assert "call you back" in xml
    [contact] = contacts()
    assert contact.call_outcome == "missed"
    [callback] = callbacks()
    assert callback.due_at == OPEN + timedelta(hours=4) and callback.status == "due"


def test_a_voicemail_after_nobody_was_on_duty_keeps_its_one_callback(client):
    call_arrives(client)
    outcome(client, {"RecordingUrl": "https://api.twilio.com/rec/RE2", "RecordingDuration": "30"})
    [contact] = contacts()
    assert contact.call_outcome == "voicemail"
    assert len(callbacks()) == 1


def test_each_event_is_applied_once(client, advisors):
    call_arrives(client)
    call_arrives(client)  # Twilio retried the first webhook
    outcome(client, {"DialCallStatus": "no-answer"})
    outcome(client, {"DialCallStatus": "no-answer"})
    replayed = outcome(client, {"DialCallStatus": "completed", "DialCallDuration": "60"})
    assert replayed.status_code == 200
    [contact] = contacts()
    assert contact.call_outcome == "missed" and contact.started_at is None
    assert len(callbacks()) == 1
    db.session.rollback()
    receipts = set(db.session.scalars(sa.select(WebhookReceipt.event_id)))
    assert receipts == {f"voice:{SID}", f"voice-status:{SID}"}


def test_bad_or_missing_signature_is_refused_and_stores_nothing(client, advisors):
    form = {"CallSid": SID, "From": CALLER}
    with time_machine.travel(OPEN, tick=False):
        forged = signed_post(client, VOICE, form, token="wrong-token")
        missing = client.post(VOICE, data=form)
        status = signed_post(client, STATUS, {**form, "DialCallStatus": "busy"}, token="nope")
        tampered = client.post(
            VOICE,
            data={**form, "From": "07700 900999"},
            headers={
                "X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(
                    "http://localhost" + VOICE, form
                )
            },
        )
    assert {r.status_code for r in (forged, missing, status, tampered)} == {403}
    assert contacts() == [] and callbacks() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookReceipt)) == 0
    assert len(audit_rows("security.bad_twilio_signature")) == 4


def test_a_changed_outcome_for_a_known_call_with_a_bad_signature_changes_nothing(client, advisors):
    call_arrives(client)
    outcome(client, {"DialCallStatus": "completed", "DialCallDuration": "60"})
    with time_machine.travel(OPEN + timedelta(minutes=9), tick=False):
        forged = signed_post(client, STATUS, {"CallSid": SID, "DialCallStatus": "busy"}, token="x")
    assert forged.status_code == 403
    [contact] = contacts()
    assert contact.call_outcome == "answered"
    assert [c.status for c in callbacks()] == ["cancelled"]  # none owed


class TestBehindAProxy:
    @pytest.fixture
    def app_overrides(self):
        return {
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "PUBLIC_BASE_URL": "https://advice.waypoint.example",
        }

    def test_signed_for_the_public_url_is_accepted_and_actions_use_it(self, client, advisors):
        base = "https://advice.waypoint.example"
        with time_machine.travel(OPEN, tick=False):
            response = signed_post(client, VOICE, {"CallSid": SID, "From": CALLER}, base=base)
        assert response.status_code == 200
        assert f'action="{base}/webhooks/twilio/voice/status"' in response.get_data(as_text=True)
        with time_machine.travel(OPEN + timedelta(minutes=3), tick=False):
            status = signed_post(
                client, STATUS, {"CallSid": SID, "DialCallStatus": "busy"}, base=base
            )
        assert status.status_code == 200
        [contact] = contacts()
        assert contact.call_outcome == "missed" and len(callbacks()) == 1


def test_a_call_whose_outcome_never_arrives_is_still_called_back(app, client, advisors, sign_in_as):
    """The status callback can be lost (the provider gave up, a signature was refused): the
    call must not wait for ever as "new" with no clock. Its callback comes due four line
    hours after it arrived, is breached by the sweep, and the advisors' queue shows it."""
    call_arrives(client)
    due = OPEN + timedelta(hours=4)
    breached = sweeps.mark_breaches(db.session, context(app.config), now=due + timedelta(minutes=1))
    assert breached == 1
    [callback] = callbacks()
    assert callback.status == "breached" and callback.breached_at == due + timedelta(minutes=1)
    with time_machine.travel(due + timedelta(minutes=2), tick=False):
        sign_in_as("hsb_advisor")
        queue = client.get("/advice-line").get_data(as_text=True)
    assert "Outcome not known yet" in queue and "New, no callback owed" not in queue
    assert "Callbacks not made within 4 opening hours this month: <strong>1</strong>" in queue


def test_a_call_reported_answered_late_takes_back_the_breach(app, client, advisors):
    """A long call answered: the provider reports it when it ends, after the callback owed
    while its outcome was unknown came due. No callback was ever owed, so the breach goes."""
    call_arrives(client)
    due = OPEN + timedelta(hours=4)
    sweeps.mark_breaches(db.session, context(app.config), now=due + timedelta(minutes=1))
    outcome(
        client,
        {"DialCallStatus": "completed", "DialCallDuration": str(5 * 3600)},
        when=OPEN + timedelta(hours=5, minutes=1),
    )
    [callback] = callbacks()
    assert callback.status == "cancelled" and callback.breached_at is None
    later = due + timedelta(hours=2)
    assert breaches_this_month(db.session, later, hsb_calendar(app.config)) == 0


def test_a_ringing_call_shows_on_the_queue_with_its_outcome_not_known(client, advisors, sign_in_as):
    call_arrives(client)
    with time_machine.travel(OPEN + timedelta(minutes=1), tick=False):
        sign_in_as("hsb_advisor")
        queue = client.get("/advice-line").get_data(as_text=True)
        [contact] = contacts()
        page = client.get(f"/advice-line/contacts/{contact.id}").get_data(as_text=True)
    assert "Outcome not known yet" in queue and "by 23 Nov 2026 14:00" in " ".join(queue.split())
    assert "has not said yet whether this call was answered" in page


def say_by_hand(client, contact, call_outcome, *, version=None):
    path = f"/advice-line/contacts/{contact.id}"
    return client.post(
        f"{path}/call-outcome",
        data={
            "csrf_token": csrf_token(client, path),
            "call_outcome": call_outcome,
            "version": str(contact.version if version is None else version),
        },
        follow_redirects=True,
    )


@pytest.fixture
def advisor_at_noon(client, advisors, sign_in_as):
    """An advisor signed in at noon, two hours after a call rang and nothing was reported."""
    call_arrives(client)
    with time_machine.travel(OPEN + timedelta(hours=2), tick=False):
        yield sign_in_as("hsb_advisor")


def test_an_advisor_says_a_call_whose_report_was_lost_was_answered(client, advisor_at_noon):
    [contact] = contacts()
    page = client.get(f"/advice-line/contacts/{contact.id}").get_data(as_text=True)
    assert "It was answered" in page and "Nobody answered" in page
    said = say_by_hand(client, contact, "answered").get_data(as_text=True)
    assert "Recorded: the call was answered, so no callback is owed." in said
    [contact] = contacts()
    assert contact.call_outcome == "answered" and contact.advisor_id == advisor_at_noon.id
    assert [c.status for c in callbacks()] == ["cancelled"]
    [row] = audit_rows("advice_contact.call_outcome")
    assert row.detail_dict == {"call_outcome": "answered", "by_hand": True}
    assert row.actor_id == advisor_at_noon.id
    # The provider's report, arriving late after all, changes nothing.
    outcome(client, {"DialCallStatus": "no-answer"}, when=OPEN + timedelta(hours=2, minutes=1))
    [contact] = contacts()
    assert contact.call_outcome == "answered"
    assert [c.status for c in callbacks()] == ["cancelled"]


def test_an_advisor_says_nobody_answered_and_the_callback_stays_owed(client, advisor_at_noon):
    [contact] = contacts()
    said = say_by_hand(client, contact, "missed").get_data(as_text=True)
    assert "nobody answered the call, so the callback is still owed" in said
    [contact] = contacts()
    assert contact.call_outcome == "missed"
    [callback] = callbacks()
    assert callback.status == "due" and callback.due_at == OPEN + timedelta(hours=4)
    assert "It was answered" not in said  # the outcome is known: no buttons


@pytest.mark.parametrize(
    ("first", "call_outcome", "version", "message"),
    [
        ("reported", "answered", None, "This call&#39;s outcome is already recorded"),
        (None, "answered", 99, "Someone changed this contact"),
        (None, "voicemail", None, "Say whether the call was answered"),
    ],
    ids=["reported first", "stale page", "not a choice"],
)
def test_a_call_outcome_said_by_hand_is_refused_and_changes_nothing(
    client, advisor_at_noon, first, call_outcome, version, message
):
    [contact] = contacts()
    if first:
        outcome(client, {"DialCallStatus": "no-answer"}, when=OPEN + timedelta(hours=1))
    said = say_by_hand(client, contact, call_outcome, version=version).get_data(as_text=True)
    assert message in said
    [contact] = contacts()
    assert contact.call_outcome == ("missed" if first else None)
    [callback] = callbacks()
    assert callback.status == "due"
    assert not [r for r in audit_rows("advice_contact.call_outcome") if "by_hand" in r.detail_dict]


def test_a_rung_call_from_before_callbacks_were_owed_on_arrival_can_be_settled(
    client, advisor_at_noon
):
    """A call that rang before this rule existed has no callback at all. Its page still
    offers the two answers, and "Nobody answered" gives it the callback it was owed."""
    db.session.execute(sa.delete(Obligation))
    db.session.commit()
    [contact] = contacts()
    page = client.get(f"/advice-line/contacts/{contact.id}").get_data(as_text=True)
    assert "has not said yet whether this call was answered" in page
    assert "Nobody answered" in page and "Until it does" not in page
    say_by_hand(client, contact, "missed")
    [callback] = callbacks()
    assert callback.status == "due" and callback.due_at == OPEN + timedelta(hours=4)


def test_a_call_answered_after_nobody_to_call_needs_its_advice(client, advisors, sign_in_as):
    """A withheld call rings; the advisor records "No phone number to call" before the phone
    system reports it; then the report says it was answered: someone was spoken to, so the
    contact is not closed without its advice."""
    call_arrives(client, caller="anonymous")
    with time_machine.travel(OPEN + timedelta(minutes=10), tick=False):
        sign_in_as("hsb_advisor")
        recorded = callback_form(
            client, 1, made_day=["23", "11", "2026"], made_at="10:05", result="no_number"
        )
        assert recorded.status_code == 302
    outcome(client, {"DialCallStatus": "completed", "DialCallDuration": "300"})
    with time_machine.travel(OPEN + timedelta(minutes=20), tick=False):
        page = client.get("/advice-line/contacts/1").get_data(as_text=True)
        assert "close the contact without it" not in page
        listed = client.get("/advice-line/open").get_data(as_text=True)
        assert "Record the advice" in listed and "Nobody to call" not in listed
        [contact] = contacts()
        closed = client.post(
            "/advice-line/contacts/1/close",
            data={"version": contact.version, "csrf_token": csrf_token(client, "/advice-line")},
        )
        assert "Record the advice given before closing" in client.get(closed.location).get_data(
            as_text=True
        )
    assert contacts()[0].status != "closed"
