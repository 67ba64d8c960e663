"""Follow-up sessions (issue 16, deliverable 5): booking inside the line's hours, the emailed
confirmation with its calendar invitation (through the real local SMTP server), the reminder the
working day before, held or missed, moved and cancelled."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from casework.db import db
from casework.hsb.models import AdviceSession
from casework.messages.models import OutboundMessage
from scheduling.sweeps import context
from scheduling.sweeps.dispatch import dispatch_messages
from tests.conftest import audit_rows, csrf_token, post_form, sign_in
from tests.integration.hsb_helpers import make_contact


@pytest.fixture
def app_overrides(messaging):
    return messaging


def booking(**fields) -> dict:
    """The booking form's fields; ``day-day``, ``day-month`` and ``day-year`` change the
    date, posted as the page's three boxes."""
    values = {
        "day-day": "26",
        "day-month": "10",
        "day-year": "2026",
        "start_time": "10:00",
        "duration": "60",
        "means": "video",
        "joining_details": "https://meet.example.org/hsb-abc, PIN 1234; ask for Jo",
        "notes": "Whole-school policy review",
        **fields,
    }
    values["day"] = [values.pop("day-day"), values.pop("day-month"), values.pop("day-year")]
    return values


def sessions() -> list[AdviceSession]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AdviceSession).order_by(AdviceSession.id)))


def outbox() -> list[OutboundMessage]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id)))


def send_due(app, when: datetime) -> dict:
    return dispatch_messages(db.session, context(app.config), now=when)


def calendar_of(message) -> str:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "invite.ics"
    return part.get_content()


def unfolded(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").replace("\n ", "").splitlines()


def book(client, contact, follow_redirects=False, **fields):
    path = f"/advice-line/contacts/{contact.id}/sessions/new"
    return post_form(client, path, booking(**fields), follow_redirects=follow_redirects)


def test_booking_emails_an_invitation_with_the_right_time_across_the_clock_change(
    app, sign_in_as, client, smtp_server
):
    # Booked on 1 October 2026 (BST) for Monday 26 October 2026, the day after the clocks go
    # back: 10:00 GMT is 10:00 UTC (it would be 09:00 UTC in summer time).
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app)
        response = book(client, contact, follow_redirects=True)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Session booked for Monday 26 October 2026 at 10:00" in page
        [booked] = sessions()
        uid = booked.ics_uid
        assert booked.starts_at == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)
        assert booked.status == "booked" and booked.ics_uid
        invite, reminder = outbox()
        assert invite.channel == "email" and invite.advice_contact_id == contact.id
        assert invite.recipient == "dsl@school.example"
        assert invite.attachment_type == "text/calendar"
        # The reminder: 09:00 on Friday 23 October, still summer time, so 08:00 UTC.
        assert reminder.send_after == datetime(2026, 10, 23, 8, 0, tzinfo=UTC)
        assert reminder.attachment is None
        assert "Reminder due Friday 23 October 2026 at 09:00" in client.get(
            f"/advice-line/contacts/{contact.id}"
        ).get_data(as_text=True)
        assert send_due(app, datetime(2026, 10, 1, 9, 0, tzinfo=UTC))["sent"] == 1
    [email] = smtp_server.messages
    assert email["To"] == "dsl@school.example"
    assert "Monday 26 October 2026 at 10:00" in email.get_body(("plain",)).get_content()
    lines = unfolded(calendar_of(email))
    assert "METHOD:REQUEST" in lines
    assert f"UID:{uid}" in lines and "SEQUENCE:0" in lines
    assert "DTSTART:20261026T100000Z" in lines and "DTEND:20261026T110000Z" in lines
    assert "LOCATION:https://meet.example.org/hsb-abc\\, PIN 1234\\; ask for Jo" in lines
    assert [e.record_id for e in audit_rows("advice_session.booked")] == ["1"]


