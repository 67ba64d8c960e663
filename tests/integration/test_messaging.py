"""Twilio webhooks (signature, status forward only, STOP and START), reminders, the print
queue, the inbox, and the deadline view."""

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from pypdf import PdfReader
from twilio.request_validator import RequestValidator

from casework.audit import Origin
from casework.db import db
from casework.errors import ValidationError
from casework.messages.models import LetterTemplate, OutboundMessage, SmsOptOut
from casework.messages.print_queue import mark_posted
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from scheduling import sweeps
from scheduling.sweeps import context
from tests.conftest import TWILIO_TOKEN, audit_rows, csrf_token
from tests.factories import create_referrals
from tests.police import SAMPLE, police_csv, police_row

ROOT = Path(__file__).resolve().parents[2]
RECEIVED = datetime(2026, 11, 20, 7, tzinfo=UTC)


@pytest.fixture
def app_overrides(messaging):
    return messaging


@pytest.fixture
def ctx(app):
    return context(app.config)


def sweep(ctx, when: datetime):
    sweeps.mark_breaches(db.session, ctx, now=when)
    sweeps.queue_contact_messages(db.session, ctx, now=when)
    sweeps.queue_reminders(db.session, ctx, now=when)
    return sweeps.dispatch_messages(db.session, ctx, now=when)


def signed_post(client, path: str, form: dict, token: str = TWILIO_TOKEN):
    url = f"http://localhost{path}"
    signature = RequestValidator(token).compute_signature(url, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def sent_sms(ctx) -> OutboundMessage:
    create_referrals(police_csv(police_row(contact_method="SMS")))
    sweep(ctx, datetime(2026, 11, 20, 9, 5, tzinfo=UTC))
    db.session.rollback()
    return db.session.scalars(sa.select(OutboundMessage)).one()


def test_status_callback_moves_status_forward_only(client, ctx):
    message = sent_sms(ctx)
    assert message.status == "sent"
    form = {"MessageSid": message.provider_id, "MessageStatus": "delivered"}
    assert signed_post(client, "/webhooks/twilio/status", form).status_code == 204
    late = {"MessageSid": message.provider_id, "MessageStatus": "sent"}
    assert signed_post(client, "/webhooks/twilio/status", late).status_code == 204
    db.session.rollback()
    assert db.session.get(OutboundMessage, message.id).status == "delivered"


def test_invalid_signature_is_refused_and_changes_nothing(client, ctx):
    message = sent_sms(ctx)
    form = {"MessageSid": message.provider_id, "MessageStatus": "failed"}
    forged = signed_post(client, "/webhooks/twilio/status", form, token="wrong-token")
    missing = client.post("/webhooks/twilio/status", data=form)
    stop = signed_post(
        client,
        "/webhooks/twilio/inbound",
        {"From": "+447700900100", "Body": "STOP", "MessageSid": "SM" + "1" * 32},
        token="wrong-token",
    )
    assert forged.status_code == missing.status_code == stop.status_code == 403
    db.session.rollback()
    assert db.session.get(OutboundMessage, message.id).status == "sent"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SmsOptOut)) == 0
    assert len(audit_rows("security.bad_twilio_signature")) == 3


def test_stop_means_no_more_texts_until_start(client, ctx, fake_twilio, sign_in_as):
    stop = signed_post(
        client,
        "/webhooks/twilio/inbound",
        {"From": "+447700900100", "Body": " stop ", "MessageSid": "SM" + "2" * 32},
    )
    assert stop.status_code == 200 and "<Response>" in stop.get_data(as_text=True)
    create_referrals(police_csv(police_row(contact_method="SMS", mobile_phone="07700 900100")))
    sweep(ctx, datetime(2026, 11, 20, 9, 5, tzinfo=UTC))
    assert fake_twilio.accepted == []
    db.session.rollback()
    [message] = db.session.scalars(sa.select(OutboundMessage)).all()
    assert message.channel == "letter"  # the initial message goes by post instead
    referral = db.session.scalars(sa.select(Referral)).one()
    sign_in_as("team_leader")
    assert "Opted out of texts (STOP)" in client.get(f"/referrals/{referral.id}").get_data(
        as_text=True
    )
    signed_post(
        client,
        "/webhooks/twilio/inbound",
        {"From": "07700 900100", "Body": "START", "MessageSid": "SM" + "3" * 32},
    )
    db.session.rollback()
    assert db.session.get(SmsOptOut, "+447700900100").opted_out is False


