"""Safe contact everywhere (DESIGN.md Deadline rules, safe contact; issue 12 parts 2 and 3):
automatic messages wait for the person's safe times, a letter they did not choose is held for
a decision when they are flagged for domestic abuse, and staff send texts and emails from a
case through the same outbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin
from casework.cases.opening import close_case
from casework.db import db
from casework.messages.models import MessageTemplate, OutboundMessage, SmsOptOut
from casework.obligations.models import Obligation
from casework.people.models import Person
from casework.referrals.models import Referral
from scheduling import sweeps
from scheduling.sweeps import context
from tests.conftest import audit_rows, post_form, sign_in
from tests.factories import create_case, create_referrals
from tests.police import police_row

# Wednesday 18 November 2026, GMT.
WEDNESDAY = datetime(2026, 11, 18, 12, tzinfo=UTC)
WED_EVENING = [{"days": [2], "start": "18:00", "end": "20:00"}]


@pytest.fixture
def app_overrides(messaging):
    return messaging


@pytest.fixture
def ctx(app):
    return context(app.config)


@pytest.fixture
def world(app, create_team_record, create_staff_record):
    """Team A: a leader and a caseworker; team B: a leader; and an admin."""
    team_a, team_b = create_team_record("Victims A"), create_team_record("Victims B")
    return {
        "leader": create_staff_record("team_leader", team=team_a, name="Lee Leader"),
        "worker": create_staff_record("caseworker", team=team_a, name="Casey Worker"),
        "other_worker": create_staff_record("caseworker", team=team_a, name="Colin Colleague"),
        "other_leader": create_staff_record("team_leader", team=team_b, name="Olga Other"),
        "admin": create_staff_record("admin", name="Ada Admin"),
    }


def referral(ref: str) -> Referral:
    db.session.rollback()
    return db.session.scalars(sa.select(Referral).where(Referral.crime_reference == ref)).one()


def person_of(ref: str) -> Person:
    return db.session.get(Person, referral(ref).person_id)


def messages() -> list[OutboundMessage]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id)))


def owe_final_letter(ref: str, worker=None) -> Obligation:
    """Three failed calls were made: the final letter falls due (D1b)."""
    r = referral(ref)
    if worker is not None:
        r.allocated_to_id = worker.id
    obligation = Obligation(
        referral_id=r.id,
        kind="final_letter",
        channel="post",
        status="due",
        due_at=datetime(2026, 11, 20, 18, tzinfo=UTC),
        created_at=WEDNESDAY,
    )
    db.session.add(obligation)
    db.session.commit()
    return obligation


# --- A: safe times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at,sent_at_once,send_after",
    [
        (datetime(2026, 11, 18, 19, 59, tzinfo=UTC), True, datetime(2026, 11, 18, 19, 59)),
        (datetime(2026, 11, 18, 20, 0, tzinfo=UTC), False, datetime(2026, 11, 25, 18, 0)),
        (datetime(2026, 11, 18, 21, 30, tzinfo=UTC), False, datetime(2026, 11, 25, 18, 0)),
    ],
)
def test_a_text_waits_for_a_safe_window_closing_at_20_on_wednesday(
    ctx, fake_twilio, at, sent_at_once, send_after
):
    create_referrals(police_row(contact_method="SMS"), received=WEDNESDAY)
    person = person_of("LC-20261120-0100")
    person.safe_windows = WED_EVENING
    db.session.commit()
    sweeps.queue_contact_messages(db.session, ctx, now=at)
    sweeps.dispatch_messages(db.session, ctx, now=at)
    (message,) = messages()
    assert message.send_after == send_after.replace(tzinfo=UTC)
    assert (len(fake_twilio.accepted) == 1) is sent_at_once
    if not sent_at_once:
        assert message.status == "queued"
        # Not a minute early; at the safe moment it goes.
        sweeps.dispatch_messages(db.session, ctx, now=datetime(2026, 11, 25, 17, 59, tzinfo=UTC))
        assert fake_twilio.accepted == []
        sweeps.dispatch_messages(db.session, ctx, now=send_after.replace(tzinfo=UTC))
        assert len(fake_twilio.accepted) == 1


def test_the_persons_windows_rule_not_the_referrals(ctx):
    create_referrals(police_row(contact_method="SMS"), received=WEDNESDAY)
    r = referral("LC-20261120-0100")
    r.safe_windows = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "09:00", "end": "18:00"}]
    db.session.get(Person, r.person_id).safe_windows = WED_EVENING
    db.session.commit()
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    assert messages()[0].send_after == datetime(2026, 11, 18, 18, tzinfo=UTC)


def test_a_bank_holiday_is_never_a_safe_time(ctx):
    # Friday 22 May 2026, after close: Monday 25 May is the spring bank holiday.
    friday = datetime(2026, 5, 22, 17, 30, tzinfo=UTC)
    create_referrals(
        police_row(contact_method="EMAIL", email="a@x.test", occurred_on="2026-05-20"),
        received=friday,
    )
    person_of("LC-20261120-0100").safe_windows = [{"days": [0], "start": "09:00", "end": "12:00"}]
    db.session.commit()
    sweeps.queue_contact_messages(db.session, ctx, now=friday)
    # Monday 1 June, 09:00 BST.
    assert messages()[0].send_after == datetime(2026, 6, 1, 8, tzinfo=UTC)


def test_windows_that_never_meet_service_hours_hold_the_message_for_staff(ctx):
    create_referrals(police_row(contact_method="SMS"), received=WEDNESDAY)
    person_of("LC-20261120-0100").safe_windows = [{"days": [6], "start": "10:00", "end": "12:00"}]
    db.session.commit()
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    (message,) = messages()
    assert message.status == "held"
    assert "never fall in the service's opening hours" in message.held_reason


def test_the_deadline_view_says_when_a_waiting_message_goes(client, ctx, world):
    create_referrals(police_row(contact_method="SMS"), received=WEDNESDAY)
    person_of("LC-20261120-0100").safe_windows = WED_EVENING
    db.session.commit()
    sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 18, 20, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 11, 18, 20, 5, tzinfo=UTC), tick=False):
        sign_in(client, world["admin"].email)
        page = client.get("/deadlines").get_data(as_text=True)
    assert "Text held until Wed 25 Nov 18:00" in page


def test_an_email_to_someone_for_whom_email_is_not_safe_goes_by_letter(ctx):
    create_referrals(police_row(contact_method="EMAIL", email="a@x.test"), received=WEDNESDAY)
    person_of("LC-20261120-0100").safe_to_email = False
    db.session.commit()
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    (message,) = messages()
    assert message.channel == "letter" and message.status == "queued"


def test_a_text_to_someone_who_texted_stop_goes_by_letter_held_when_flagged(ctx):
    create_referrals(police_row(contact_method="SMS", flags="DOMESTIC_ABUSE"), received=WEDNESDAY)
    db.session.add(SmsOptOut(phone="+447700900100", opted_out=True, changed_at=WEDNESDAY))
    db.session.commit()
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    (message,) = messages()
    assert (message.channel, message.status) == ("letter", "held")
    assert "opted out of texts" in message.held_reason


# --- C: held letters -----------------------------------------------------------------------


def test_a_domestic_abuse_final_letter_is_held_and_shown_on_the_queue(client, ctx, world):
    create_referrals(police_row(flags="DOMESTIC_ABUSE"), received=WEDNESDAY)
    owe_final_letter("LC-20261120-0100", world["worker"])
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    (message,) = messages()
    assert message.status == "held" and message.channel == "letter"
    assert "domestic abuse" in message.held_reason
    assert "safe to post not recorded" in message.held_reason
    sign_in(client, world["leader"].email)
    queue = client.get("/queue").get_data(as_text=True)
    assert "Held letters" in queue and "Letter held" in queue
    assert "safe to post not recorded" in queue
    # Not in the print queue until someone decides.
    assert "There are no letters waiting to be posted" in client.get("/letters").get_data(
        as_text=True
    )
    contact = client.get(f"/referrals/{message.referral_id}/contact").get_data(as_text=True)
    assert "Held" in contact and f"/messages/{message.id}/decision" in contact
    summary = client.get(f"/referrals/{message.referral_id}").get_data(as_text=True)
    assert "A letter is held for a decision: Flagged for domestic abuse" in summary


@pytest.mark.parametrize(
    "flags,safe_to_post,status",
    [("", None, "queued"), ("DOMESTIC_ABUSE", True, "queued"), ("DOMESTIC_ABUSE", False, "held")],
)
def test_only_flagged_people_without_safe_to_post_have_letters_held(
    ctx, flags, safe_to_post, status
):
    create_referrals(police_row(flags=flags), received=WEDNESDAY)
    person_of("LC-20261120-0100").safe_to_post = safe_to_post
    db.session.commit()
    owe_final_letter("LC-20261120-0100")
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    assert [m.status for m in messages()] == [status]


def test_a_flag_on_the_persons_earlier_referral_holds_a_letter_for_a_later_one(ctx):
    """The later referral shows nothing of domestic abuse; the person's first one does."""
    create_referrals(
        police_row(crime_reference="LC-20261120-0001", flags="DOMESTIC_ABUSE"),
        police_row(crime_reference="LC-20261120-0100"),
        received=WEDNESDAY,
    )
    assert person_of("LC-20261120-0100").id == person_of("LC-20261120-0001").id
    assert referral("LC-20261120-0100").flags == []
    owe_final_letter("LC-20261120-0100")
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    (message,) = messages()
    assert message.status == "held" and "domestic abuse" in message.held_reason