def test_the_reminder_goes_the_working_day_before_christmas_bank_holidays(
    app, sign_in_as, client, smtp_server
):
    # Tuesday 29 December 2026: Monday 28 (Boxing Day's substitute) and Friday 25 December
    # are bank holidays, so the reminder goes on Thursday 24 December at 09:00.
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app)
        assert (
            book(
                client,
                contact,
                **{"day-day": "29", "day-month": "12", "day-year": "2026", "start_time": "14:00"},
            ).status_code
            == 302
        )
        send_due(app, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    reminder = [m for m in outbox() if m.kind == "hsb_session_reminder"][0]
    assert reminder.send_after == datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
    assert send_due(app, datetime(2026, 12, 24, 8, 59, tzinfo=UTC))["sent"] == 0
    assert len(smtp_server.messages) == 1
    assert send_due(app, datetime(2026, 12, 24, 9, 0, tzinfo=UTC))["sent"] == 1
    assert smtp_server.messages[1]["Subject"].startswith("Reminder: your follow-up session")


def test_no_reminder_when_its_moment_has_passed_and_the_page_says_so(app, sign_in_as, client):
    with time_machine.travel(datetime(2026, 12, 24, 10, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app)
        page = book(
            client,
            contact,
            follow_redirects=True,
            **{"day-day": "29", "day-month": "12", "day-year": "2026", "start_time": "14:00"},
        ).get_data(as_text=True)
        assert "No reminder will be sent" in page
        assert [m.kind for m in outbox()] == ["hsb_session_invite"]


def test_a_professional_without_an_email_still_gets_a_session_with_a_note(app, sign_in_as, client):
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app, email=None)
        form = client.get(f"/advice-line/contacts/{contact.id}/sessions/new")
        assert "no confirmation or reminder will be emailed" in form.get_data(as_text=True)
        page = book(client, contact, follow_redirects=True).get_data(as_text=True)
        assert "No confirmation or reminder was emailed" in page
        assert len(sessions()) == 1 and outbox() == []


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"day-day": "24"}, "The line is closed that day"),  # Saturday 24 October 2026
        (
            {"start_time": "07:30"},
            "within the line&#39;s hours",
        ),
        ({"start_time": "19:30"}, "within the line&#39;s hours"),  # ends 20:30
        ({"day-day": "30", "day-month": "9"}, "The session must be in the future"),
        (
            {"start_time": "25:00"},
            "Enter the start time as hours and minutes",
        ),
        ({"start_time": ""}, "Enter the start time"),
        ({"day-day": "", "day-month": "", "day-year": ""}, "Enter the session&#39;s date"),
        ({"day-day": "31", "day-month": "2"}, "must be a real date"),
        ({"means": ""}, "Select how the session will happen"),
        ({"means": "carrier_pigeon"}, "Select how the session will happen"),
        ({"means": "video", "joining_details": ""}, "Enter the video link"),
        ({"duration": "600"}, "Select how long the session is"),
        (
            {"day-day": "25", "day-month": "12"},
            "The line is closed",
        ),  # Christmas Day, a Friday
    ],
)
def test_bad_bookings_are_refused_and_nothing_is_stored(app, sign_in_as, client, fields, message):
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app)
        response = book(client, contact, **fields)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert sessions() == [] and outbox() == []


def test_held_or_missed_only_after_the_start(app, sign_in_as, client):
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False) as clock:
        advisor = sign_in_as("hsb_advisor")
        contact = make_contact(app)
        book(client, contact)
        [booked] = sessions()
        page = f"/advice-line/sessions/{booked.id}"
        early = post_form(
            client,
            page + "/outcome",
            {"outcome-outcome": "held", "outcome-version": "1"},
            token_from=page,
            follow_redirects=True,
        )
        assert "only after its start time" in early.get_data(as_text=True)
        assert sessions()[0].status == "booked"
        clock.move_to(datetime(2026, 10, 26, 10, 30, tzinfo=UTC))
        sign_in(client, advisor.email)  # signed out while away
        post_form(
            client,
            page + "/outcome",
            {"outcome-outcome": "held", "outcome-version": "1"},
            token_from=page,
        )
        assert sessions()[0].status == "held"
        assert len(audit_rows("advice_session.held")) == 1


def test_cancelling_sends_a_cancellation_and_withdraws_the_reminder(
    app, sign_in_as, client, smtp_server
):
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app)
        book(client, contact)
        [booked] = sessions()
        uid = booked.ics_uid
        page = f"/advice-line/sessions/{booked.id}"
        # One click never cancels: the session page links to a page that says the professional
        # is emailed at once, and asks; opening it changes and sends nothing.
        assert 'name="cancel-version"' not in client.get(page).get_data(as_text=True)
        before = {m.id for m in outbox()}
        asked = client.get(page + "/cancel").get_data(as_text=True)
        assert "Cancel the session on" in asked and "emailed a cancellation" in asked
        assert "Keep the session" in asked and 'name="cancel-version"' in asked
        assert sessions()[0].status == "booked" and {m.id for m in outbox()} == before
        done = post_form(
            client,
            page + "/cancel",
            {"cancel-version": "1"},
            token_from=page,
            follow_redirects=True,
        ).get_data(as_text=True)
        assert "Session cancelled" in done and "Its reminder was withdrawn" in done
        # Asked again after it is cancelled: back to the session, nothing to confirm.
        assert client.get(page + "/cancel").headers["Location"].endswith(page)
        assert sessions()[0].status == "cancelled"
        kinds = {m.kind: m for m in outbox()}
        assert kinds["hsb_session_reminder"].status == "not_sent"
        assert "cancelled" in kinds["hsb_session_reminder"].error
        send_due(app, datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    send_due(app, datetime(2026, 10, 23, 8, 0, tzinfo=UTC))  # the reminder's time: nothing more
    invite, cancellation = smtp_server.messages
    lines = unfolded(calendar_of(cancellation))
    assert "METHOD:CANCEL" in lines and "STATUS:CANCELLED" in lines
    assert f"UID:{uid}" in lines and "SEQUENCE:1" in lines
    assert "DTSTART:20261026T100000Z" in lines
    assert 'method="CANCEL"' in cancellation.as_string()
    assert len(audit_rows("advice_session.cancelled")) == 1


def test_a_second_session_overlapping_a_booked_one_is_refused_naming_it(app, sign_in_as, client):
    """Booking the same professional twice for the same time (a second tab, a form sent twice)
    says which session is already booked, and sends nothing; a time after it is fine, and a
    session moved to overlap its own old time is not refused by itself."""
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app)
        book(client, contact)
        sent = len(outbox())
        again = book(client, contact, start_time="10:30", duration="30")
        html = again.get_data(as_text=True)
        assert again.status_code == 400
        assert "already booked for Monday 26 October 2026 at 10:00" in html
        assert len(sessions()) == 1 and len(outbox()) == sent
        assert book(client, contact, start_time="11:00", duration="30").status_code == 302
        first = sessions()[0]
        moved = post_form(
            client,
            f"/advice-line/sessions/{first.id}",
            booking(**{"start_time": "10:15", "duration": "30", "version": "1"}),
        )
        assert moved.status_code == 302
        clash = post_form(
            client,
            f"/advice-line/sessions/{sessions()[1].id}",
            booking(**{"start_time": "10:30", "duration": "30", "version": "1"}),
        )
        assert clash.status_code == 400
        assert "already booked for Monday 26 October 2026 at 10:15" in clash.get_data(as_text=True)


