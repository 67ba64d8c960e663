"""Professionals' feedback: the one-time link emailed once advice is recorded, the public form
(once, expired, unknown: the same neutral page), negative feedback and its D12 follow-up by an
HSB team leader, and who may do what."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casework.db import db
from casework.hsb.feedback import request_feedback
from casework.hsb.models import AdviceFeedback
from casework.messages.models import OutboundMessage
from casework.obligations.models import Obligation
from tests.conftest import audit_rows, csrf_token, post_form
from tests.hsb_report_factories import ORIGIN, make_contact

LINK = re.compile(r"http://localhost/professionals/feedback/([A-Za-z0-9_-]+)")
GONE = "This link has been used or has expired"


@pytest.fixture
def app_overrides():
    return {"PUBLIC_BASE_URL": "http://localhost"}


@pytest.fixture
def hsb_team(create_team_record):
    return create_team_record("HSB line", service="hsb")


def _answer(client, token: str, identify="4", respond="4", satisfaction="4", comments=""):
    path = f"/professionals/feedback/{token}"
    return post_form(
        client,
        path,
        {
            "confidence_identify": identify,
            "confidence_respond": respond,
            "satisfaction": satisfaction,
            "comments": comments,
        },
    )


def test_an_advisor_emails_a_one_time_link_once_and_only_its_hash_is_stored(
    app, client, sign_in_as, hsb_team
):
    advisor = sign_in_as("hsb_advisor", team=hsb_team)
    contact = make_contact(advised=True, confidence_before=(2, 3))
    page = client.get(f"/advice-line/contacts/{contact.id}").get_data(as_text=True)
    assert "Email a feedback link" in page

    response = post_form(
        client,
        f"/advice-line/contacts/{contact.id}/feedback",
        {},
        token_from=f"/advice-line/contacts/{contact.id}",
        follow_redirects=True,
    )
    assert "Feedback link emailed to the professional." in response.get_data(as_text=True)
    db.session.rollback()
    message = db.session.scalar(sa.select(OutboundMessage))
    assert (message.channel, message.recipient, message.advice_contact_id) == (
        "email",
        "dsl@school.example",
        contact.id,
    )
    assert message.dedupe_key == f"advice-feedback-{contact.id}"
    token = LINK.search(message.body).group(1)
    feedback = db.session.scalar(sa.select(AdviceFeedback))
    assert token not in feedback.token_hash and len(feedback.token_hash) == 64
    assert feedback.expires_at - feedback.sent_at == timedelta(days=30)
    assert [e.actor_id for e in audit_rows("advice_feedback.requested")] == [advisor.id]

    again = post_form(
        client,
        f"/advice-line/contacts/{contact.id}/feedback",
        {},
        token_from=f"/advice-line/contacts/{contact.id}",
        follow_redirects=True,
    )
    assert "A feedback request was sent for this contact already" in again.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage)) == 1
    assert "Not yet (the link works until" in client.get(
        f"/advice-line/contacts/{contact.id}"
    ).get_data(as_text=True)


def test_no_link_before_the_advice_is_recorded_or_without_an_email(
    app, client, sign_in_as, hsb_team
):
    sign_in_as("hsb_advisor", team=hsb_team)
    not_advised = make_contact()
    no_email = make_contact(advised=True, email=None)
    for contact, words in (
        (not_advised, "Record the advice before asking for feedback"),
        (no_email, "There is no email address to send the feedback link to"),
    ):
        response = post_form(
            client,
            f"/advice-line/contacts/{contact.id}/feedback",
            {},
            token_from=f"/advice-line/contacts/{contact.id}",
            follow_redirects=True,
        )
        assert words in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdviceFeedback)) == 0


def _request(contact, now) -> str:
    _, link = request_feedback(
        db.session, contact.id, actor=None, origin=ORIGIN, now=now, base_url="http://localhost"
    )
    return link.rsplit("/", 1)[1]


def test_the_link_works_once_then_says_used_or_expired_like_an_unknown_one(app, client):
    contact = make_contact(advised=True, confidence_before=(3, 3))
    token = _request(contact, datetime.now(UTC))
    form = client.get(f"/professionals/feedback/{token}")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "Do not include any child's name" in html
    assert "How confident are you in identifying harmful sexual behaviour?" in html
    assert "Very dissatisfied" in html

    done = _answer(client, token, "4", "5", "5", "Really helpful, thank you")
    assert done.status_code == 200
    assert "Thank you for your feedback" in done.get_data(as_text=True)
    db.session.rollback()
    feedback = db.session.scalar(sa.select(AdviceFeedback))
    assert (feedback.confidence_identify_after, feedback.confidence_respond_after) == (4, 5)
    assert (feedback.satisfaction, feedback.negative) == (5, False)
    assert feedback.comments == "Really helpful, thank you"
    assert not [o for o in contact.obligations if o.kind == "feedback_follow_up"]
    answered = audit_rows("advice_feedback.answered")
    assert len(answered) == 1 and "Really helpful" not in (answered[0].detail or "")

    used = client.get(f"/professionals/feedback/{token}")
    unknown = client.get("/professionals/feedback/not-a-real-token")
    for response in (used, unknown):
        assert response.status_code == 404
        assert GONE in response.get_data(as_text=True)
    assert used.get_data(as_text=True) == unknown.get_data(as_text=True)
    # A second answer through a page opened before the first was sent changes nothing.
    token_page = csrf_token(client, "/login")
    again = client.post(
        f"/professionals/feedback/{token}",
        data={
            "csrf_token": token_page,
            "confidence_identify": "1",
            "confidence_respond": "1",
            "satisfaction": "1",
        },
    )
    assert again.status_code == 404 and GONE in again.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(AdviceFeedback, feedback.id).satisfaction == 5


def test_an_expired_link_gets_the_same_page(app, client):
    sent = datetime(2026, 11, 2, 10, tzinfo=UTC)
    contact = make_contact(advised=True, received_at=sent - timedelta(days=1))
    token = _request(contact, sent)
    with time_machine.travel(sent + timedelta(days=29, hours=23), tick=False):
        assert client.get(f"/professionals/feedback/{token}").status_code == 200
    with time_machine.travel(sent + timedelta(days=30), tick=False):
        response = client.get(f"/professionals/feedback/{token}")
        assert response.status_code == 404 and GONE in response.get_data(as_text=True)


def test_missing_answers_are_asked_for_and_nothing_is_stored(app, client):
    contact = make_contact(advised=True)
    token = _request(contact, datetime.now(UTC))
    response = _answer(client, token, identify="", respond="9", satisfaction="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Select how satisfied you were with the advice" in html
    db.session.rollback()
    assert db.session.scalar(sa.select(AdviceFeedback)).answered_at is None


# Thursday 24 December 2026: Friday 25th and Monday 28th (for Saturday 26th) are bank holidays,
# so the 2nd working day after is Wednesday 30th; close 20:00 GMT.
CHRISTMAS_EVE = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)
# Friday 20 November 2026: the weekend does not count: Tuesday 24th, 20:00 GMT.
FRIDAY = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "answered_at,due_at",
    [
        (FRIDAY, datetime(2026, 11, 24, 20, 0, tzinfo=UTC)),
        (CHRISTMAS_EVE, datetime(2026, 12, 30, 20, 0, tzinfo=UTC)),
    ],
)
def test_dissatisfied_feedback_owes_a_d12_follow_up_in_two_working_days(
    app, client, answered_at, due_at
):
    contact = make_contact(
        advised=True, received_at=answered_at - timedelta(days=3), confidence_before=(3, 3)
    )
    token = _request(contact, answered_at - timedelta(days=1))
    with time_machine.travel(answered_at, tick=False):
        assert _answer(client, token, "4", "4", "2").status_code == 200
    db.session.rollback()
    feedback = db.session.scalar(sa.select(AdviceFeedback))
    assert feedback.negative is True
    follow_up = db.session.scalar(
        sa.select(Obligation).where(
            Obligation.advice_contact_id == contact.id, Obligation.kind == "feedback_follow_up"
        )
    )
    assert (follow_up.due_at, follow_up.status) == (due_at, "due")


def test_confidence_lower_after_than_before_is_negative_even_when_satisfied(app, client):
    contact = make_contact(advised=True, confidence_before=(4, 4))
    token = _request(contact, datetime.now(UTC))
    _answer(client, token, identify="3", respond="5", satisfaction="4")
    db.session.rollback()
    assert db.session.scalar(sa.select(AdviceFeedback)).negative is True
    kinds = db.session.scalars(
        sa.select(Obligation.kind).where(Obligation.advice_contact_id == contact.id)
    ).all()
    assert "feedback_follow_up" in kinds


def _negative(client, contact, answered_at):
    token = _request(contact, answered_at - timedelta(hours=2))
    with time_machine.travel(answered_at, tick=False):
        _answer(client, token, "2", "2", "1", "Nobody called me back")
    db.session.rollback()
    return db.session.scalar(
        sa.select(AdviceFeedback).where(AdviceFeedback.contact_id == contact.id)
    )


def test_a_team_leader_sees_negative_feedback_by_due_time_and_follows_it_up(
    app, client, sign_in_as, hsb_team
):
    now = datetime.now(UTC)
    late = _negative(client, make_contact(advised=True, name="Alex Late"), now - timedelta(days=9))
    soon = _negative(client, make_contact(advised=True, name="Sam Soon"), now - timedelta(hours=1))
    happy = make_contact(advised=True, name="Hari Happy")
    happy_token = _request(happy, now - timedelta(hours=3))
    _answer(client, happy_token, "5", "5", "5")

    leader = sign_in_as("team_leader", team=hsb_team)
    page = client.get("/advice-line/feedback").get_data(as_text=True)
    assert page.index("Alex Late") < page.index("Sam Soon")
    assert "Hari Happy" not in page
    assert "overdue by" in page and "due in" in page

    path = f"/advice-line/feedback/{late.id}"
    assert "Nobody called me back" in client.get(path).get_data(as_text=True)
    blank = post_form(client, path, {"notes": "  "})
    assert blank.status_code == 400
    assert "Enter what was done to follow up the feedback" in blank.get_data(as_text=True)

    done = post_form(client, path, {"notes": "Called them; apologised"}, follow_redirects=True)
    assert "Follow-up recorded." in done.get_data(as_text=True)
    assert "Alex Late" not in done.get_data(as_text=True)
    post_form(client, f"/advice-line/feedback/{soon.id}", {"notes": "Spoke to them"})
    db.session.rollback()
    statuses = {
        o.advice_contact_id: o.status
        for o in db.session.scalars(
            sa.select(Obligation).where(Obligation.kind == "feedback_follow_up")
        )
    }
    assert statuses == {late.contact_id: "breached", soon.contact_id: "met"}
    late_row = db.session.get(AdviceFeedback, late.id)
    assert late_row.followed_up_by_id == leader.id
    assert late_row.follow_up_notes == "Called them; apologised"
    trail = audit_rows("advice_feedback.followed_up")
    assert len(trail) == 2 and all("apologised" not in (e.detail or "") for e in trail)
    assert "No negative feedback is waiting" in client.get("/advice-line/feedback").get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", ["hsb_advisor", "caseworker", "analyst", "volunteer"])
def test_only_hsb_team_leaders_and_admins_follow_up_feedback(
    app, client, sign_in_as, hsb_team, role
):
    feedback = _negative(client, make_contact(advised=True), datetime.now(UTC))
    sign_in_as(role, team=hsb_team if role == "hsb_advisor" else None)
    assert client.get("/advice-line/feedback").status_code == 403
    assert client.get(f"/advice-line/feedback/{feedback.id}").status_code == 403


def test_a_victim_service_team_leader_cannot_follow_up_hsb_feedback(app, client, sign_in_as):
    sign_in_as("team_leader")
    assert client.get("/advice-line/feedback").status_code == 403


def test_a_caseworker_cannot_ask_for_feedback(app, client, sign_in_as):
    contact = make_contact(advised=True)
    sign_in_as("caseworker")
    token = csrf_token(client, "/account")
    response = client.post(
        f"/advice-line/contacts/{contact.id}/feedback", data={"csrf_token": token}
    )
    assert response.status_code == 403
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdviceFeedback)) == 0


def test_a_request_racing_another_is_refused_plainly(app):
    """A double click: the second request read the contact before the first one's feedback row
    was committed; the unique contact refuses it and nothing else is stored."""
    from casework.errors import ValidationError

    contact = make_contact(advised=True)
    assert contact.feedback is None  # this session has seen no feedback yet
    with sa.orm.Session(db.engine) as other:
        request_feedback(
            other, contact.id, actor=None, origin=ORIGIN, now=datetime.now(UTC), base_url="x"
        )
    with pytest.raises(ValidationError) as refused:
        request_feedback(
            db.session, contact.id, actor=None, origin=ORIGIN, now=datetime.now(UTC), base_url="x"
        )
    assert "already" in refused.value.errors[""]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage)) == 1