def test_another_persons_flag_never_holds_their_letter(ctx):
    create_referrals(
        police_row(
            crime_reference="LC-20261120-0001",
            forename="Sam",
            mobile_phone="07700 900999",
            flags="DOMESTIC_ABUSE",
        ),
        police_row(crime_reference="LC-20261120-0100"),
        received=WEDNESDAY,
    )
    assert person_of("LC-20261120-0100").id != person_of("LC-20261120-0001").id
    owe_final_letter("LC-20261120-0100")
    owe_final_letter("LC-20261120-0001")
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    status = {m.referral_id: m.status for m in messages()}
    assert status == {
        referral("LC-20261120-0100").id: "queued",
        referral("LC-20261120-0001").id: "held",
    }


@pytest.mark.parametrize("earlier", [1, 20])
def test_queueing_a_letter_reads_its_own_referral_not_all_the_persons(ctx, earlier):
    """A repeat victim's earlier referrals are asked about in SQL, not each loaded: the sweep
    loads the same referrals whether the person has 1 earlier referral or 20 (with 250 each,
    1,000 people once took the sweep 27 seconds)."""
    create_referrals(
        *[
            police_row(
                crime_reference=f"LC-20261120-{n:04}", flags="DOMESTIC_ABUSE" if n == 1 else ""
            )
            for n in range(1, earlier + 1)
        ],
        police_row(),
        received=WEDNESDAY,
    )
    db.session.execute(sa.update(Obligation).values(status="met", met_at=WEDNESDAY))
    db.session.commit()
    owe_final_letter("LC-20261120-0100")
    later = referral("LC-20261120-0100").id
    assert db.session.get(Referral, later).person_id == referral("LC-20261120-0001").person_id
    db.session.rollback()
    db.session.expunge_all()
    loaded = []

    def count(target, context):
        loaded.append(target.id)

    sa.event.listen(Referral, "load", count)
    try:
        sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    finally:
        sa.event.remove(Referral, "load", count)
    assert loaded == [later]
    (message,) = messages()
    assert message.status == "held", "the flag on their first referral still counts"