def test_moving_a_session_books_a_new_one_and_cancels_the_old(app, sign_in_as, client, smtp_server):
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app)
        book(client, contact)
        [old] = sessions()
        page = f"/advice-line/sessions/{old.id}"
        moved = post_form(
            client,
            page,
            booking(**{"day-day": "27", "start_time": "15:30", "duration": "30", "version": "1"}),
            follow_redirects=True,
        ).get_data(as_text=True)
        assert "Session moved for Tuesday 27 October 2026 at 15:30" in moved
        old, new = sessions()
        new_uid = new.ics_uid
        assert old.status == "rescheduled" and old.replaced_by_id == new.id
        assert new.status == "booked" and new.ics_uid != old.ics_uid
        assert new.starts_at == datetime(2026, 10, 27, 15, 30, tzinfo=UTC)
        by_key = {m.dedupe_key: m for m in outbox()}
        assert by_key[f"hsb-session-{old.id}-reminder"].status == "not_sent"
        assert by_key[f"hsb-session-{new.id}-reminder"].status == "queued"
        assert by_key[f"hsb-session-{new.id}-reminder"].send_after == datetime(
            2026, 10, 26, 9, 0, tzinfo=UTC
        )
        send_due(app, datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
        # The same form again, now stale: refused, nothing changed.
        late = post_form(
            client, page, booking(**{"day-day": "28", "version": "1"}), token_from=page
        )
        assert late.status_code == 400 and "Someone changed this session" in late.get_data(
            as_text=True
        )
        assert len(sessions()) == 2
    first, cancel_old, invite_new = smtp_server.messages
    assert "METHOD:CANCEL" in unfolded(calendar_of(cancel_old))
    new_lines = unfolded(calendar_of(invite_new))
    assert f"UID:{new_uid}" in new_lines and "DTSTART:20261027T153000Z" in new_lines
    assert (
        "has moved from Monday 26 October 2026 at 10:00"
        in invite_new.get_body(("plain",)).get_content()
    )


def test_a_stale_cancel_is_refused(app, sign_in_as, client):
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app)
        book(client, contact)
        [booked] = sessions()
        page = f"/advice-line/sessions/{booked.id}"
        token = csrf_token(client, page)
        response = client.post(
            page + "/cancel",
            data={"cancel-version": "7", "csrf_token": token},
            follow_redirects=True,
        )
        assert "Someone changed this session" in response.get_data(as_text=True)
        assert sessions()[0].status == "booked"


@pytest.mark.parametrize("role", ["caseworker", "volunteer", "analyst"])
def test_others_are_refused_on_every_page(app, sign_in_as, client, create_staff_record, role):
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        contact = make_contact(app)
        book(client, contact)
        [booked] = sessions()
        other = app.test_client()
        sign_in(other, create_staff_record(role).email)
        for path in (
            f"/advice-line/contacts/{contact.id}/sessions/new",
            f"/advice-line/sessions/{booked.id}",
        ):
            assert other.get(path).status_code == 403, path
        for path in (
            f"/advice-line/contacts/{contact.id}/sessions/new",
            f"/advice-line/sessions/{booked.id}",
            f"/advice-line/sessions/{booked.id}/outcome",
            f"/advice-line/sessions/{booked.id}/cancel",
        ):
            assert other.post(path, data=booking()).status_code in (400, 403), path
        assert sessions()[0].status == "booked" and len(sessions()) == 1
