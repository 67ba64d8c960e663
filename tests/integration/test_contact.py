"""Recording calls, visits and the first conversation through the referral page."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from casework.contact.models import ContactAttempt
from casework.db import db
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from tests.conftest import (
    audit_rows,
    csrf_token,
    error_summary_and_page_order,
    hidden_value,
    sent_at_the_same_moment,
)
from tests.factories import create_referrals
from tests.police import police_row
from triage.contact import PHONE_OUTCOMES, VISIT_OUTCOMES

RECEIVED = datetime(2026, 11, 23, 9, tzinfo=UTC)  # Monday 09:00 GMT


@pytest.fixture
def referral(app, create_staff_record):
    def make(**fields):
        create_referrals(police_row(**fields), received=RECEIVED)
        return db.session.scalars(sa.select(Referral).order_by(Referral.id.desc())).first().id

    return make


def obligations(referral_id) -> dict:
    """The referral's obligations and, once it has joined a case, the case's."""
    db.session.rollback()
    case = sa.select(Referral.case_id).where(Referral.id == referral_id).scalar_subquery()
    return {
        o.kind: o
        for o in db.session.scalars(
            sa.select(Obligation).where(
                sa.or_(Obligation.referral_id == referral_id, Obligation.case_id == case)
            )
        )
    }


def post_attempt(client, referral_id, outcome, when, channel="telephone", token=None):
    """Submit the referral page's "Record a call" or "Record a home visit" form (with the
    one-time ``token`` a page of it carried, when given)."""
    day, hm = when.split(" ")
    y, m, d = day.split("-")
    path, prefix = ("calls", "call") if channel == "telephone" else ("visits", "visit")
    data = {
        f"{prefix}-csrf_token": csrf_token(client, f"/referrals/{referral_id}"),
        f"{prefix}-outcome": outcome,
        f"{prefix}-day": [d, m, y],
        f"{prefix}-at": hm,
        f"{prefix}-notes": "",
    }
    if token:
        data[f"{prefix}-submission_token"] = token
    return client.post(f"/referrals/{referral_id}/{path}", data=data)


def test_three_failed_calls_two_hours_apart_then_the_final_letter(client, sign_in_as, referral):
    rid = referral()
    with time_machine.travel("2026-11-23 16:30 +0000", tick=False):
        sign_in_as("team_leader")
        assert post_attempt(client, rid, "no_answer", "2026-11-23 10:00").status_code == 302
        too_soon = post_attempt(client, rid, "no_answer", "2026-11-23 11:30")
        assert too_soon.status_code == 400
        assert "at least 2 hours apart" in too_soon.get_data(as_text=True)
        post_attempt(client, rid, "voicemail", "2026-11-23 12:00")
        assert "final_letter" not in obligations(rid)
        post_attempt(client, rid, "wrong_number", "2026-11-23 16:00")
    found = obligations(rid)
    assert found["phone_contact"].status == "met"
    assert found["final_letter"].due_at == datetime(2026, 11, 23, 18, tzinfo=UTC)
    assert len(audit_rows("contact.attempt")) == 3


@pytest.mark.parametrize(
    "channel,page,row",
    [
        ("telephone", "call", {}),
        ("home_visit", "visit", {"contact_method": "IN_PERSON", "flags": "VULNERABLE"}),
    ],
)
def test_the_same_call_or_visit_form_sent_twice_records_one_attempt(
    client, sign_in_as, referral, channel, page, row
):
    """A resend (or a double click) would count a failed call twice towards the final
    letter, or a visit twice: the second send is shown the referral, and "too near" is not said
    of the call it made itself."""
    rid = referral(**row)
    with time_machine.travel("2026-11-23 16:30 +0000", tick=False):
        sign_in_as("team_leader")
        form = client.get(f"/referrals/{rid}/record/{page}").get_data(as_text=True)
        token = hidden_value(form, f"{page}-submission_token")
        sent = [
            post_attempt(client, rid, "no_answer", "2026-11-23 10:00", channel, token=token)
            for _ in range(2)
        ]
        assert [s.status_code for s in sent] == [302, 302]
        assert [s.location for s in sent] == [f"/referrals/{rid}"] * 2
        shown = client.get(f"/referrals/{rid}").get_data(as_text=True)
        assert "You sent this form twice. It was saved the first time" in shown
    db.session.rollback()
    assert len(db.session.scalars(sa.select(ContactAttempt)).all()) == 1
    assert len(audit_rows("contact.attempt")) == 1


def test_a_failed_call_sent_twice_at_the_same_moment_counts_once(
    app, create_staff_record, referral
):
    """Both sends read no earlier call. The second, meeting the first's call when it looks
    at the calls made, or at its INSERT, returns that call: one failed call counts."""
    from casework.audit import Origin
    from casework.contact.recording import record_attempt
    from casework.staff.models import Staff
    from scheduling.service_calendars import victim_calendar

    rid = referral()
    leader = create_staff_record("team_leader")
    now = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    first, second = sent_at_the_same_moment(
        lambda session: record_attempt(
            session,
            rid,
            channel="telephone",
            outcome="no_answer",
            at=datetime(2026, 11, 23, 10, tzinfo=UTC),
            notes=None,
            actor=session.get(Staff, leader.id),
            origin=Origin.command_line("test"),
            now=now,
            calendar=victim_calendar(app.config),
            submission_token="the-same-form-token",
        ),
        ContactAttempt.submission_key,
    )
    assert second.id == first
    db.session.rollback()
    assert db.session.scalars(sa.select(ContactAttempt.id)).all() == [first]


def test_voicemail_refused_when_not_safe(client, sign_in_as, referral):
    rid = referral()
    db.session.get(Referral, rid).safe_to_voicemail = False
    db.session.commit()
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("team_leader")
        page = client.get(f"/referrals/{rid}").get_data(as_text=True)
        assert "Do not leave a voicemail" in page
        response = post_attempt(client, rid, "voicemail", "2026-11-23 10:00")
    assert response.status_code == 400
    assert "not safe to leave a voicemail" in response.get_data(as_text=True)
    assert obligations(rid)["phone_contact"].status == "due"


def test_the_conversation_forms_problems_are_listed_in_the_order_the_page_asks(
    client, sign_in_as, referral
):
    """How the conversation ended is asked before how to contact them safely, so its problem
    comes first in the summary, though the safe-contact questions are declared first."""
    rid = referral()
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("team_leader")
        response = client.post(
            f"/referrals/{rid}/conversation",
            data={
                "csrf_token": csrf_token(client, f"/referrals/{rid}"),
                "key_risks": "lives alone",
                "safe_from": "25:99",
                "age_band": "made-up",
            },
        )
    assert response.status_code == 400
    linked, asked = error_summary_and_page_order(response.get_data(as_text=True))
    assert len(linked) >= 2 and linked[0] == "outcome"
    assert linked == asked


def test_further_support_books_a_needs_assessment_inside_five_working_days(
    client, sign_in_as, referral, create_team_record
):
    rid = referral()
    team = create_team_record()  # the case belongs to the team of the leader who opened it
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("team_leader", team=team)
        post_attempt(client, rid, "spoke", "2026-11-23 10:45")
        token = csrf_token(client, f"/referrals/{rid}")
        late = client.post(
            f"/referrals/{rid}/conversation",
            data={
                "csrf_token": token,
                "outcome": "further_support",
                "key_risks": "lives alone",
                "booked_day": ["8", "12", "2026"],
                "booked_at": "10:00",
            },
        )
        assert late.status_code == 400
        assert "within 5 working days" in late.get_data(as_text=True)
        ok = client.post(
            f"/referrals/{rid}/conversation",
            data={
                "csrf_token": csrf_token(client, f"/referrals/{rid}"),
                "outcome": "further_support",
                "key_risks": "lives alone",
                "booked_day": ["27", "11", "2026"],
                "booked_at": "10:00",
            },
        )
        assert ok.status_code == 302
    assessment = obligations(rid)["needs_assessment"]
    assert assessment.due_at == datetime(2026, 11, 30, 18, tzinfo=UTC)
    assert assessment.booked_at == datetime(2026, 11, 27, 10, tzinfo=UTC)
    # Further support opens a case that owes the assessment; the referral leaves the queue.
    joined = db.session.get(Referral, rid)
    assert (joined.status, joined.outcome) == ("closed", "further_support")
    assert assessment.case_id == joined.case_id and assessment.referral_id is None
    assert joined.case.status == "open" and joined.case.person_id == joined.person_id
    case = f"/cases/{joined.case_id}/contact"
    held = f"/cases/{joined.case_id}/obligations/{assessment.id}/held"
    with time_machine.travel("2026-11-27 11:00 +0000", tick=False):
        sign_in_as("team_leader", team=team)
        page = client.get(case).get_data(as_text=True)
        # Only a complete needs assessment meets D4 (issue 13): the page links to it, and the
        # old "Mark as held" no longer applies to the needs assessment.
        assert "Booked for Fri 27 Nov 10:00" in page and "Start the needs assessment" in page
        assert "Mark as held" not in page
        refused = client.post(held, data={"csrf_token": csrf_token(client, case)})
        assert refused.status_code == 404
    assert obligations(rid)["needs_assessment"].status == "due"
    assert audit_rows("case.appointment_held") == []


def test_declining_closes_the_referral_with_that_outcome(client, sign_in_as, referral):
    rid = referral()
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("team_leader")
        post_attempt(client, rid, "declined", "2026-11-23 10:45")
        page = client.get(f"/referrals/{rid}").get_data(as_text=True)
    db.session.rollback()
    closed = db.session.get(Referral, rid)
    assert (closed.status, closed.outcome) == ("closed", "declined")
    assert "Closed: Declined support" in page


def test_failed_home_visit_sets_the_second_visit(client, sign_in_as, referral):
    rid = referral(contact_method="IN_PERSON", flags="VULNERABLE;REFUSED_PHONE")
    with time_machine.travel("2026-11-25 12:00 +0000", tick=False):
        sign_in_as("team_leader")
        assert (
            post_attempt(
                client, rid, "no_answer", "2026-11-25 11:00", channel="home_visit"
            ).status_code
            == 302
        )
    found = obligations(rid)
    assert found["home_visit"].status == "met"
    assert found["home_visit_second"].due_at == datetime(2026, 12, 7, 18, tzinfo=UTC)


def test_a_call_outside_the_persons_safe_times_is_recorded_with_a_reminder(
    client, sign_in_as, referral
):
    """Safe only on weekday evenings, 17:00 to 19:00 UK time: a call at 10:00 is recorded (it
    happened) and the confirmation reminds them of the safe times; one at 17:30 says nothing
    more. In summer time too: 16:30 UTC is 17:30 in June."""
    rid = referral()
    person = db.session.get(Referral, rid).person
    person.safe_windows = [{"days": [0, 1, 2, 3, 4], "start": "17:00", "end": "19:00"}]
    db.session.commit()
    with time_machine.travel("2026-11-23 18:00 +0000", tick=False):
        sign_in_as("team_leader")
        post_attempt(client, rid, "no_answer", "2026-11-23 10:00")
        page = client.get(f"/referrals/{rid}").get_data(as_text=True)
        assert "Call recorded. It was outside the safe times they gave" in page
        assert "weekdays 17:00 to 19:00" in page
        post_attempt(client, rid, "no_answer", "2026-11-23 17:30")
        page = client.get(f"/referrals/{rid}").get_data(as_text=True)
        assert "Call recorded." in page and "It was outside the safe times" not in page
    db.session.rollback()
    calls = db.session.scalars(
        sa.select(ContactAttempt.attempted_at).where(ContactAttempt.referral_id == rid)
    ).all()
    assert len(calls) == 2  # both recorded


def test_a_caseworker_cannot_record_on_someone_elses_case(
    client, sign_in_as, referral, create_staff_record
):
    rid = referral()
    other = create_staff_record("caseworker")
    db.session.get(Referral, rid).allocated_to_id = other.id
    db.session.commit()
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("caseworker")
        response = client.post(
            f"/referrals/{rid}/calls",
            data={
                "call-csrf_token": csrf_token(client, "/queue"),
                "call-outcome": "no_answer",
                "call-day": ["23", "11", "2026"],
                "call-at": "10:00",
            },
        )
    assert response.status_code == 404
    assert obligations(rid)["phone_contact"].status == "due"


def radio_values(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" type="radio" value="([^"]+)"', html)) | set(
        re.findall(rf'type="radio" name="{name}" value="([^"]+)"', html)
    )


def test_the_call_form_offers_only_call_outcomes(client, sign_in_as, referral):
    rid = referral()  # mobile telephone: a first call is due (D1)
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("team_leader")
        summary = client.get(f"/referrals/{rid}").get_data(as_text=True)
        page = client.get(f"/referrals/{rid}/record/call").get_data(as_text=True)
    assert f'href="/referrals/{rid}/record/call">Record a call<' in summary
    assert "Record a home visit" not in summary
    assert "Record a home visit" not in page
    assert radio_values(page, "call-outcome") == set(PHONE_OUTCOMES)
    assert radio_values(page, "visit-outcome") == set()
    for words in VISIT_OUTCOMES.values():
        assert words not in page


def test_the_visit_form_offers_only_visit_outcomes(client, sign_in_as, referral):
    rid = referral(contact_method="IN_PERSON", flags="VULNERABLE;REFUSED_PHONE")
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("team_leader")
        summary = client.get(f"/referrals/{rid}").get_data(as_text=True)
        page = client.get(f"/referrals/{rid}/record/visit").get_data(as_text=True)
    assert f'href="/referrals/{rid}/record/visit">Record a home visit<' in summary
    assert "Record a call" not in summary
    assert "Record a call" not in page
    assert radio_values(page, "visit-outcome") == set(VISIT_OUTCOMES)
    assert radio_values(page, "call-outcome") == set()
    assert "Voicemail left" not in page


def test_a_visit_outcome_sent_to_the_call_form_is_refused_and_nothing_recorded(
    client, sign_in_as, referral
):
    rid = referral()
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("team_leader")
        response = post_attempt(client, rid, "visited", "2026-11-23 10:00")
    assert response.status_code == 400
    assert "Select what happened on the call" in response.get_data(as_text=True)
    assert audit_rows("contact.attempt") == []


def test_a_call_with_no_answer_reads_as_a_call_in_the_history(client, sign_in_as, referral):
    rid = referral()
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("team_leader")
        post_attempt(client, rid, "no_answer", "2026-11-23 10:00")
        page = client.get(f"/referrals/{rid}").get_data(as_text=True)
    assert "No answer at the door" not in page


def test_a_booked_web_chat_is_met_only_by_the_chat_at_or_after_its_slot(client, sign_in_as):
    from tests.integration.test_public_referrals import referrals, submit

    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        page = client.get("/refer").get_data(as_text=True)
        slot = re.search(r'<option value="(2026-11-27T14:00[^"]*)"', page).group(1)
        assert submit(client, webchat_at=slot).status_code == 302
    [booked] = referrals()
    rid, chat = booked.id, obligations(booked.id)["web_chat"]
    assert chat.due_at == datetime(2026, 11, 27, 14, tzinfo=UTC)

    # Tuesday: a call reaches them and the first conversation is recorded, days before the chat
    with time_machine.travel("2026-11-24 11:00 +0000", tick=False):
        sign_in_as("team_leader")
        assert post_attempt(client, rid, "spoke", "2026-11-24 10:30").status_code == 302
        conversation = client.post(
            f"/referrals/{rid}/conversation",
            data={
                "csrf_token": csrf_token(client, f"/referrals/{rid}"),
                "outcome": "further_support",
                "booked_day": ["26", "11", "2026"],
                "booked_at": "10:00",
            },
        )
        assert conversation.status_code == 302
        assert obligations(rid)["phone_contact"].status == "met"
        page = client.get(f"/referrals/{rid}").get_data(as_text=True)
        assert "Mark it as held once the chat has taken place." in page
        assert (obligations(rid)["web_chat"].status, obligations(rid)["web_chat"].met_at) == (
            "due",
            None,
        )
        early = client.post(
            f"/referrals/{rid}/obligations/{chat.id}/held",
            data={"csrf_token": csrf_token(client, f"/referrals/{rid}")},
            follow_redirects=True,
        )
        assert early.status_code == 200
        assert "Fri 27 Nov 14:00" in early.get_data(as_text=True)
        assert obligations(rid)["web_chat"].status == "due"

    # Friday, ten minutes into the booked chat
    with time_machine.travel("2026-11-27 14:10 +0000", tick=False):
        sign_in_as("team_leader")
        held = client.post(
            f"/referrals/{rid}/obligations/{chat.id}/held",
            data={"csrf_token": csrf_token(client, f"/referrals/{rid}")},
        )
        assert held.status_code == 302
    met = obligations(rid)["web_chat"]
    assert (met.status, met.met_at) == ("met", datetime(2026, 11, 27, 14, 10, tzinfo=UTC))


def test_a_call_too_soon_says_when_the_next_call_can_be_made(client, sign_in_as, referral):
    rid = referral()
    with time_machine.travel("2026-11-23 14:00 +0000", tick=False):
        sign_in_as("team_leader")
        assert post_attempt(client, rid, "no_answer", "2026-11-23 12:35").status_code == 302
        too_soon = post_attempt(client, rid, "no_answer", "2026-11-23 13:50")
    html = too_soon.get_data(as_text=True)
    assert too_soon.status_code == 400
    assert "The next call can be made from 14:35. Calls must be at least 2 hours apart." in html
    assert not re.search(r"\bspec\b", html)
    assert len(audit_rows("contact.attempt")) == 1