def test_after_start_the_first_message_goes_by_text_again(client, ctx, fake_twilio):
    """Of two people who texted STOP, the one who then texted START is texted; the other
    gets a letter. (The sweep asks which numbers opted out once for its whole batch.)"""
    for n, (phone, word) in enumerate((("+447700900100", "STOP"), ("+447700900101", "STOP"))):
        signed_post(
            client,
            "/webhooks/twilio/inbound",
            {"From": phone, "Body": word, "MessageSid": f"SM{n:032d}"},
        )
    signed_post(
        client,
        "/webhooks/twilio/inbound",
        {"From": "+447700900100", "Body": "START", "MessageSid": "SM" + "9" * 32},
    )
    create_referrals(
        police_csv(
            police_row(
                crime_reference="LC-1",
                forename="Ana",
                contact_method="SMS",
                mobile_phone="07700 900100",
            ),
            police_row(
                crime_reference="LC-2",
                forename="Ben",
                contact_method="SMS",
                mobile_phone="07700 900101",
            ),
        )
    )
    sweep(ctx, datetime(2026, 11, 20, 9, 5, tzinfo=UTC))
    assert [sms["To"] for sms in fake_twilio.accepted] == ["+447700900100"]
    db.session.rollback()
    channels = db.session.execute(
        sa.select(Referral.crime_reference, OutboundMessage.channel).join(
            Referral, Referral.id == OutboundMessage.referral_id
        )
    ).all()
    assert sorted(channels) == [("LC-1", "sms"), ("LC-2", "letter")]


def test_a_replayed_stop_after_a_later_start_changes_nothing(client, ctx):
    stop = {"From": "+447700900100", "Body": "STOP", "MessageSid": "SM" + "a" * 32}
    start = {"From": "+447700900100", "Body": "START", "MessageSid": "SM" + "b" * 32}
    signed_post(client, "/webhooks/twilio/inbound", stop)
    signed_post(client, "/webhooks/twilio/inbound", start)
    replayed = signed_post(client, "/webhooks/twilio/inbound", stop)
    assert replayed.status_code == 200  # Twilio is told all is well: nothing to retry
    db.session.rollback()
    assert db.session.get(SmsOptOut, "+447700900100").opted_out is False
    assert len(audit_rows("sms.opt_out")) == 1 and len(audit_rows("sms.opt_in")) == 1
    # and the reverse: a replayed START after a later STOP
    again = {"From": "+447700900100", "Body": "STOP", "MessageSid": "SM" + "c" * 32}
    signed_post(client, "/webhooks/twilio/inbound", again)
    signed_post(client, "/webhooks/twilio/inbound", start)
    db.session.rollback()
    assert db.session.get(SmsOptOut, "+447700900100").opted_out is True


def test_an_sms_queued_before_stop_is_not_sent_after_it(client, ctx, fake_twilio):
    create_referrals(police_csv(police_row(contact_method="SMS", mobile_phone="07700 900100")))
    sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 20, 7, 30, tzinfo=UTC))
    signed_post(
        client,
        "/webhooks/twilio/inbound",
        {"From": "+447700900100", "Body": "STOP", "MessageSid": "SM" + "4" * 32},
    )
    done = sweeps.dispatch_messages(db.session, ctx, now=datetime(2026, 11, 20, 9, 1, tzinfo=UTC))
    assert done["failed"] == 1 and fake_twilio.accepted == []
    db.session.rollback()
    assert "opted out" in db.session.scalars(sa.select(OutboundMessage)).one().error


def test_reminder_the_day_before_inside_service_hours_only(ctx, fake_twilio):
    create_referrals(police_csv(police_row()))
    obligation = db.session.scalars(sa.select(Obligation)).one()
    referral = obligation.referral
    db.session.add(
        Obligation(
            referral_id=referral.id,
            kind="needs_assessment",
            channel="appointment",
            status="due",
            due_at=datetime(2026, 11, 30, 18, tzinfo=UTC),
            booked_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
            created_at=RECEIVED,
        )
    )
    db.session.commit()
    assert (
        sweeps.queue_reminders(db.session, ctx, now=datetime(2026, 11, 22, 12, tzinfo=UTC)) == 0
    )  # Sunday
    assert (
        sweeps.queue_reminders(db.session, ctx, now=datetime(2026, 11, 23, 8, tzinfo=UTC)) == 0
    )  # not open
    assert sweeps.queue_reminders(db.session, ctx, now=datetime(2026, 11, 23, 10, tzinfo=UTC)) == 1
    assert (
        sweeps.queue_reminders(db.session, ctx, now=datetime(2026, 11, 23, 11, tzinfo=UTC)) == 0
    )  # once
    sweeps.dispatch_messages(db.session, ctx, now=datetime(2026, 11, 23, 11, tzinfo=UTC))
    [sms] = fake_twilio.accepted
    assert "needs assessment on Tuesday 24 November at 10:00" in sms["Body"]


