"""The HSB advice line's contacts (issue 16): the public /professionals form, advisors logging
an email or a chat, the professional's details, recording advice (case and policy), redaction,
and the guidance wording beside each choice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin
from casework.db import db, utcnow
from casework.hsb.contacts import Professional, create_contact
from casework.hsb.models import (
    AdviceContact,
    AdviceGuidance,
    AdviceResource,
    AdviceSession,
    ResourceGiven,
)
from scheduling.service_calendars import hsb_calendar
from tests.conftest import audit_rows, csrf_token, post_form, sent_twice
from tests.integration.hsb_helpers import callback_form

# A Tuesday in term, inside the line's hours (10:00 GMT).
TUESDAY_MORNING = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)

GOOD_REQUEST = {
    "name": "Sam Carter",
    "role": "Designated safeguarding lead",
    "setting_type": "primary",
    "organisation": "Brook Lane Primary",
    "local_authority": "Leicester City",
    "region": "east_midlands",
    "email": "Sam.Carter@School.example.org",
    "phone": "0116 496 0123",
    "about": "case_advice",
    "request_text": "A 9-year-old in year 5 has been touching other pupils in the toilets.",
    "confidence_identify": "2",
    "confidence_respond": "3",
}


def contacts() -> list[AdviceContact]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AdviceContact).order_by(AdviceContact.id)))


def fresh(contact_id: int) -> AdviceContact:
    db.session.rollback()
    return db.session.get(AdviceContact, contact_id)


@pytest.fixture
def on_tuesday():
    """Tuesday morning, frozen from before anyone signs in (sessions are timed)."""
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        yield


@pytest.fixture
def advisor(sign_in_as, create_team_record):
    return sign_in_as("hsb_advisor", team=create_team_record(service="hsb"))


@pytest.fixture
def make_contact(app):
    """Factory: a web-form contact received now (through the real service)."""

    def _make(**fields):
        now = utcnow()
        contact = create_contact(
            db.session,
            channel=fields.pop("channel", "web_form"),
            received_at=fields.pop("received_at", now),
            calendar=hsb_calendar(app.config),
            now=now,
            origin=Origin.command_line("test"),
            professional=Professional(
                professional_name="Alex Reed", email="alex@example.org", setting_type="secondary"
            ),
            request_text=fields.pop("request_text", "Year 8 pupils sharing images."),
        )
        for name, value in fields.items():
            setattr(contact, name, value)
        db.session.commit()
        return contact

    return _make


# --- the public form ------------------------------------------------------------------------


@time_machine.travel(TUESDAY_MORNING, tick=False)
def test_professional_asks_for_advice_and_sees_the_confirmation(client):
    page = client.get("/professionals").get_data(as_text=True)
    assert "Do not give a child’s name" in page
    assert "Monday to Friday, 8am to 8pm" in page

    response = post_form(client, "/professionals", GOOD_REQUEST)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/professionals/sent")
    sent = client.get("/professionals/sent").get_data(as_text=True)
    assert "Request sent" in sent
    assert "within 4 hours of the line opening" in sent

    [made] = contacts()
    assert made.channel == "web_form"
    assert made.email == "sam.carter@school.example.org"
    assert made.phone == "+441164960123"
    assert made.setting_type == "primary" and made.region == "east_midlands"
    assert (made.confidence_identify_before, made.confidence_respond_before) == (2, 3)
    assert made.kind == "case_advice"
    assert not made.out_of_hours
    assert made.obligations == []  # inside hours: no callback
    assert [e.detail_dict["channel"] for e in audit_rows("advice_contact.created")] == ["web_form"]
    # The confirmation is shown once.
    assert client.get("/professionals/sent").status_code == 302


def test_no_advice_is_written_on_an_anonymised_contact(client, advisor, make_contact):
    made = make_contact(anonymised_at=utcnow(), professional_name=None, email=None)
    response = _advise(client, made, CASE)
    assert response.status_code == 400
    assert "has been anonymised" in response.get_data(as_text=True)
    assert fresh(made.id).what_happened is None and fresh(made.id).advised_at is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your name"),
        ({"name": "x" * 121}, "name", "120 characters or fewer"),
        ({"role": "x" * 121}, "role", "120 characters or fewer"),
        ({"organisation": "x" * 201}, "organisation", "200 characters or fewer"),
        ({"local_authority": "x" * 101}, "local_authority", "100 characters or fewer"),
        ({"setting_type": "castle"}, "setting_type", "Select the type of setting"),
        ({"region": "wales"}, "region", "Select the region"),
        ({"email": "not-an-email"}, "email", "correct format"),
        ({"phone": "12"}, "phone", "Enter a UK phone number"),
        ({"email": "", "phone": ""}, "email", "Enter an email address or a phone number"),
        ({"request_text": "  "}, "request_text", "Tell us what you need"),
        ({"request_text": "x" * 4001}, "request_text", "4,000 characters or fewer"),
        ({"about": ""}, "about", "case or incident, or policy"),
        ({"about": "gossip"}, "about", "case or incident, or policy"),
        ({"confidence_identify": "9"}, "confidence_identify", "from the scale"),
    ],
)
def test_each_invalid_answer_is_refused_and_nothing_is_stored(client, changes, field, message):
    response = post_form(client, "/professionals", {**GOOD_REQUEST, **changes})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'href="#{field}"' in page
    assert contacts() == []


def test_confidence_is_optional_and_only_one_way_to_reach_is_needed(client):
    answers = {**GOOD_REQUEST, "confidence_identify": "", "confidence_respond": "", "email": ""}
    assert post_form(client, "/professionals", answers).status_code == 302
    [made] = contacts()
    assert made.email is None and made.phone == "+441164960123"
    assert made.confidence_identify_before is None


def test_a_form_without_its_csrf_token_is_refused(client):
    response = client.post("/professionals", data=GOOD_REQUEST)
    assert response.status_code == 400
    assert contacts() == []


def test_a_known_professional_sees_the_same_confirmation(client, make_contact):
    make_contact(email="sam.carter@school.example.org")
    pages = []
    for email in ("sam.carter@school.example.org", "someone.new@example.org"):
        response = post_form(client, "/professionals", {**GOOD_REQUEST, "email": email})
        assert response.status_code == 302
        pages.append(client.get(response.headers["Location"]).get_data(as_text=True))
    strip = [p.split('name="csrf_token"')[0] for p in pages]
    assert strip[0] == strip[1]
    assert len(contacts()) == 3


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        # Saturday 11:00: the line opens Monday 08:00 GMT.
        (datetime(2026, 11, 21, 11, 0, tzinfo=UTC), datetime(2026, 11, 23, 12, 0, tzinfo=UTC)),
        # Christmas Day (Friday) then the Boxing Day substitute (Monday 28th): Tuesday 29th.
        (datetime(2026, 12, 25, 10, 0, tzinfo=UTC), datetime(2026, 12, 29, 12, 0, tzinfo=UTC)),
        # Friday 20:30 BST, and the clocks go back on Sunday: Monday 08:00 GMT.
        (datetime(2026, 10, 23, 19, 30, tzinfo=UTC), datetime(2026, 10, 26, 12, 0, tzinfo=UTC)),
        # Monday 07:59 UK time: a minute before opening.
        (datetime(2026, 11, 23, 7, 59, tzinfo=UTC), datetime(2026, 11, 23, 12, 0, tzinfo=UTC)),
    ],
)
def test_a_request_sent_out_of_hours_gets_a_callback_due_four_hours_after_opening(
    client, sent, due
):
    with time_machine.travel(sent, tick=False):
        assert post_form(client, "/professionals", GOOD_REQUEST).status_code == 302
    [made] = contacts()
    assert made.out_of_hours
    [callback] = made.obligations
    assert callback.kind == "callback"
    assert callback.due_at == due


class TestRateLimit:
    @pytest.fixture
    def app_overrides(self):
        return {
            "RATELIMIT_ENABLED": True,
            "PUBLIC_FORM_RATE_LIMIT": "2 per hour",
            "RATELIMIT_STORAGE_URI": "memory://",
        }

    def test_the_public_form_is_rate_limited(self, client):
        for _ in range(2):
            post_form(client, "/professionals", GOOD_REQUEST)
        blocked = post_form(client, "/professionals", GOOD_REQUEST)
        assert blocked.status_code == 429
        assert client.get("/professionals").status_code == 200
        assert len(contacts()) == 2


# --- advisors log an email or a chat --------------------------------------------------------


def _logged(day: datetime, **extra) -> dict:
    return {
        "received_day": [str(day.day), str(day.month), str(day.year)],
        "received_time": "09:15",
        "name": "Priya Shah",
        "role": "Social worker",
        "setting_type": "social_work",
        "email": "priya.shah@council.example.org",
        "request_text": "Two 14-year-olds, one sharing images of the other.",
        **extra,
    }


def test_an_advisor_logs_an_email_with_its_reply(on_tuesday, client, advisor):
    data = _logged(TUESDAY_MORNING, replied_day=["17", "11", "2026"], replied_time="09:45")
    response = post_form(client, "/advice-line/contacts/new?channel=email", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    [made] = contacts()
    assert made.channel == "email"
    assert made.received_at == datetime(2026, 11, 17, 9, 15, tzinfo=UTC)
    assert made.replied_at == datetime(2026, 11, 17, 9, 45, tzinfo=UTC)
    assert made.recorded_by_id == advisor.id
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    assert "Priya Shah" in page and "17 Nov 2026 09:45" in page


def test_the_same_email_form_sent_twice_logs_one_email(on_tuesday, client, advisor):
    sent_twice(client, "/advice-line/contacts/new?channel=email", _logged(TUESDAY_MORNING))
    assert len(contacts()) == 1 and len(audit_rows("advice_contact.created")) == 1


def test_an_advisor_logs_a_chat_with_its_start_and_end(on_tuesday, client, advisor):
    data = _logged(TUESDAY_MORNING, started_time="09:15", ended_time="09:40")
    assert post_form(client, "/advice-line/contacts/new?channel=chat", data).status_code == 302
    [made] = contacts()
    assert made.channel == "chat"
    assert made.ended_at - made.started_at == timedelta(minutes=25)
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    assert "(25 min)" in page


@pytest.mark.parametrize(
    ("channel", "changes", "message"),
    [
        ("email", {"received_time": "11:00"}, "cannot be in the future"),
        ("email", {"received_day": ["", "", ""]}, "Enter when it was received"),
        ("email", {"received_time": "25:00"}, "Enter a time like 14:30"),
        (
            "chat",
            {"received_day": ["17", "11", "2016"]},
            "It must have come in within the last 30 days: check the date",
        ),
        (
            "email",
            {"replied_day": ["17", "11", "2026"], "replied_time": "09:00"},
            "cannot be before the email was received",
        ),
        ("chat", {"started_time": "09:30", "ended_time": "09:20"}, "must end after it started"),
        ("chat", {"started_time": "09:30"}, "Enter when the chat ended"),
        ("email", {"email": ""}, "Enter an email address or a phone number"),
    ],
)
def test_a_logged_contact_with_wrong_times_is_refused(
    on_tuesday, client, advisor, channel, changes, message
):
    response = post_form(
        client, f"/advice-line/contacts/new?channel={channel}", _logged(TUESDAY_MORNING, **changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert contacts() == []


def test_a_logged_contact_without_a_name_asks_for_the_professionals(on_tuesday, client, advisor):
    # The advisor is typing someone else's details: not "Enter your name".
    data = _logged(TUESDAY_MORNING, name="")
    response = post_form(client, "/advice-line/contacts/new?channel=email", data)
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert "Enter the professional's name" in page and "Enter your name" not in page
    assert contacts() == []


def test_a_log_form_with_a_wrong_date_shows_the_other_problems_too(on_tuesday, client, advisor):
    data = _logged(
        TUESDAY_MORNING, received_day=["31", "2", "2026"], name="", request_text="", email=""
    )
    response = post_form(client, "/advice-line/contacts/new?channel=email", data)
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    for message in (
        "Date received must be a real date",
        "Enter the professional's name",
        "Enter what the professional asked",
    ):
        assert message in page, message
    assert contacts() == []


def test_an_email_reply_is_recorded_and_audited(on_tuesday, client, advisor, make_contact):
    made = make_contact(channel="email", received_at=utcnow() - timedelta(hours=2))
    path = f"/advice-line/contacts/{made.id}/reply"
    local = utcnow().astimezone(hsb_calendar(client.application.config).tz)
    one_hour_ago = local - timedelta(hours=1)
    response = post_form(
        client,
        path,
        {
            "replied_day": one_hour_ago.strftime("%d %m %Y").split(),
            "replied_time": one_hour_ago.strftime("%H:%M"),
            "version": str(made.version),
        },
    )
    assert response.status_code == 302
    assert fresh(made.id).replied_at is not None
    assert audit_rows("advice_contact.replied")[0].detail_dict == {"fields": ["replied_at"]}


# Saturday 21 November 2026, 18:00 GMT: the line is closed until Monday 08:00, so an email
# sent now is owed its D8 callback by Monday 12:00.
SATURDAY_EVENING = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)
MONDAY_DUE = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def on_monday_afternoon():
    with time_machine.travel(MONDAY_DUE + timedelta(hours=2), tick=False):
        yield


def _reply(client, contact, day: str, time: str):
    return post_form(
        client,
        f"/advice-line/contacts/{contact.id}/reply",
        {"replied_day": day.split(), "replied_time": time, "version": str(contact.version)},
    )


@pytest.mark.parametrize(
    ("replied", "status"), [("11:30", "met"), ("13:15", "breached")], ids=["in time", "late"]
)
def test_replying_to_an_out_of_hours_email_is_its_callback(
    on_monday_afternoon, client, advisor, make_contact, replied, status
):
    made = make_contact(channel="email", received_at=SATURDAY_EVENING)
    [callback] = fresh(made.id).obligations
    assert callback.due_at == MONDAY_DUE and callback.status == "due"
    assert "Contact " + str(made.id) in client.get("/advice-line").get_data(as_text=True)

    assert _reply(client, made, "23 11 2026", replied).status_code == 302
    [callback] = fresh(made.id).obligations
    assert callback.status == status and callback.met_at is not None
    assert audit_rows("advice_contact.replied")[0].detail_dict["callback_met"] is True
    queue = client.get("/advice-line").get_data(as_text=True)
    assert f">Contact {made.id}<" not in queue
    page = " ".join(client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True).split())
    assert f"Replied to 23 Nov 2026 {replied}" in page
    assert ("after it was due" in page) is (status == "breached")


@pytest.mark.parametrize(
    ("first", "corrected", "status"),
    [("11:30", "13:15", "breached"), ("13:15", "11:30", "met")],
    ids=["corrected to late", "corrected to in time"],
)
def test_a_corrected_reply_time_moves_the_callback_it_met(
    on_monday_afternoon, client, advisor, make_contact, first, corrected, status
):
    made = make_contact(channel="email", received_at=SATURDAY_EVENING)
    assert _reply(client, made, "23 11 2026", first).status_code == 302
    assert _reply(client, fresh(made.id), "23 11 2026", corrected).status_code == 302
    [callback] = fresh(made.id).obligations
    hour, minute = map(int, corrected.split(":"))
    assert callback.met_at == datetime(2026, 11, 23, hour, minute, tzinfo=UTC)
    assert callback.status == status
    page = " ".join(client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True).split())
    assert f"Replied to 23 Nov 2026 {corrected}" in page
    assert ("after it was due" in page) is (status == "breached")
    # The callback is made: the advice's outcome closes the contact.
    assert _advise(client, made, {**CASE, "outcome": "advice_given"}).status_code == 302
    assert fresh(made.id).status == "closed"


def test_an_unanswered_email_points_to_its_reply_and_cannot_be_called_unreachable(
    on_monday_afternoon, client, advisor, make_contact
):
    """An email-only professional has no number, but the reply is the callback: "No phone
    number to call" would drop a missed D8 from the figures, so it is neither offered nor
    accepted, and the Callback section links to recording the reply."""
    made = make_contact(channel="email", received_at=SATURDAY_EVENING)  # email only, no phone
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    assert "For an email, the reply is the callback" in page
    assert f'href="/advice-line/contacts/{made.id}/reply"' in page
    assert "No phone number to call" not in page
    response = callback_form(client, made.id, result="no_number")
    assert response.status_code == 400
    assert "Reply by email: when email is the way to reach them, the reply is the callback" in (
        response.get_data(as_text=True)
    )
    [callback] = fresh(made.id).obligations
    assert callback.status == "due" and callback.met_at is None


def test_a_web_form_request_with_an_email_alone_is_called_back_by_its_reply(
    on_monday_afternoon, client, advisor, make_contact
):
    """The public form's promise is a reply by email or a call; with no phone number given,
    the reply is the callback (as for an email), so a missed D8 cannot be dropped from the
    figures by "No phone number to call"."""
    made = make_contact(received_at=SATURDAY_EVENING)  # the web form: an email address alone
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    assert "gave an email address and no phone number, so a reply by email is the callback" in (
        page
    )
    assert "No phone number to call" not in page
    refused = callback_form(client, made.id, result="no_number")
    assert refused.status_code == 400
    assert "Reply by email" in refused.get_data(as_text=True)
    assert _reply(client, fresh(made.id), "23 11 2026", "13:15").status_code == 302
    [callback] = fresh(made.id).obligations
    assert callback.status == "breached" and callback.met_at is not None  # replied after 12:00
    page = " ".join(client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True).split())
    assert "Replied to 23 Nov 2026 13:15, after it was due" in page


def test_a_request_with_a_phone_number_is_called_not_replied_to(
    on_monday_afternoon, client, advisor, make_contact
):
    made = make_contact(received_at=SATURDAY_EVENING, phone="+447700900123")
    assert client.get(f"/advice-line/contacts/{made.id}/reply").status_code == 404
    refused = _reply(client, made, "23 11 2026", "11:30")
    assert refused.status_code == 404
    [callback] = fresh(made.id).obligations
    assert callback.status == "due" and fresh(made.id).replied_at is None


def test_an_out_of_hours_email_logged_with_its_reply_owes_no_callback(
    on_monday_afternoon, client, advisor
):
    data = _logged(
        SATURDAY_EVENING,
        received_time="18:00",
        replied_day=["23", "11", "2026"],
        replied_time="09:00",
    )
    assert post_form(client, "/advice-line/contacts/new?channel=email", data).status_code == 302
    [made] = contacts()
    [callback] = made.obligations
    assert made.out_of_hours and callback.status == "met"
    assert callback.met_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "fields", [{"phone": "+447700900123"}, {}], ids=["with a phone", "owing no callback"]
)
def test_a_chat_replied_to_by_no_one_has_no_reply_page(client, advisor, make_contact, fields):
    made = make_contact(channel="chat", received_at=MONDAY_DUE, **fields)  # in hours: none owed
    assert client.get(f"/advice-line/contacts/{made.id}/reply").status_code == 404
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    assert "Email replied" not in page


# --- the professional's details -------------------------------------------------------------


def test_details_are_changed_and_a_stale_version_is_refused(client, advisor, make_contact):
    made = make_contact()
    path = f"/advice-line/contacts/{made.id}/details"
    page = client.get(path).get_data(as_text=True)
    assert "Alex Reed" in page
    data = {"name": "Alex Reed-Jones", "email": "alex@example.org", "confidence_identify": "4"}
    stale = post_form(client, path, {**data, "version": str(made.version + 5)})
    assert stale.status_code == 400
    assert "Someone changed this contact" in stale.get_data(as_text=True)
    assert fresh(made.id).professional_name == "Alex Reed"

    response = post_form(client, path, {**data, "version": str(made.version)})
    assert response.status_code == 302
    changed = fresh(made.id)
    assert changed.professional_name == "Alex Reed-Jones"
    assert changed.confidence_identify_before == 4
    [event] = audit_rows("advice_contact.details_changed")
    assert set(event.detail_dict["fields"]) >= {"professional_name", "confidence_identify_before"}
    assert "Alex" not in str(event.detail)


def test_an_anonymised_contact_shows_no_details(client, advisor, make_contact):
    made = make_contact(
        anonymised_at=utcnow(), professional_name=None, email=None, request_text=None
    )
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    assert "was anonymised" in page
    assert "alex@example.org" not in page
    assert client.get(f"/advice-line/contacts/{made.id}/details").status_code == 302


# --- the advice -----------------------------------------------------------------------------

CASE = {
    "kind": "case_advice",
    "child_age": "9",
    "incident_setting": "primary",
    "what_happened": "Touching other pupils in the toilets, more than once.",
    "traffic_light": "amber",
    "continuum": "problematic",
    "risk_of_significant_harm": "no",
    "meets_threshold": "unsure",
    "advice_given": "Record each incident; supervise toilets; speak to the parents.",
}
POLICY = {
    "kind": "policy_advice",
    "policy_topics": ["policy", "staff_training"],
    "advice_given": "Walked through a whole-school approach to HSB.",
}


def _advise(client, made, data):
    return post_form(
        client,
        f"/advice-line/contacts/{made.id}/advice",
        {**data, "version": str(fresh(made.id).version)},
    )


def test_case_advice_is_recorded_and_shown(client, advisor, make_contact):
    made = make_contact()
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    assert "Record the advice" in page
    form = client.get(f"/advice-line/contacts/{made.id}/advice").get_data(as_text=True)
    assert "Follow the setting's safeguarding procedures now" in form.replace("&#39;", "'")
    assert "Hackett's continuum of children's sexual behaviours (2010)" in form.replace(
        "&#39;", "'"
    )
    response = _advise(client, made, CASE)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = fresh(made.id)
    assert (saved.child_age, saved.traffic_light, saved.continuum) == (9, "amber", "problematic")
    assert saved.status == "in_progress" and saved.advisor_id == advisor.id
    assert saved.advised_at is not None and saved.refer_to is None
    [event] = audit_rows("advice_contact.advice_recorded")
    assert "what_happened" in event.detail_dict["fields"]
    assert "toilets" not in str(event.detail)
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    assert "9 years" in page and "Problematic" in page


def test_case_advice_without_the_threshold_answer_says_it_is_not_recorded(
    client, advisor, make_contact
):
    """Advice recorded before the threshold question was asked (as on a demo contact)."""
    made = make_contact()
    assert _advise(client, made, CASE).status_code == 302
    fresh(made.id).meets_threshold = None
    db.session.commit()
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    row = page.split("Meets the local authority threshold")[1].split("</div>")[0]
    assert "Not recorded" in row


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": ""}, "case or incident, or on policy"),
        ({"child_age": ""}, "Enter the child&#39;s age"),
        ({"child_age": "18"}, "from 0 to 17"),
        ({"child_age": "9-11"}, "from 0 to 17"),
        ({"child_age": "8.5"}, "from 0 to 17"),
        ({"incident_setting": ""}, "Select the setting where it happened"),
        ({"what_happened": ""}, "Describe what happened"),
        ({"traffic_light": "purple"}, "on the traffic light"),
        ({"continuum": ""}, "on the continuum"),
        ({"risk_of_significant_harm": ""}, "risk of significant harm"),
        ({"meets_threshold": "maybe"}, "threshold"),
        ({"concern_tags": ["gossip"]}, "Select the concerns from the list"),
        ({"advice_given": " "}, "Enter the advice given"),
        ({"outcome": "magic"}, "Select the outcome from the list"),
        ({"refer_to": "not_advised"}, "Give the reason a referral was not advised"),
        ({"refer_reason": "Because"}, "Only give a reason when a referral was not advised"),
    ],
)
def test_each_case_advice_rule(client, advisor, make_contact, changes, message):
    made = make_contact()
    response = _advise(client, made, {**CASE, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert fresh(made.id).advised_at is None


@pytest.mark.parametrize(
    "changes",
    [
        {"traffic_light": "red"},
        {"continuum": "abusive", "risk_of_significant_harm": "yes"},
        {"continuum": "violent", "risk_of_significant_harm": "yes"},
    ],
)
def test_the_referral_prompt_requires_what_was_advised(client, advisor, make_contact, changes):
    made = make_contact()
    refused = _advise(client, made, {**CASE, **changes})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Advise a referral" in page
    assert "Record the referral advised" in page
    assert (
        _advise(client, made, {**CASE, **changes, "refer_to": "childrens_social_care"}).status_code
        == 302
    )
    assert fresh(made.id).refer_to == "childrens_social_care"
    page = client.get(f"/advice-line/contacts/{made.id}").get_data(as_text=True)
    assert "Advise a referral" in page
    assert "Local authority children&#39;s social care" in page


def test_abusive_without_a_risk_of_significant_harm_does_not_prompt(client, advisor, make_contact):
    made = make_contact()
    assert _advise(client, made, {**CASE, "continuum": "abusive"}).status_code == 302


def test_a_referral_not_advised_needs_its_reason(client, advisor, make_contact):
    made = make_contact()
    data = {**CASE, "traffic_light": "red", "refer_to": "not_advised"}
    assert _advise(client, made, data).status_code == 400
    data["refer_reason"] = "Already referred by the school this morning."
    assert _advise(client, made, data).status_code == 302
    assert fresh(made.id).refer_reason.startswith("Already referred")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"concern_tags": ["online", "radicalisation"]}, "ideology", "Select the ideology"),
        (
            {"concern_tags": ["radicalisation"], "ideology": "mixed"},
            "influencer",
            "Select the main influence",
        ),
        ({"concern_tags": ["online"], "ideology": "mixed"}, "ideology", "Only give an ideology"),
        (
            {"influencer": "familial"},
            "influencer",
            "Only give the main influence when radicalisation",
        ),
    ],
)
def test_radicalisation_needs_its_ideology_and_influence(
    client, advisor, make_contact, changes, field, message
):
    made = make_contact()
    response = _advise(client, made, {**CASE, **changes})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and f'href="#{field}"' in page


def test_radicalisation_advice_is_saved_with_its_types(client, advisor, make_contact):
    made = make_contact()
    data = {
        **CASE,
        "concern_tags": ["online", "radicalisation"],
        "ideology": "extreme_right_wing",
        "influencer": "primarily_online",
    }
    assert _advise(client, made, data).status_code == 302
    saved = fresh(made.id)
    assert saved.concern_tags == ["online", "radicalisation"]
    assert (saved.ideology, saved.influencer) == ("extreme_right_wing", "primarily_online")


def test_policy_advice_needs_a_topic_and_keeps_no_case_answers(
    on_tuesday, client, advisor, make_contact
):
    made = make_contact()
    refused = _advise(client, made, {**POLICY, "policy_topics": []})
    assert refused.status_code == 400
    assert "Select at least one topic" in refused.get_data(as_text=True)
    assert (
        _advise(client, made, {**POLICY, "child_age": "9", "outcome": "advice_given"}).status_code
        == 302
    )
    saved = fresh(made.id)
    assert saved.policy_topics == ["policy", "staff_training"]
    assert saved.child_age is None
    assert saved.status == "closed"


def test_signposting_needs_a_resource_given_first(on_tuesday, client, advisor, make_contact):
    made = make_contact()
    refused = _advise(client, made, {**CASE, "outcome": "signposted"})
    assert refused.status_code == 400
    assert "Give at least one resource from the directory first" in refused.get_data(as_text=True)
    now = utcnow()
    resource = AdviceResource(
        title="HSB toolkit",
        kind="material",
        audiences=["dsl"],
        topic="responding",
        created_by_id=advisor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(resource)
    db.session.flush()
    db.session.add(
        ResourceGiven(
            resource_id=resource.id, contact_id=made.id, given_at=now, given_by_id=advisor.id
        )
    )
    db.session.commit()
    assert _advise(client, made, {**CASE, "outcome": "signposted"}).status_code == 302
    assert fresh(made.id).status == "closed"


def test_a_follow_up_needs_a_session_booked_first(on_tuesday, client, advisor, make_contact):
    made = make_contact()
    refused = _advise(client, made, {**CASE, "outcome": "follow_up_booked"})
    assert "Book the follow-up session first" in refused.get_data(as_text=True)
    now = utcnow()
    db.session.add(
        AdviceSession(
            contact_id=made.id,
            starts_at=now + timedelta(days=2),
            means="video",
            ics_uid="test-session-1",
            booked_by_id=advisor.id,
            status="booked",
            created_at=now,
            updated_at=now,
        )
    )
    db.session.commit()
    assert _advise(client, made, {**CASE, "outcome": "follow_up_booked"}).status_code == 302


def test_a_stale_advice_form_is_refused(client, advisor, make_contact):
    made = make_contact()
    response = post_form(
        client, f"/advice-line/contacts/{made.id}/advice", {**CASE, "version": "99"}
    )
    assert response.status_code == 400
    assert "Someone changed this contact" in response.get_data(as_text=True)
    assert fresh(made.id).advised_at is None


def test_a_contact_is_closed_once_advised(on_tuesday, client, advisor, make_contact):
    made = make_contact()
    path = f"/advice-line/contacts/{made.id}/close"
    token = csrf_token(client, f"/advice-line/contacts/{made.id}/advice")
    client.post(path, data={"csrf_token": token, "version": str(made.version)})
    assert fresh(made.id).status == "new"
    _advise(client, made, CASE)
    version = fresh(made.id).version
    client.post(path, data={"csrf_token": token, "version": str(version)})
    assert fresh(made.id).status == "closed"
    assert audit_rows("advice_contact.closed")


def test_a_contact_owed_a_callback_is_not_closed_until_it_is_made(
    on_monday_afternoon, client, advisor, make_contact
):
    """Closing must not hide a D8 callback never made: the outcome (which closes) and the
    Close button are both refused, saying what to do, until the callback is recorded."""
    made = make_contact(received_at=SATURDAY_EVENING)  # the public form, out of hours
    refused = _advise(client, made, {**CASE, "outcome": "advice_given"})
    assert refused.status_code == 400
    said = refused.get_data(as_text=True)
    assert "A callback is still owed to this professional: they got in touch outside" in said
    assert "Save the advice now without an outcome, record the callback" in said
    assert fresh(made.id).advised_at is None

    assert _advise(client, made, CASE).status_code == 302  # advice without an outcome is kept
    path = f"/advice-line/contacts/{made.id}"
    token = csrf_token(client, f"{path}/advice")
    closing = {"csrf_token": token, "version": str(fresh(made.id).version)}
    page = client.post(f"{path}/close", data=closing, follow_redirects=True)
    assert "A callback is still owed to this professional" in page.get_data(as_text=True)
    assert fresh(made.id).status == "in_progress" and not audit_rows("advice_contact.closed")

    assert callback_form(client, made.id, made_at="09:05").status_code == 302
    closing["version"] = str(fresh(made.id).version)
    page = client.post(f"{path}/close", data=closing, follow_redirects=True)
    assert "Contact closed." in page.get_data(as_text=True)
    assert fresh(made.id).status == "closed"


# --- redaction ------------------------------------------------------------------------------


def test_redaction_replaces_the_words_and_is_audited_without_the_text(
    client, advisor, make_contact
):
    made = make_contact(request_text="Jamie Smith (age 12) shared images; Jamie is upset.")
    path = f"/advice-line/contacts/{made.id}/redact"
    assert "Jamie Smith" in client.get(path).get_data(as_text=True)
    response = post_form(
        client,
        path,
        {
            "field_name": "request_text",
            "how": "words",
            "words": "Jamie Smith, jamie",
            "version": str(made.version),
        },
    )
    assert response.status_code == 302
    saved = fresh(made.id)
    assert saved.request_text == "[redacted] (age 12) shared images; [redacted] is upset."
    assert saved.redacted_at is not None and saved.redacted_by_id == advisor.id
    [event] = audit_rows("advice_contact.redacted")
    assert event.detail_dict == {"field": "request_text", "cleared": False}
    assert all("Jamie" not in str(e.detail) for e in audit_rows())


def test_redaction_can_clear_a_text_and_refuses_words_not_there(client, advisor, make_contact):
    made = make_contact()
    path = f"/advice-line/contacts/{made.id}/redact"
    missing = post_form(
        client,
        path,
        {
            "field_name": "request_text",
            "how": "words",
            "words": "Zed",
            "version": str(made.version),
        },
    )
    assert missing.status_code == 400
    assert "None of those words appear" in missing.get_data(as_text=True)
    stale = post_form(client, path, {"field_name": "request_text", "how": "clear", "version": "77"})
    assert stale.status_code == 400
    assert fresh(made.id).request_text
    cleared = post_form(
        client, path, {"field_name": "request_text", "how": "clear", "version": str(made.version)}
    )
    assert cleared.status_code == 302
    assert fresh(made.id).request_text is None


# --- who may see the advice line's pages ----------------------------------------------------


@pytest.mark.parametrize(
    ("role", "service"),
    [
        ("caseworker", "victim"),
        ("team_leader", "victim"),
        ("volunteer", "victim"),
        ("analyst", "victim"),
    ],
)
def test_others_never_reach_the_advice_line_pages(
    client, app, sign_in_as, create_team_record, make_contact, role, service
):
    made = make_contact(channel="email")
    sign_in_as(role, team=create_team_record(service=service))
    pages = [
        "/advice-line/contacts/new?channel=email",
        "/advice-line/contacts/new?channel=chat",
        f"/advice-line/contacts/{made.id}",
        f"/advice-line/contacts/{made.id}/details",
        f"/advice-line/contacts/{made.id}/reply",
        f"/advice-line/contacts/{made.id}/advice",
        f"/advice-line/contacts/{made.id}/redact",
        "/advice-line/guidance",
        "/advice-line/guidance/traffic_light:red",
    ]
    for page in pages:
        assert client.get(page).status_code in (403, 404), page
    token = csrf_token(client, "/account")
    posts = [p for p in pages if p != "/advice-line/guidance" and not p.endswith(f"/{made.id}")]
    for page in [*posts, f"/advice-line/contacts/{made.id}/close"]:
        response = client.post(page, data={"csrf_token": token, "version": "1", **CASE})
        assert response.status_code in (403, 404), page
    assert fresh(made.id).advised_at is None


# --- the guidance wording -------------------------------------------------------------------


def test_admins_edit_the_guidance_and_advisors_see_it(client, sign_in_as, create_team_record):
    admin = sign_in_as("admin")
    page = client.get("/advice-line/guidance").get_data(as_text=True)
    assert "Traffic light: Red" in page and "Continuum: Violent" in page
    assert "Wording: Waypoint&#39;s own." in page
    path = "/advice-line/guidance/continuum:abusive"
    version = db.session.get(AdviceGuidance, "continuum:abusive")
    token_page = client.get(path).get_data(as_text=True)
    assert "Intrusive" in token_page
    short = post_form(
        client, path, {"text": "Too short", "version": version.updated_at.isoformat()}
    )
    assert short.status_code == 400
    assert "at least 10 characters" in short.get_data(as_text=True)
    long = post_form(client, path, {"text": "x" * 601, "version": version.updated_at.isoformat()})
    assert "600 characters or fewer" in long.get_data(as_text=True)
    stale = post_form(client, path, {"text": "New wording for abusive.", "version": "then"})
    assert "Someone changed this guidance" in stale.get_data(as_text=True)
    saved = post_form(
        client,
        path,
        {"text": "New wording for abusive behaviour.", "version": version.updated_at.isoformat()},
    )
    assert saved.status_code == 302
    db.session.rollback()
    assert db.session.get(AdviceGuidance, "continuum:abusive").text == (
        "New wording for abusive behaviour."
    )
    [event] = audit_rows("advice_guidance.changed")
    assert event.actor_id == admin.id and event.detail_dict == {"key": "continuum:abusive"}

    client.post("/logout", data={"csrf_token": csrf_token(client, "/advice-line/guidance")})
    sign_in_as("hsb_advisor", team=create_team_record(service="hsb"))
    assert "New wording for abusive behaviour." in client.get("/advice-line/guidance").get_data(
        as_text=True
    )
    assert client.get(path).status_code == 403
    assert client.post(path, data={"text": "Advisor's own words here."}).status_code in (400, 403)
    db.session.rollback()
    assert db.session.get(AdviceGuidance, "continuum:abusive").text.startswith("New wording")


def test_the_advice_form_shows_the_edited_guidance(
    client, sign_in_as, create_team_record, make_contact
):
    row = db.session.get(AdviceGuidance, "traffic_light:green")
    if row is None:  # a database emptied between tests rather than migrated
        row = AdviceGuidance(key="traffic_light:green", updated_at=utcnow())
        db.session.add(row)
    row.text = "Our green wording for the advisors."
    db.session.commit()
    sign_in_as("hsb_advisor", team=create_team_record(service="hsb"))
    made = make_contact()
    page = client.get(f"/advice-line/contacts/{made.id}/advice").get_data(as_text=True)
    assert "Our green wording for the advisors." in page