def case_on(message) -> int:
    return message.case_id


def held_letter(ctx, world, case: bool = False, **person) -> OutboundMessage:
    create_referrals(police_row(flags="DOMESTIC_ABUSE", email="a@x.test"), received=WEDNESDAY)
    for name, value in person.items():
        setattr(person_of("LC-20261120-0100"), name, value)
    db.session.commit()
    obligation = owe_final_letter("LC-20261120-0100", world["worker"])
    if case:
        create_case(
            referral("LC-20261120-0100").id, caseworker=world["worker"], leader=world["leader"]
        )
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    (message,) = messages()
    assert message.status == "held"
    assert (message.case_id is not None) is case
    assert message.obligation_id == obligation.id
    return message


def decide(client, message_id, **data):
    path = f"/messages/{message_id}/decision"
    return post_form(client, path, data)


def obligation_met(message) -> bool:
    db.session.rollback()
    return db.session.get(Obligation, message.obligation_id).met_at is not None


def test_posting_a_held_letter_anyway_puts_it_in_the_print_queue_and_meets_it(client, ctx, world):
    message = held_letter(ctx, world)
    sign_in(client, world["leader"].email)
    response = decide(client, message.id, decision="post", reason="Spoke to her: post is fine")
    assert response.status_code == 302
    assert obligation_met(message)
    assert "Final letter (PDF)" in client.get("/letters").get_data(as_text=True)
    (row,) = audit_rows("message.held.decided")
    assert row.detail_dict["decision"] == "post" and row.actor_id == world["leader"].id
    # A second decision is refused, saying who decided, and changes nothing.
    again = decide(client, message.id, decision="none", reason="changed my mind")
    assert again.status_code == 400
    assert "already been decided by Lee Leader" in again.get_data(as_text=True)
    assert [m.status for m in messages()] == ["queued"]


