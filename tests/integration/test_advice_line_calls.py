"""The advisors' queue, going on duty, logging a call by hand, recording callbacks (D8), and the
advisor's phone number on the staff record."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin
from casework.db import db
from casework.hsb.calls import LoggedCall, log_call
from casework.hsb.contacts import Professional, create_contact
from casework.hsb.models import AdviceContact
from casework.obligations.models import Obligation
from casework.staff.models import Staff
from scheduling.calendar import Calendar, parse_service_hours
from tests.conftest import (
    audit_rows,
    post_form,
    sent_at_the_same_moment,
    sent_twice,
    submission_token,
)
from tests.integration.hsb_helpers import callback_form

# Monday 23 November 2026 10:00 GMT: the line is open.
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
LINE = Calendar(
    hours=parse_service_hours(
        "mon=08:00-20:00,tue=08:00-20:00,wed=08:00-20:00,thu=08:00-20:00,fri=08:00-20:00"
    )
)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def advisor(sign_in_as, create_team_record, clock):
    return sign_in_as("hsb_advisor", team=create_team_record("HSB line", service="hsb"))


def contact(received_at, outcome="missed", **who):
    made = create_contact(
        db.session,
        channel="telephone",
        received_at=received_at,
        calendar=LINE,
        now=received_at,
        origin=Origin.command_line("test"),
        professional=Professional(**who),
        call_outcome=outcome,
    )
    db.session.commit()
    return made


def stored(model):
    db.session.rollback()
    return list(db.session.scalars(sa.select(model).order_by(model.id)))


CALL = {
    "outcome": "missed",
    "received_day": ["23", "11", "2026"],
    "received_at": "09:30",
    "started_at": "",
    "ended_at": "",
    "professional_name": "Priya Shah",
    "professional_role": "Designated safeguarding lead",
    "setting_type": "secondary",
    "organisation": "Hillside Academy",
    "local_authority": "Leeds",
    "region": "yorkshire_humber",
    "email": "p.shah@hillside.example",
    "phone": "07700 900123",
}


def test_the_queue_says_when_nothing_is_waiting(client, advisor):
    page = client.get("/advice-line").get_data(as_text=True)
    assert "No callbacks are owed and no new contacts are waiting" in page
    assert "Callbacks not made within 4 opening hours this month: <strong>0</strong>" in page


def test_a_missed_call_logged_by_hand_is_owed_a_callback_and_heads_the_queue(client, advisor):
    response = post_form(client, "/advice-line/calls/new", CALL)
    [logged] = stored(AdviceContact)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/advice-line/contacts/{logged.id}")
    assert logged.received_at == datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert logged.phone == "+447700900123" and logged.region == "yorkshire_humber"
    assert logged.recorded_by_id == advisor.id and logged.channel == "telephone"
    [callback] = stored(Obligation)
    assert callback.kind == "callback"
    assert callback.due_at == datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
    page = client.get(f"/advice-line/contacts/{logged.id}").get_data(as_text=True)
    assert "Due in 3 h 30 min" in page and "Record a callback" in page
    queue = client.get("/advice-line").get_data(as_text=True)
    assert "Priya Shah, Hillside Academy" in queue and "Due in 3 h 30 min" in queue
    assert len(audit_rows("advice_contact.created")) == 1


def test_an_answered_call_has_its_duration_and_no_callback(client, advisor):
    answered = {**CALL, "outcome": "answered", "started_at": "09:31", "ended_at": "09:52"}
    assert post_form(client, "/advice-line/calls/new", answered).status_code == 302
    [logged] = stored(AdviceContact)
    assert logged.ended_at - logged.started_at == timedelta(minutes=21)
    assert logged.advisor_id == advisor.id
    assert stored(Obligation) == []
    queue = client.get("/advice-line").get_data(as_text=True)
    assert "New, no callback owed" in queue  # a new contact still waits for its advice


@pytest.mark.parametrize(
    "day,times,lasted",
    [
        # Sunday night into Monday morning.
        (["22", "11", "2026"], ("23:50", "23:51", "00:10"), timedelta(minutes=19)),
        # Into the night the clocks went back: 01:30 came twice, and the first (BST) is taken.
        (["24", "10", "2026"], ("23:50", "23:51", "01:30"), timedelta(hours=1, minutes=39)),
        # Even the start past midnight: it rang at 23:59 and was answered at 00:01.
        (["22", "11", "2026"], ("23:59", "00:01", "00:20"), timedelta(minutes=19)),
    ],
    ids=["sunday-night", "october-clock-change", "answered-after-midnight"],
)
def test_a_call_that_went_past_midnight_can_be_logged(client, advisor, day, times, lasted):
    received, started, ended = times
    call = {**CALL, "outcome": "answered", "received_day": day, "received_at": received}
    call |= {"started_at": started, "ended_at": ended}
    assert post_form(client, "/advice-line/calls/new", call).status_code == 302
    [logged] = stored(AdviceContact)
    assert logged.ended_at - logged.started_at == lasted
    assert logged.ended_at.date() > logged.received_at.date()


def test_a_call_logged_out_of_hours_is_owed_a_callback(client, advisor):
    late = {**CALL, "outcome": "answered", "received_day": ["20", "11", "2026"]}
    late["received_at"] = "20:30"
    late |= {"started_at": "20:31", "ended_at": "20:40"}
    assert post_form(client, "/advice-line/calls/new", late).status_code == 302
    [logged] = stored(AdviceContact)
    assert logged.out_of_hours is True
    [callback] = stored(Obligation)
    # Friday 20:30 -> Monday 08:00 + 4 h.
    assert callback.due_at == datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome": ""}, "Select whether the call was answered, missed or a voicemail"),
        ({"outcome": "hung_up"}, "Select whether the call was answered, missed or a voicemail"),
        ({"received_at": "10:30"}, "The time the call came in must be now or in the past"),
        ({"received_at": "25:00"}, "Enter a time like 14:30"),
        ({"received_day": ["31", "2", "2026"]}, "must be a real date"),
        # A year typed wrong: stored, it would be anonymised within the minute as years old.
        (
            {"received_day": ["23", "11", "2016"]},
            "The call must have come in within the last 30 days: check the date",
        ),
        ({"outcome": "answered"}, "Enter the time the call started"),
        (
            {"outcome": "answered", "started_at": "09:40", "ended_at": "09:35"},
            "The call must end after it started",
        ),
        (
            {"outcome": "answered", "started_at": "09:40", "ended_at": "10:20"},
            "The time the call ended must be now or in the past",
        ),
        ({"phone": "12345"}, "Enter a UK phone number"),
        ({"email": "not an email"}, "Enter an email address in the correct format"),
        ({"region": "atlantis"}, "Select a region from the list"),
        ({"professional_name": "x" * 121}, "The caller&#39;s name must be 120 characters"),
        ({"phone": "0" * 5000}, "Enter a UK phone number"),
        ({"setting_type": "castle"}, "Select the type of setting from the list"),
    ],
)
def test_a_logged_call_with_a_problem_is_refused_and_nothing_is_stored(
    client, advisor, change, message
):
    response = post_form(client, "/advice-line/calls/new", {**CALL, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(AdviceContact) == [] and stored(Obligation) == []


def test_the_same_call_form_sent_twice_logs_one_call(client, advisor):
    """A resend after a slow answer (or a double click) would count the call twice in
    the monthly figures and owe two callbacks: the second send shows the first call."""
    page = sent_twice(client, "/advice-line/calls/new", CALL)
    [made] = stored(AdviceContact)
    assert len(stored(Obligation)) == 1 and len(audit_rows("advice_contact.created")) == 1
    assert f"Call logged as contact {made.id}." not in page  # the second logged nothing
    fresh = submission_token(client.get("/advice-line/calls/new").get_data(as_text=True))
    post_form(client, "/advice-line/calls/new", {**CALL, "submission_token": fresh})
    assert len(stored(AdviceContact)) == 2  # a new form is a new call


def test_a_call_form_sent_twice_at_the_same_moment_logs_one_call(app, advisor):
    """Both sends found no call yet; the second's INSERT meets the first's committed call
    (the unique submission key, on PostgreSQL and SQLite alike) and returns it."""
    call = LoggedCall(outcome="missed", received_at=NOW - timedelta(minutes=30))

    first, second = sent_at_the_same_moment(
        lambda session: log_call(
            session,
            call,
            actor=session.get(Staff, advisor.id),
            calendar=LINE,
            origin=Origin.command_line("test"),
            now=NOW,
            submission_token="the-same-form-token",
        ),
        AdviceContact.submission_key,
    )
    assert second.id == first
    assert [c.id for c in stored(AdviceContact)] == [first]
    assert len(stored(Obligation)) == 1


def test_a_call_logged_weeks_late_is_kept_with_its_details(client, advisor):
    """A missed call found in the voicemail after four weeks is logged, and the retention
    sweep leaves it alone: the limit is for a year typed wrong, not for a late entry."""
    from casework.hsb.retention import anonymise_expired_contacts

    late = {**CALL, "received_day": ["26", "10", "2026"], "received_at": "10:00"}
    assert post_form(client, "/advice-line/calls/new", late).status_code == 302
    anonymise_expired_contacts(db.session, now=NOW)
    [made] = stored(AdviceContact)
    assert made.received_at == datetime(2026, 10, 26, 10, tzinfo=UTC)  # GMT since the 25th
    assert made.anonymised_at is None and made.professional_name == "Priya Shah"


def test_a_huge_email_address_on_a_logged_call_is_refused_by_its_length(client, advisor):
    """The address is measured before its pattern is tried: the pattern backtracks, and a
    long enough run of dots would hold the worker for minutes."""
    huge = "a@" + "." * 100_000 + "@"
    response = post_form(client, "/advice-line/calls/new", {**CALL, "email": huge})
    assert response.status_code == 400
    assert "The email address must be 254 characters or fewer" in response.get_data(as_text=True)
    assert stored(AdviceContact) == []


def test_a_logged_call_missing_its_outcome_is_told_every_problem_at_once(client, advisor):
    response = post_form(
        client,
        "/advice-line/calls/new",
        {**CALL, "outcome": "", "received_at": "10:30", "professional_name": "x" * 121},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The caller&#39;s name must be 120 characters or fewer" in page
    assert "Select whether the call was answered, missed or a voicemail" in page
    assert "The time the call came in must be now or in the past" in page
    assert stored(AdviceContact) == []


def test_the_queue_puts_overdue_callbacks_first_then_due_then_new_contacts(client, advisor):
    new_old = contact(NOW - timedelta(days=3), outcome="answered", organisation="Oldest School")
    due_soon = contact(NOW - timedelta(hours=1), organisation="Due Soon School")
    overdue = contact(NOW - timedelta(days=3, hours=1), organisation="Overdue School")
    bare = contact(NOW - timedelta(minutes=30), phone="+447700900555")
    new_recent = contact(NOW - timedelta(hours=2), outcome="answered", organisation="Recent")
    page = client.get("/advice-line").get_data(as_text=True)
    order = [
        page.index(f'/advice-line/contacts/{c.id}"')
        for c in (overdue, due_soon, bare, new_old, new_recent)
    ]
    assert order == sorted(order)
    assert "Overdue by" in page and "Caller 07700 900555" in page
    # One callback is overdue this month (the sweep has not run yet: still counted).
    assert "Callbacks not made within 4 opening hours this month: <strong>1</strong>" in page


def test_the_queue_is_paginated(app, client, advisor):
    app.config["PAGE_SIZE"] = 2
    made = [contact(NOW - timedelta(hours=h), organisation=f"School {h}") for h in (1, 2, 3)]
    first = client.get("/advice-line").get_data(as_text=True)
    second = client.get("/advice-line?page=2").get_data(as_text=True)
    assert "School 3" in first and "School 2" in first and "School 1" not in first
    assert "School 1" in second and 'aria-label="Pagination"' in first
    assert len(made) == 3


def test_a_callback_made_in_time_meets_d8_and_leaves_the_queue(client, advisor):
    missed = contact(NOW - timedelta(hours=1), organisation="Hillside Academy")
    response = callback_form(client, missed.id)
    assert response.status_code == 302
    [callback] = stored(Obligation)
    assert callback.status == "met"
    assert callback.met_at == datetime(2026, 11, 23, 9, 55, tzinfo=UTC)
    page = client.get(f"/advice-line/contacts/{missed.id}").get_data(as_text=True)
    assert "Called back 23 Nov 2026 09:55, in time" in page
    assert "Talked through the traffic light tool." in page
    assert "Record a callback" not in page
    assert f'/advice-line/contacts/{missed.id}"' not in client.get("/advice-line").get_data(
        as_text=True
    )
    [event] = audit_rows("advice_contact.callback_made")
    assert event.actor_id == advisor.id and '"result": "spoke"' in event.detail
    assert "traffic light" not in event.detail  # the note is on the callback, never audited


@pytest.mark.parametrize("version", ["²", "x", "", "9" * 40])
def test_a_callback_with_a_mangled_version_is_refused_clearly(client, advisor, version):
    missed = contact(NOW - timedelta(hours=1))
    response = callback_form(client, missed.id, version=version)
    assert response.status_code == 400
    assert "Someone else changed this contact" in response.get_data(as_text=True)
    [callback] = stored(Obligation)
    assert callback.met_at is None


def test_a_late_callback_is_counted_as_breached(client, advisor):
    missed = contact(NOW - timedelta(days=3, hours=1))  # Friday 09:00, due 13:00
    assert callback_form(client, missed.id, result="voicemail_left").status_code == 302
    [callback] = stored(Obligation)
    assert callback.status == "breached" and callback.met_at is not None
    assert callback.breached_at == callback.due_at


def test_no_answer_leaves_the_callback_owed(client, advisor):
    missed = contact(NOW - timedelta(hours=1))
    response = callback_form(client, missed.id, result="no_answer", note="")
    assert response.status_code == 302
    [callback] = stored(Obligation)
    assert callback.status == "due" and callback.met_at is None
    page = client.get(f"/advice-line/contacts/{missed.id}").get_data(as_text=True)
    assert "No answer" in page and "Record a callback" in page
    banner = page.split('class="govuk-notification-banner')[1].split("</div>")[0]
    assert "--success" not in banner and "Important" in page  # still owed: not a success
    assert "Callback recorded. The callback is still owed." in page
    assert "Log an email</a>" in page and "Log a chat</a>" in page  # a call: not "another"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"made_at": "10:30"}, "The time you called back must be now or in the past"),
        ({"made_day": ["20", "11", "2026"]}, "The callback cannot be before the contact came in"),
        ({"result": ""}, "Select what happened when you called back"),
        ({"version": "0"}, "Someone else changed this contact"),
        ({"note": "x" * 501}, "The note must be 500 characters or fewer"),
    ],
)
def test_a_callback_with_a_problem_changes_nothing(client, advisor, fields, message):
    missed = contact(NOW - timedelta(hours=1))
    response = callback_form(client, missed.id, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    [callback] = stored(Obligation)
    assert callback.status == "due" and callback.met_at is None
    assert audit_rows("advice_contact.callback_made") == []


def test_a_callback_missing_its_result_is_told_every_problem_at_once(client, advisor):
    missed = contact(NOW - timedelta(hours=1))
    response = callback_form(client, missed.id, result="", made_at="10:30", note="x" * 501)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Select what happened when you called back" in page
    assert "The time you called back must be now or in the past" in page
    assert "The note must be 500 characters or fewer" in page
    [callback] = stored(Obligation)
    assert callback.status == "due" and audit_rows("advice_contact.callback_made") == []


def test_a_caller_with_no_number_to_ring_is_owed_no_callback_once_recorded(client, advisor):
    """A missed call from a withheld number: nobody can be called back. The advisor records
    "No phone number to call", which withdraws the callback (neither owed nor counted), and
    the contact can then be closed."""
    withheld = contact(NOW - timedelta(hours=1))  # no phone: the caller's number was withheld
    page = client.get(f"/advice-line/contacts/{withheld.id}").get_data(as_text=True)
    assert "No phone number to call (withheld or not given)" in page
    response = callback_form(client, withheld.id, result="no_number", note="")
    assert response.status_code == 302
    [callback] = stored(Obligation)
    assert callback.status == "cancelled" and callback.met_at is None
    page = client.get(response.location).get_data(as_text=True)
    assert "there is no phone number to call, so no callback is owed" in page
    assert "No callback is owed any more" in page
    assert f">Contact {withheld.id}<" not in client.get("/advice-line").get_data(as_text=True)
    assert audit_rows("advice_contact.callback_made")[0].detail_dict["result"] == "no_number"
    advised = post_form(
        client,
        f"/advice-line/contacts/{withheld.id}/advice",
        {
            "kind": "policy_advice",
            "policy_topics": ["policy"],
            "advice_given": "Walked through the policy.",
            "outcome": "advice_given",
            "version": str(stored(AdviceContact)[0].version),
        },
    )
    assert advised.status_code == 302
    assert stored(AdviceContact)[0].status == "closed"


def test_no_number_to_call_is_refused_when_they_gave_one(client, advisor):
    missed = contact(NOW - timedelta(hours=1), phone="+447700900123")
    page = client.get(f"/advice-line/contacts/{missed.id}").get_data(as_text=True)
    assert "No phone number to call" not in page
    response = callback_form(client, missed.id, result="no_number")
    assert response.status_code == 400
    assert "They gave a phone number: call it" in response.get_data(as_text=True)
    [callback] = stored(Obligation)
    assert callback.status == "due" and callback.met_at is None


def test_a_queue_page_past_the_end_says_so_and_links_to_the_first(client, advisor):
    contact(NOW - timedelta(hours=1), organisation="Hillside Academy")
    past = client.get("/advice-line?page=5").get_data(as_text=True)
    assert "There is no page 5: the queue has 1 page." in past
    assert "No callbacks are owed and no new contacts are waiting" not in past
    assert "Hillside Academy" in client.get("/advice-line").get_data(as_text=True)


def test_open_contacts_off_the_queue_are_listed_with_what_is_left(client, advisor):
    """A contact called back (spoke, or a voicemail left) or with nobody to call leaves the
    queue but stays open: the queue links to a list of them, so none is lost."""
    spoke = contact(NOW - timedelta(hours=4), organisation="Spoke School", phone="+447700900111")
    voicemail = contact(
        NOW - timedelta(hours=3), organisation="Voicemail School", phone="+447700900222"
    )
    withheld = contact(NOW - timedelta(hours=2), organisation="Withheld School")
    waiting = contact(
        NOW - timedelta(hours=1), organisation="Waiting School", phone="+447700900333"
    )
    assert callback_form(client, spoke.id).status_code == 302
    assert callback_form(client, voicemail.id, result="voicemail_left").status_code == 302
    assert callback_form(client, withheld.id, result="no_number", note="").status_code == 302
    queue = client.get("/advice-line").get_data(as_text=True)
    assert "Waiting School" in queue
    assert "Spoke School" not in queue and "Voicemail School" not in queue
    assert "3 open contacts off the queue" in queue
    listed = client.get("/advice-line/open").get_data(as_text=True)
    rows = listed.split("<tbody")[1].split("</tbody>")[0].split("</tr>")
    assert "Spoke School" in rows[0] and "Record the advice" in rows[0]  # oldest first
    assert "Voicemail School" in rows[1] and "Record the advice" in rows[1]
    assert "Withheld School" in rows[2] and "Nobody to call: close it" in rows[2]
    assert [c.status for c in stored(AdviceContact)][:3] == ["in_progress"] * 3  # seen to
    assert "Waiting School" not in listed  # on the queue, not here
    assert f"/advice-line/contacts/{waiting.id}" not in listed


def test_the_open_contacts_list_says_when_there_are_none_and_when_a_page_is_past_the_end(
    client, advisor
):
    empty = client.get("/advice-line/open").get_data(as_text=True)
    assert "Every open contact is on the queue" in empty
    assert "off the queue</a>" not in client.get("/advice-line").get_data(as_text=True)
    spoke = contact(NOW - timedelta(hours=1), phone="+447700900111")
    assert callback_form(client, spoke.id).status_code == 302
    past = client.get("/advice-line/open?page=3").get_data(as_text=True)
    assert "There is no page 3: this list has 1 page." in past
    active = 'aria-current="true"><strong class="govuk-service-navigation__active-fallback">'
    assert f"{active}Advice line<" in past  # the menu shows where the list belongs
    assert "1 open contact off the queue" in client.get("/advice-line").get_data(as_text=True)


def test_a_contact_nobody_could_be_called_on_is_closed_without_advice(client, advisor):
    withheld = contact(NOW - timedelta(hours=1))
    assert callback_form(client, withheld.id, result="no_number", note="").status_code == 302
    page = client.get(f"/advice-line/contacts/{withheld.id}").get_data(as_text=True)
    assert "you can close the contact without it" in page
    version = str(stored(AdviceContact)[0].version)
    closed = post_form(client, f"/advice-line/contacts/{withheld.id}/close", {"version": version})
    assert closed.status_code == 302
    assert "Contact closed." in client.get(closed.location).get_data(as_text=True)
    assert stored(AdviceContact)[0].status == "closed"
    [event] = audit_rows("advice_contact.closed")
    assert event.detail_dict["advice_recorded"] is False
    assert "Every open contact is on the queue" in client.get("/advice-line/open").get_data(
        as_text=True
    )


def test_a_contact_closed_with_nobody_to_call_says_so(client, advisor):
    withheld = contact(NOW - timedelta(hours=1))
    assert callback_form(client, withheld.id, result="no_number", note="").status_code == 302
    version = str(stored(AdviceContact)[0].version)
    post_form(client, f"/advice-line/contacts/{withheld.id}/close", {"version": version})
    page = client.get(f"/advice-line/contacts/{withheld.id}").get_data(as_text=True)
    assert "Closed without advice: nobody could be called back" in page
    assert "Close the contact" not in page


def test_a_number_added_after_nobody_to_call_owes_the_callback_again(client, advisor):
    """'No phone number to call' was recorded; the professional's number is then found and
    added: they can be called, so the callback is owed again from its first due time (and
    counted if it is missed), and the contact is not closed without it."""
    withheld = contact(NOW - timedelta(hours=1), organisation="Withheld School")
    assert callback_form(client, withheld.id, result="no_number", note="").status_code == 302
    details = f"/advice-line/contacts/{withheld.id}/details"
    version = str(stored(AdviceContact)[0].version)
    changed = post_form(
        client,
        details,
        {"organisation": "Withheld School", "phone": "07700 900777", "version": version},
    )
    assert changed.status_code == 302
    [callback] = stored(Obligation)
    assert callback.status == "due" and callback.due_at == NOW + timedelta(hours=3)
    assert audit_rows("advice_contact.details_changed")[0].detail_dict["callback_owed_again"]
    page = client.get(f"/advice-line/contacts/{withheld.id}").get_data(as_text=True)
    assert "Record a callback" in page and 'value="no_number"' not in page
    assert "close the contact without it" not in page
    assert "Withheld School" in client.get("/advice-line").get_data(as_text=True)
    assert "Withheld School" not in client.get("/advice-line/open").get_data(as_text=True)
    version = str(stored(AdviceContact)[0].version)
    refused = post_form(client, f"/advice-line/contacts/{withheld.id}/close", {"version": version})
    assert "Record the advice given before closing" in client.get(refused.location).get_data(
        as_text=True
    )
    assert stored(AdviceContact)[0].status == "in_progress"


def test_a_callback_cannot_be_recorded_when_none_is_owed(client, advisor):
    """An answered call owes no callback: a crafted "No phone number to call" (the form is not
    shown) is refused, so the contact cannot then be closed without its advice."""
    answered = contact(NOW - timedelta(hours=1), outcome="answered")
    response = post_form(
        client,
        f"/advice-line/contacts/{answered.id}/callbacks",
        {
            "callback-version": str(answered.version),
            "callback-made_day": ["23", "11", "2026"],
            "callback-made_at": "09:55",
            "callback-result": "no_number",
        },
        token_from=f"/advice-line/contacts/{answered.id}",
    )
    assert response.status_code == 400
    assert "No callback is owed on this contact" in response.get_data(as_text=True)
    assert audit_rows("advice_contact.callback_made") == []


def test_a_callback_in_the_minute_the_contact_came_in_is_accepted(client, advisor):
    """The form's time is to the minute: a callback at 09:55 to a contact that came in at
    09:55:40 (a web form, stamped to the second) is not before it."""
    arrived = contact(datetime(2026, 11, 23, 9, 55, 40, tzinfo=UTC))
    response = callback_form(client, arrived.id, made_at="09:55")
    assert response.status_code == 302
    [callback] = stored(Obligation)
    assert callback.status == "met"


def test_a_contact_spoken_to_is_not_closed_without_its_advice(client, advisor):
    spoke = contact(NOW - timedelta(hours=1), phone="+447700900111")
    assert callback_form(client, spoke.id).status_code == 302
    page = client.get(f"/advice-line/contacts/{spoke.id}").get_data(as_text=True)
    assert "Close the contact" not in page
    version = str(stored(AdviceContact)[0].version)
    refused = post_form(client, f"/advice-line/contacts/{spoke.id}/close", {"version": version})
    assert "Record the advice given before closing the contact" in client.get(
        refused.location
    ).get_data(as_text=True)
    assert stored(AdviceContact)[0].status == "in_progress"
    assert audit_rows("advice_contact.closed") == []


def test_going_on_duty_needs_a_phone_number(client, advisor):
    response = post_form(
        client, "/advice-line/on-duty", {"on_duty": "1"}, token_from="/advice-line"
    )
    assert response.status_code == 302
    page = client.get("/advice-line").get_data(as_text=True)
    assert "You cannot go on duty without a phone number" in page
    db.session.rollback()
    assert db.session.get(Staff, advisor.id).on_duty is False


def test_an_advisor_goes_on_and_off_duty_and_is_told_which_number_rings(client, advisor):
    db.session.get(Staff, advisor.id).phone = "+447700900321"
    db.session.commit()
    assert "will ring 07700 900321" in client.get("/advice-line").get_data(as_text=True)
    post_form(client, "/advice-line/on-duty", {"on_duty": "1"}, token_from="/advice-line")
    page = client.get("/advice-line").get_data(as_text=True)
    assert "You are on duty." in page and "ring 07700 900321" in page
    db.session.rollback()
    assert db.session.get(Staff, advisor.id).on_duty is True
    post_form(client, "/advice-line/on-duty", {"on_duty": "0"}, token_from="/advice-line")
    db.session.rollback()
    assert db.session.get(Staff, advisor.id).on_duty is False
    assert [e.action for e in audit_rows() if e.action.startswith("advice_line.")] == [
        "advice_line.on_duty",
        "advice_line.off_duty",
    ]


def test_on_duty_without_the_token_changes_nothing(client, advisor):
    db.session.get(Staff, advisor.id).phone = "+447700900321"
    db.session.commit()
    client.post("/advice-line/on-duty", data={"on_duty": "1"})
    db.session.rollback()
    assert db.session.get(Staff, advisor.id).on_duty is False


def test_victim_service_staff_cannot_reach_the_line(client, sign_in_as):
    sign_in_as("caseworker")
    assert client.get("/advice-line").status_code == 403
    assert client.get("/advice-line/calls/new").status_code == 403
    assert client.post("/advice-line/calls/new", data=CALL).status_code in (400, 403)
    assert stored(AdviceContact) == []


def test_an_admin_sets_an_advisors_phone_number(client, sign_in_as, create_staff_record):
    someone = create_staff_record("hsb_advisor")
    sign_in_as("admin")
    path = f"/admin/staff/{someone.id}/edit"
    form = {
        "name": someone.name,
        "email": someone.email,
        "role": "hsb_advisor",
        "team_id": "",
        "phone": "07700 900 456",
    }
    bad = post_form(client, path, {**form, "phone": "call me maybe"})
    assert bad.status_code == 400
    assert "Enter a UK phone number, like 07700 900123" in bad.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Staff, someone.id).phone is None
    assert post_form(client, path, form).status_code == 302
    db.session.rollback()
    assert db.session.get(Staff, someone.id).phone == "+447700900456"
    detail = client.get(f"/admin/staff/{someone.id}").get_data(as_text=True)
    assert "07700 900456" in detail and "off duty" in detail
    assert "07700 900456" in client.get(path).get_data(as_text=True)
    assert len(audit_rows("staff.phone_set")) == 1


def test_a_new_advisor_with_a_phone_and_clearing_it_takes_them_off_duty(
    client, sign_in_as, create_team_record
):
    sign_in_as("admin")
    made = post_form(
        client,
        "/admin/staff/new",
        {
            "name": "Nia Advisor",
            "email": "nia.advisor@waypoint.test",
            "role": "hsb_advisor",
            "team_id": "",
            "phone": "+44 (0)20 7946 0123",
            "password": "a long enough password 42",
        },
    )
    assert made.status_code == 302
    db.session.rollback()
    nia = db.session.scalar(sa.select(Staff).where(Staff.email == "nia.advisor@waypoint.test"))
    assert nia.phone == "+442079460123"
    nia.on_duty = True
    db.session.commit()
    form = {"name": nia.name, "email": nia.email, "role": "hsb_advisor", "team_id": ""}
    assert (
        post_form(client, f"/admin/staff/{nia.id}/edit", {**form, "phone": ""}).status_code == 302
    )
    db.session.rollback()
    nia = db.session.get(Staff, nia.id)
    assert nia.phone is None and nia.on_duty is False
    assert [e.action for e in audit_rows() if e.action.startswith("staff.phone")] == [
        "staff.phone_set",
        "staff.phone_cleared",
    ]