def test_no_reminder_when_texting_is_not_safe(ctx):
    create_referrals(police_csv(police_row()))
    obligation = db.session.scalars(sa.select(Obligation)).one()
    obligation.referral.person.safe_to_text = False  # the person's answer rules
    db.session.add(
        Obligation(
            referral_id=obligation.referral_id,
            kind="web_chat",
            channel="web_chat",
            status="due",
            due_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
            booked_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
            created_at=RECEIVED,
        )
    )
    db.session.commit()
    assert sweeps.queue_reminders(db.session, ctx, now=datetime(2026, 11, 23, 10, tzinfo=UTC)) == 0


def test_letters_print_as_pdf_and_posting_meets_the_obligation(client, ctx, sign_in_as):
    create_referrals(police_csv(police_row(contact_method="POST")))
    sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 20, 9, tzinfo=UTC))
    with time_machine.travel("2026-11-20 10:00 +0000", tick=False):
        sign_in_as("team_leader")
        queue = client.get("/letters").get_data(as_text=True)
        assert "1 letter waiting" in queue and "1 Test Street" in queue
        letter = db.session.scalars(sa.select(OutboundMessage)).one()
        pdf = client.get(f"/messages/{letter.id}/letter.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        assert pdf.headers["Content-Type"] == "application/pdf"
        client.post(
            f"/messages/{letter.id}/posted", data={"csrf_token": csrf_token(client, "/letters")}
        )
        assert "no letters waiting" in client.get("/letters").get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalars(sa.select(Obligation)).one().status == "met"
    assert audit_rows("letter.posted")


def test_a_letter_prints_a_name_and_address_outside_latin_1_as_written(client, ctx, sign_in_as):
    """A Polish name and street print as written on the letter (and in its envelope window),
    not as "?ukasz Wi?niewski": the letter's font is embedded, not a core PDF font."""
    row = police_row(
        contact_method="POST",
        forename="Łukasz",
        surname="Wiśniewski",
        address_line_1="12 Żółć Street",
    )
    create_referrals(police_csv(row))
    sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 20, 9, tzinfo=UTC))
    with time_machine.travel("2026-11-20 10:00 +0000", tick=False):
        sign_in_as("team_leader")
        letter = db.session.scalars(sa.select(OutboundMessage)).one()
        pdf = client.get(f"/messages/{letter.id}/letter.pdf")
    assert pdf.status_code == 200
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Łukasz Wiśniewski" in text and "12 Żółć Street" in text
    assert "?" not in text.split("Street")[0]


def test_edited_letter_wording_is_used_for_new_letters(client, ctx, sign_in_as):
    sign_in_as("admin")
    page = "/admin/letters/initial_message"
    client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "title": "Hello",
            "body": "Dear {forename}, call {service_phone}. Ref {reference}.",
        },
    )
    create_referrals(police_csv(police_row(contact_method="POST")))
    sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 20, 9, tzinfo=UTC))
    db.session.rollback()
    letter = db.session.scalars(sa.select(OutboundMessage)).one()
    assert letter.subject == "Hello" and letter.body.startswith("Dear Alex, call 0800")


@pytest.mark.parametrize(
    "body,message",
    [
        ("Costs: {0} pence.", "{0} is not one"),
        ("Brace: {", "a single { or } is not allowed"),
        ("Hi {forename.__class__}", "is not one"),
    ],
)
def test_letter_wording_that_would_stop_letters_is_refused(client, ctx, sign_in_as, body, message):
    sign_in_as("admin")
    page = "/admin/letters/initial_message"
    response = client.post(
        page, data={"csrf_token": csrf_token(client, page), "title": "Hello", "body": body}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalars(sa.select(LetterTemplate)).all() == []
    create_referrals(police_csv(police_row(contact_method="POST")))
    assert (
        sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 20, 9, tzinfo=UTC))
        == 1
    )


def test_every_default_letter_wording_passes_its_own_check():
    from casework.messages.letter_wording import wording_problem
    from scheduling.messaging.content import DEFAULT_LETTERS

    assert {
        kind: wording_problem(body) for kind, (_, body) in DEFAULT_LETTERS.items()
    } == dict.fromkeys(DEFAULT_LETTERS)