def test_another_channel_sends_a_safe_text_instead(client, ctx, world, fake_twilio):
    message = held_letter(ctx, world, case=True)
    sign_in(client, world["worker"].email)
    case_page = client.get(f"/cases/{case_on(message)}").get_data(as_text=True)
    assert "A letter is held for a decision" in case_page
    assert decide(client, message.id, decision="channel", channel="sms").status_code == 302
    letter, text = messages()
    assert (letter.status, letter.decision) == ("not_sent", "channel")
    assert (text.channel, text.status, text.recipient) == ("sms", "queued", "+447700900100")
    assert obligation_met(message)


def test_another_channel_that_is_not_safe_is_refused_with_the_reason(client, ctx, world):
    message = held_letter(ctx, world, safe_to_text=False)
    sign_in(client, world["worker"].email)
    response = decide(client, message.id, decision="channel", channel="sms")
    assert response.status_code == 400
    assert "not safe to text them" in response.get_data(as_text=True)
    assert [m.status for m in messages()] == ["held"]
    assert not obligation_met(message)


def test_sending_nothing_needs_a_reason_and_then_meets_the_obligation(client, ctx, world):
    message = held_letter(ctx, world)
    sign_in(client, world["leader"].email)
    missing = decide(client, message.id, decision="none", reason="  ")
    assert missing.status_code == 400
    assert "Enter why nothing is being sent" in missing.get_data(as_text=True)
    assert not obligation_met(message)
    assert (
        decide(client, message.id, decision="none", reason="Perpetrator reads post").status_code
        == 302
    )
    (letter,) = messages()
    assert (letter.status, letter.decision_reason) == ("not_sent", "Perpetrator reads post")
    assert obligation_met(message)


@pytest.mark.parametrize("who", ["other_leader", "other_worker"])
def test_staff_who_may_not_decide_get_the_same_404_as_a_missing_letter(client, ctx, world, who):
    message = held_letter(ctx, world)
    sign_in(client, world[who].email)
    assert client.get(f"/messages/{message.id}/decision").status_code == 404
    assert client.get("/messages/999999/decision").status_code == 404
    assert client.get(f"/messages/{2**40}/decision").status_code == 404
    assert [m.status for m in messages()] == ["held"]


# --- D: messages from a case ----------------------------------------------------------------


def make_template(name="Checking in", channel="sms", body=None, subject=None) -> MessageTemplate:
    template = MessageTemplate(
        name=name,
        channel=channel,
        subject=subject,
        body=body or "Hello {forename}, {caseworker} here about {reference}. Call us any time.",
        created_at=WEDNESDAY,
        updated_at=WEDNESDAY,
    )
    db.session.add(template)
    db.session.commit()
    return template


def test_admins_word_message_templates_and_unknown_placeholders_are_refused(client, world):
    sign_in(client, world["admin"].email)
    bad = post_form(
        client,
        "/admin/message-templates/new",
        {"name": "Hello", "channel": "sms", "body": "Hi {firstname}"},
    )
    assert bad.status_code == 400
    assert "{firstname} is not a placeholder Waypoint knows" in bad.get_data(as_text=True)
    no_subject = post_form(
        client,
        "/admin/message-templates/new",
        {"name": "Hello", "channel": "email", "body": "Hi {forename}"},
    )
    assert "Enter the email" in no_subject.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageTemplate)) == 0
    good = post_form(
        client,
        "/admin/message-templates/new",
        {"name": "Hello", "channel": "sms", "body": "Hi {forename}, ref {reference}"},
    )
    assert good.status_code == 302
    listing = client.get("/admin/message-templates").get_data(as_text=True)
    assert "Hello" in listing and "30 characters (1 text)" in listing
    assert audit_rows("message_template.created")
    db.session.rollback()
    template = db.session.scalars(sa.select(MessageTemplate)).one()
    path, version = f"/admin/message-templates/{template.id}", template.version
    changed = {"name": "Hello", "channel": "sms", "body": "Hi {forename}, changed"}
    unversioned = post_form(client, path, changed)  # sent by hand, without the version
    assert unversioned.status_code == 400
    assert "Someone else changed this template meanwhile" in unversioned.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(MessageTemplate, template.id).body == "Hi {forename}, ref {reference}"
    assert post_form(client, path, {**changed, "version": str(version)}).status_code == 302


def case_for(world, **person):
    create_referrals(police_row(email="a@x.test"), received=WEDNESDAY)
    r = referral("LC-20261120-0100")
    case = create_case(r.id, caseworker=world["worker"], leader=world["leader"])
    found = db.session.get(Person, case.person_id)
    for name, value in person.items():
        setattr(found, name, value)
    db.session.commit()
    return case.id


def send(client, case_id, template_id):
    page = post_form(
        client, f"/cases/{case_id}/message", {"template_id": str(template_id)}
    ).get_data(as_text=True)
    token = re.search(r'name="send_token" type="hidden" value="([0-9a-f]+)"', page)
    return page, token.group(1) if token else None


@pytest.mark.parametrize("template_id", ["²", "1" * 5000])
def test_a_template_that_is_no_id_is_refused_not_an_error(client, world, template_id):
    case_id = case_for(world)
    make_template()
    sign_in(client, world["worker"].email)
    for path in (f"/cases/{case_id}/message", f"/cases/{case_id}/message/send"):
        response = post_form(
            client, path, {"template_id": template_id}, token_from=f"/cases/{case_id}/message"
        )
        assert response.status_code == 400, path
        assert "Select a message" in response.get_data(as_text=True)
    assert messages() == []


def test_a_caseworker_sends_a_text_from_a_case_logged_on_its_contact_tab(client, world):
    case_id = case_for(world)
    template = make_template()
    with time_machine.travel(WEDNESDAY, tick=False):
        sign_in(client, world["worker"].email)
        page, token = send(client, case_id, template.id)
        assert "Hello Alex, Casey Worker here about" in page
        response = post_form(
            client,
            f"/cases/{case_id}/message/send",
            {"template_id": str(template.id), "send_token": token},
            token_from=f"/cases/{case_id}/message",
        )
        assert response.status_code == 302
        # A second press of Send queues nothing more.
        post_form(
            client,
            f"/cases/{case_id}/message/send",
            {"template_id": str(template.id), "send_token": token},
            token_from=f"/cases/{case_id}/message",
        )
        contact = client.get(f"/cases/{case_id}/contact").get_data(as_text=True)
    (message,) = messages()
    assert (message.case_id, message.channel, message.status) == (case_id, "sms", "queued")
    assert message.sent_by_id == world["worker"].id
    assert "by Casey Worker" in contact
    # The case's own message, not one on the (closed) referral the case grew from.
    sent_row = contact[contact.rindex("<tr", 0, contact.index("by Casey Worker")) :]
    sent_row = sent_row[: sent_row.index("</tr>")]
    assert "This case" in sent_row and message.referral.reference not in sent_row
    (row,) = audit_rows("case.message.queued")
    assert row.detail_dict["template"] == "Checking in"


def test_a_message_outside_a_safe_time_waits_and_the_page_says_when(client, world):
    case_id = case_for(world, safe_windows=WED_EVENING)
    template = make_template()
    with time_machine.travel(WEDNESDAY, tick=False):
        sign_in(client, world["leader"].email)
        page, token = send(client, case_id, template.id)
        assert "Held until 18:00 on Wednesday 18 November" in page
        response = post_form(
            client,
            f"/cases/{case_id}/message/send",
            {"template_id": str(template.id), "send_token": token},
            token_from=f"/cases/{case_id}/message",
            follow_redirects=True,
        )
    assert "held until 18:00 on Wednesday 18 November" in response.get_data(as_text=True)
    assert messages()[0].send_after == datetime(2026, 11, 18, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    "channel,person,reason",
    [
        ("sms", {"safe_to_text": False}, "not safe to text them"),
        ("email", {"safe_to_email": False}, "not safe to email them"),
        ("email", {"email": None}, "There is no email address for them"),
    ],
)
def test_no_safe_channel_is_refused_with_the_reason(client, world, channel, person, reason):
    case_id = case_for(world, **person)
    template = make_template(channel=channel, subject="Hello" if channel == "email" else None)
    with time_machine.travel(WEDNESDAY, tick=False):
        sign_in(client, world["worker"].email)
        page, token = send(client, case_id, template.id)
    assert reason in page and token is None
    assert messages() == []