def test_inbox_imports_and_archives_and_keeps_failures_with_a_report(app, ctx, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.csv").write_bytes((ROOT / SAMPLE).read_bytes())
    (inbox / "bad.csv").write_bytes(b"not,a,download\n1,2,3\n")
    ctx = sweeps.Context(ctx.calendar, ctx.wording, ctx.sms, ctx.email, inbox)
    results = sweeps.import_inbox(db.session, ctx, now=RECEIVED)
    assert {r["file"] for r in results} == {"good.csv", "bad.csv"}
    assert list(inbox.glob("*.csv")) == []
    [archived] = (inbox / "archive").glob("*-good.csv.json")
    assert json.loads(archived.read_text())["imported"] == 6
    [report] = (inbox / "failed").glob("*-bad.csv.json")
    assert "missing column" in json.loads(report.read_text())["error"]
    assert sweeps.import_inbox(db.session, ctx, now=RECEIVED) == []


def test_deadline_view_shows_overdue_upcoming_and_breaches(
    client, ctx, sign_in_as, create_staff_record, create_team_record
):
    create_referrals((ROOT / SAMPLE).read_bytes())
    team = create_team_record()
    worker = create_staff_record("caseworker", name="Casey Worker", team=team)
    referral = db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == "LC-20261120-0057")
    ).one()
    referral.allocated_to_id = worker.id
    db.session.commit()
    sweeps.mark_breaches(db.session, ctx, now=datetime(2026, 11, 21, 8, tzinfo=UTC))
    with time_machine.travel("2026-11-21 08:00 +0000", tick=False):
        sign_in_as("team_leader", team=team)
        html = client.get("/deadlines").get_data(as_text=True)
    assert "deadlines breached this quarter" in html
    assert "Casey Worker" in html and "LC-20261120-0057" not in html  # references, not crimes
    assert referral.reference in html


def test_d9_key_date_on_a_closed_case_prompts_the_caseworker_the_day_before(
    client, ctx, sign_in_as, smtp_server, create_team_record
):
    create_referrals(police_csv(police_row()))
    team = create_team_record()
    with time_machine.travel("2026-11-20 10:00 +0000", tick=False):
        worker = sign_in_as("caseworker", team=team)
        worker_email = worker.email
        referral = db.session.scalars(sa.select(Referral)).one()
        referral.allocated_to_id, referral.status = worker.id, "closed"
        db.session.commit()
        referral_id = referral.id
        page = f"/referrals/{referral.id}"
        response = client.post(
            f"/referrals/{referral.id}/key-dates",
            data={
                "csrf_token": csrf_token(client, page),
                "kind": "sentencing",
                "event_on": ["30", "11", "2026"],
            },
        )
        assert response.status_code == 302
        past = client.post(
            f"/referrals/{referral.id}/key-dates",
            data={
                "csrf_token": csrf_token(client, page),
                "kind": "court_date",
                "event_on": ["1", "11", "2026"],
            },
        )
        assert past.status_code == 400 and "must be in the future" in past.get_data(as_text=True)
    db.session.rollback()
    prompt = db.session.scalars(
        sa.select(Obligation).where(Obligation.kind == "re_engagement")
    ).one()
    assert prompt.due_at == datetime(2026, 11, 27, 18, tzinfo=UTC)  # the Friday before
    assert (
        sweeps.queue_re_engagement_prompts(
            db.session, ctx, now=datetime(2026, 11, 26, 9, tzinfo=UTC)
        )
        == 0
    )
    day_before = datetime(2026, 11, 27, 9, tzinfo=UTC)
    assert sweeps.queue_re_engagement_prompts(db.session, ctx, now=day_before) == 1
    sweeps.queue_re_engagement_prompts(db.session, ctx, now=day_before + timedelta(hours=1))
    sweeps.dispatch_messages(db.session, ctx, now=day_before + timedelta(hours=1))
    [email] = smtp_server.messages
    assert email["To"] == worker_email and "Re-engage" in email["Subject"]
    # The prompt went to the caseworker, not the person: it is not contact with them.
    with time_machine.travel(day_before + timedelta(hours=2), tick=False):
        sign_in_as("team_leader", team=db.session.merge(team))
        history = client.get(f"/referrals/{referral_id}/contact").get_data(as_text=True)
    assert "No contact yet." in history and "Re engagement" not in history