def test_a_closed_case_sends_nothing(client, world):
    case_id = case_for(world)
    template = make_template()
    from casework.cases.models import Case

    close_case(
        db.session,
        db.session.get(Case, case_id),
        reason="Support ended",
        actor=world["leader"],
        origin=Origin.command_line("test"),
        now=WEDNESDAY,
    )
    db.session.commit()
    sign_in(client, world["worker"].email)
    page, token = send(client, case_id, template.id)
    assert "This case is closed" in page and token is None
    assert messages() == []


def test_another_teams_leader_gets_the_same_404_as_a_missing_case(app, client, world):
    case_id = case_for(world)
    template = make_template()
    sign_in(client, world["other_leader"].email)
    assert client.get(f"/cases/{case_id}/message").status_code == 404
    assert client.get("/cases/999999/message").status_code == 404
    client = app.test_client()
    sign_in(client, world["worker"].email)
    missing = post_form(
        client,
        "/cases/999999/message",
        {"template_id": str(template.id)},
        token_from=f"/cases/{case_id}/message",
    )
    assert missing.status_code == 404


def test_a_text_queued_while_safe_is_not_sent_once_they_say_texting_is_not_safe(ctx, fake_twilio):
    create_referrals(police_row(contact_method="SMS"), received=WEDNESDAY)
    person_of("LC-20261120-0100").safe_windows = WED_EVENING
    db.session.commit()
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    person_of("LC-20261120-0100").safe_to_text = False
    db.session.commit()
    sweeps.dispatch_messages(db.session, ctx, now=datetime(2026, 11, 18, 18, tzinfo=UTC))
    (message,) = messages()
    assert fake_twilio.accepted == []
    assert message.status == "failed" and "not safe to text" in message.error


def test_the_referrals_contact_tab_says_when_a_waiting_text_goes(client, ctx, world):
    create_referrals(police_row(contact_method="SMS"), received=WEDNESDAY)
    person_of("LC-20261120-0100").safe_windows = WED_EVENING
    db.session.commit()
    sweeps.queue_contact_messages(db.session, ctx, now=WEDNESDAY)
    (message,) = messages()
    with time_machine.travel(WEDNESDAY, tick=False):
        sign_in(client, world["admin"].email)
        page = client.get(f"/referrals/{message.referral_id}/contact")
    assert page.status_code == 200
    assert "Held until Wed 18 Nov 18:00" in page.get_data(as_text=True)


@pytest.mark.parametrize("safe_now", [False, None])
def test_an_email_queued_from_a_case_goes_only_while_email_is_still_safe(
    client, ctx, world, smtp_server, safe_now
):
    """The send-time check reads the case's person as they are when the email would go: once
    they say email is not safe it is not sent; while they have not said so, it goes."""
    case_id = case_for(world)
    template = make_template(channel="email", subject="Checking in")
    with time_machine.travel(WEDNESDAY, tick=False):
        sign_in(client, world["worker"].email)
        _page, token = send(client, case_id, template.id)
        post_form(
            client,
            f"/cases/{case_id}/message/send",
            {"template_id": str(template.id), "send_token": token},
            token_from=f"/cases/{case_id}/message",
        )
    (queued,) = messages()
    assert queued.case_id == case_id and queued.status == "queued"
    person_of("LC-20261120-0100").safe_to_email = safe_now
    db.session.commit()
    sweeps.dispatch_messages(db.session, ctx, now=queued.send_after)
    (message,) = messages()
    if safe_now is False:
        assert smtp_server.messages == []
        assert message.status == "failed" and "not safe to email" in message.error
    else:
        assert [m["Subject"] for m in smtp_server.messages] == ["Checking in"]
        assert message.status == "sent"