def test_only_a_letter_can_be_marked_posted(client, ctx, sign_in_as):
    create_referrals(police_csv(police_row(contact_method="SMS")))
    sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 20, 9, tzinfo=UTC))
    sms = db.session.scalars(sa.select(OutboundMessage)).one()
    assert (sms.channel, sms.status) == ("sms", "queued")
    with time_machine.travel("2026-11-20 10:00 +0000", tick=False):
        sign_in_as("team_leader")
        response = client.post(
            f"/messages/{sms.id}/posted",
            data={"csrf_token": csrf_token(client, "/letters")},
            follow_redirects=True,
        )
    assert response.status_code == 200
    assert "Only a letter can be marked as posted" in response.get_data(as_text=True)
    db.session.rollback()
    unchanged = db.session.get(OutboundMessage, sms.id)
    assert (unchanged.status, unchanged.sent_at, unchanged.posted_by_id) == ("queued", None, None)
    assert db.session.scalars(sa.select(Obligation)).one().status == "due"
    assert audit_rows("letter.posted") == []


def test_another_teams_letter_cannot_be_marked_posted(
    client, ctx, sign_in_as, create_staff_record, create_team_record
):
    create_referrals(police_csv(police_row(contact_method="POST")))
    sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 20, 9, tzinfo=UTC))
    letter = db.session.scalars(sa.select(OutboundMessage)).one()
    theirs = create_staff_record("caseworker", team=create_team_record("County"))
    letter.referral.allocated_to_id = theirs.id
    db.session.commit()
    sign_in_as("caseworker", team=create_team_record("City"))
    response = client.post(
        f"/messages/{letter.id}/posted", data={"csrf_token": csrf_token(client, "/letters")}
    )
    assert response.status_code == 404
    db.session.rollback()
    unchanged = db.session.get(OutboundMessage, letter.id)
    assert (unchanged.status, unchanged.posted_by_id) == ("queued", None)
    assert db.session.scalars(sa.select(Obligation)).one().met_at is None
    assert audit_rows("letter.posted") == []


def test_marking_a_letter_posted_writes_its_audit_row_with_the_change(ctx, create_staff_record):
    create_referrals(police_csv(police_row(contact_method="POST")))
    sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 20, 9, tzinfo=UTC))
    letter = db.session.scalars(sa.select(OutboundMessage)).one()
    staff = create_staff_record("caseworker")
    posted_at = datetime(2026, 11, 20, 10, tzinfo=UTC)
    mark_posted(db.session, letter.id, actor=staff, origin=Origin(ip="192.0.2.7"), now=posted_at)
    db.session.rollback()
    assert db.session.get(OutboundMessage, letter.id).status == "posted"
    [row] = audit_rows("letter.posted")
    assert (row.actor_id, row.record_id, row.at, row.ip) == (
        staff.id,
        str(letter.referral_id),
        posted_at,
        "192.0.2.7",
    )
    assert row.person_id is not None
    assert row.detail_dict == {"message_id": letter.id}
    with pytest.raises(ValidationError, match="already been marked as posted"):
        mark_posted(db.session, letter.id, actor=staff, origin=Origin(), now=posted_at)
    assert len(audit_rows("letter.posted")) == 1


def test_a_sender_cannot_claim_a_message_put_back_to_wait_for_its_retry(ctx):
    """Two senders: one listed the message, the other sent it, failed and put it back to wait.
    The first must not take it before its retry time (nor one not yet due at all)."""
    from casework.messages import outbox

    create_referrals(police_csv(police_row(contact_method="SMS")))
    queued_at = datetime(2026, 11, 20, 9, 5, tzinfo=UTC)
    sweeps.queue_contact_messages(db.session, ctx, now=queued_at)
    message = db.session.scalars(sa.select(OutboundMessage)).one()
    message.next_attempt_at = queued_at + timedelta(minutes=1)  # as a retryable failure leaves it
    db.session.commit()
    assert outbox.claim_many(db.session, [message.id], queued_at) == []
    db.session.rollback()
    assert db.session.get(OutboundMessage, message.id).status == "queued"
    later = queued_at + timedelta(minutes=1)
    assert outbox.claim_many(db.session, [message.id], later) == [message.id]


def test_stop_with_invisible_characters_still_stops_texts(client, ctx):
    """Forms lose their invisible characters; Twilio's webhooks keep them (its signature is
    over what it sent), but a STOP with a right-to-left mark or override is still STOP."""
    for n, body in enumerate(("\u202eSTOP", "\u200fstop\u200e")):
        reply = signed_post(
            client,
            "/webhooks/twilio/inbound",
            {"From": f"+44770090010{n}", "Body": body, "MessageSid": f"SM{n}" + "7" * 31},
        )
        assert reply.status_code == 200
    assert audit_rows("security.bad_twilio_signature") == []
    db.session.rollback()
    assert sorted(db.session.scalars(sa.select(SmsOptOut.phone))) == [
        "+447700900100",
        "+447700900101",
    ]
