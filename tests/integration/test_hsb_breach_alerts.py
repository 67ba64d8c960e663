"""A callback the HSB line missed (D8) is told to the line's team leaders, with a link to the
contact; the victim service's team leaders are not told about the line's contacts. A breach
withdrawn (the call was answered after all, or there is nobody to call) is told again, or its
alert, not sent yet, never goes."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin
from casework.db import db
from casework.hsb.contacts import Professional, create_contact
from casework.hsb.models import AdviceContact
from casework.messages.dispatch import dispatch_messages, flag_stuck_messages
from casework.messages.models import OutboundMessage
from casework.obligations.models import Obligation
from scheduling import sweeps
from scheduling.service_calendars import hsb_calendar
from scheduling.sweeps import context
from tests.conftest import post_form
from tests.integration.hsb_helpers import callback_form
from tests.integration.test_advice_line_voice import call_arrives, outcome

# Friday 20 November 2026, 19:30 London (GMT): a missed call half an hour before the close, so
# its callback is due four line-hours later, at 11:30 on Monday.
MISSED_AT = datetime(2026, 11, 20, 19, 30, tzinfo=UTC)


@pytest.fixture
def app_overrides(messaging):
    return messaging


def _contact(app, channel, received_at, call_outcome=None, **professional):
    """A contact on the line, committed, through the real service."""
    made = create_contact(
        db.session,
        channel=channel,
        call_outcome=call_outcome,
        received_at=received_at,
        calendar=hsb_calendar(app.config),
        now=received_at,
        origin=Origin.command_line("test"),
        professional=Professional(**professional),
    )
    db.session.commit()
    return made


def test_a_missed_callback_alerts_the_hsb_team_leaders_only(
    app, create_team_record, create_staff_record
):
    hsb, victim = create_team_record(service="hsb"), create_team_record(service="victim")
    hsb_leader = create_staff_record("team_leader", team=hsb, email="lead@hsb.test")
    create_staff_record("team_leader", team=victim, email="lead@victim.test")
    contact = _contact(app, "telephone", MISSED_AT, call_outcome="missed", phone="+447700900123")
    callback = db.session.scalars(sa.select(Obligation)).one()
    assert callback.kind == "callback"
    assert callback.due_at == datetime(2026, 11, 23, 11, 30, tzinfo=UTC)

    assert (
        sweeps.mark_breaches(
            db.session, context(app.config), now=datetime(2026, 11, 23, 11, 31, tzinfo=UTC)
        )
        == 1
    )
    alerts = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.kind == "breach_alert")
    ).all()
    assert [a.recipient for a in alerts] == [hsb_leader.email]
    assert f"/advice-line/contacts/{contact.id}" in alerts[0].body
    assert "+447700900123" not in alerts[0].body and "None" not in alerts[0].body


# --- a breach withdrawn: the call was answered after all, or there is nobody to call ---------

OPEN = datetime(2026, 11, 23, 10, tzinfo=UTC)  # Monday: the line is open, its callback due 14:00
DUE = datetime(2026, 11, 23, 14, tzinfo=UTC)
CALL_SID = "CA" + "5" * 32


@pytest.fixture
def line(app, create_team_record, create_staff_record):
    """The HSB team's leader, and an advisor on duty, so a call rings through."""
    hsb = create_team_record(service="hsb")
    leader = create_staff_record("team_leader", team=hsb, email="lead@hsb.test")
    advisor = create_staff_record("hsb_advisor", team=hsb)
    advisor.phone, advisor.on_duty = "+447700900201", True
    db.session.commit()
    return leader


def _sweep(app, now):
    ctx = context(app.config)
    sweeps.mark_breaches(db.session, ctx, now=now)
    return sweeps.dispatch_messages(db.session, ctx, now=now)


def _sent_subjects(smtp_server):
    return [m["Subject"] for m in smtp_server.messages]


def test_a_breach_withdrawn_after_its_alert_went_is_recalled_once(app, client, line, smtp_server):
    """A rung call whose outcome was lost owes its callback; it is breached and the team leader
    told. The provider's report then says it was answered (a long call): the breach is taken
    back, and the team leader is told, once, that nothing was missed."""
    call_arrives(client, when=OPEN, sid=CALL_SID)
    _sweep(app, DUE + timedelta(minutes=1))
    assert _sent_subjects(smtp_server) == ["Advice line callback missed: contact 1"]
    answered = {"DialCallStatus": "completed", "DialCallDuration": str(5 * 3600)}
    outcome(client, answered, when=OPEN + timedelta(hours=5, minutes=1), sid=CALL_SID)
    outcome(client, answered, when=OPEN + timedelta(hours=5, minutes=2), sid=CALL_SID)  # replayed
    _sweep(app, OPEN + timedelta(hours=5, minutes=3))
    _sweep(app, OPEN + timedelta(hours=5, minutes=4))
    subjects = _sent_subjects(smtp_server)
    assert subjects[1:] == ["Advice line callback no longer missed: contact 1"]
    recall = smtp_server.messages[1]
    assert recall["To"] == "lead@hsb.test"
    assert "the call was answered after all" in recall.get_content()
    assert "/advice-line/contacts/1" in recall.get_content()


def test_an_alert_not_yet_sent_for_a_withdrawn_breach_never_goes(app, client, line, smtp_server):
    call_arrives(client, when=OPEN, sid=CALL_SID)
    ctx = context(app.config)
    sweeps.mark_breaches(db.session, ctx, now=DUE + timedelta(minutes=1))  # queued, not sent
    answered = {"DialCallStatus": "completed", "DialCallDuration": str(5 * 3600)}
    outcome(client, answered, when=OPEN + timedelta(hours=5, minutes=1), sid=CALL_SID)
    sweeps.dispatch_messages(db.session, ctx, now=OPEN + timedelta(hours=5, minutes=2))
    assert smtp_server.messages == []
    [alert] = db.session.scalars(sa.select(OutboundMessage)).all()  # and no recall: nobody told
    assert alert.kind == "breach_alert" and alert.status == "failed"
    assert alert.error == "not sent: the breach was withdrawn"


def test_nobody_to_call_recalls_the_missed_callback_alert(
    app, client, line, smtp_server, sign_in_as
):
    """A missed call from a withheld number: its callback is breached and the team leader told;
    the advisor then records that there is no number to call, which withdraws it."""
    with time_machine.travel(OPEN, tick=False):
        call_arrives(client, when=OPEN, sid=CALL_SID, caller="anonymous")
        outcome(client, {"DialCallStatus": "no-answer"}, when=OPEN, sid=CALL_SID)
    _sweep(app, DUE + timedelta(minutes=1))
    assert _sent_subjects(smtp_server) == ["Advice line callback missed: contact 1"]
    with time_machine.travel(DUE + timedelta(minutes=30), tick=False):
        sign_in_as("hsb_advisor")
        recorded = callback_form(
            client, 1, made_day=["23", "11", "2026"], made_at="14:25", result="no_number"
        )
        assert recorded.status_code == 302
    _sweep(app, DUE + timedelta(minutes=31))
    assert _sent_subjects(smtp_server)[1:] == ["Advice line callback no longer missed: contact 1"]
    assert "there is no phone number or email address" in smtp_server.messages[1].get_content()


def _reply(client, replied: str) -> None:
    """The advisor records (or corrects) when contact 1's email was replied to on Monday."""
    version = db.session.scalars(sa.select(AdviceContact)).one().version
    db.session.rollback()
    response = post_form(
        client,
        "/advice-line/contacts/1/reply",
        {"replied_day": ["23", "11", "2026"], "replied_time": replied, "version": version},
    )
    assert response.status_code == 302


def test_a_reply_time_corrected_to_in_time_recalls_the_alert(
    app, client, line, smtp_server, sign_in_as
):
    """An email sent on Saturday evening owes its callback by 12:00 on Monday; the reply is
    first recorded at 13:15 (late: breached, the team leader told), then corrected to 11:30:
    in time, so the breach is taken back and the team leader told so."""
    saturday = datetime(2026, 11, 21, 18, tzinfo=UTC)
    _contact(app, "email", saturday, email="dsl@school.example")
    monday_noon = datetime(2026, 11, 23, 12, tzinfo=UTC)
    _sweep(app, monday_noon + timedelta(minutes=1))
    assert _sent_subjects(smtp_server) == ["Advice line callback missed: contact 1"]
    with time_machine.travel(monday_noon + timedelta(hours=2), tick=False):
        sign_in_as("hsb_advisor")
        for replied in ("13:15", "11:30"):
            _reply(client, replied)
    [callback] = db.session.scalars(sa.select(Obligation)).all()
    assert callback.status == "met"
    _sweep(app, monday_noon + timedelta(hours=2, minutes=1))
    assert _sent_subjects(smtp_server)[1:] == ["Advice line callback no longer missed: contact 1"]
    assert "the reply's time was corrected" in smtp_server.messages[1].get_content()


# --- a breach told again: owed again after its recall, or a reply time corrected to late -----


def _withheld_call_missed(client):
    """A missed call from a withheld number at 10:00: its callback is due at 14:00."""
    with time_machine.travel(OPEN, tick=False):
        call_arrives(client, when=OPEN, sid=CALL_SID, caller="anonymous")
        outcome(client, {"DialCallStatus": "no-answer"}, when=OPEN, sid=CALL_SID)


def _nobody_to_call_then_number_found(client, sign_in_as, when):
    """The advisor records 'No phone number to call' (withdrawing the callback), then finds
    the professional's number and adds it (owing the callback again, already overdue)."""
    with time_machine.travel(when, tick=False):
        sign_in_as("hsb_advisor")
        recorded = callback_form(
            client, 1, made_day=["23", "11", "2026"], made_at=f"{when:%H:%M}", result="no_number"
        )
        assert recorded.status_code == 302
        version = db.session.scalars(sa.select(AdviceContact)).one().version
        db.session.rollback()
        added = post_form(
            client,
            "/advice-line/contacts/1/details",
            {"organisation": "Withheld School", "phone": "07700 900777", "version": version},
        )
        assert added.status_code == 302


def test_a_callback_owed_again_after_its_recall_is_told_missed_again(
    app, client, line, smtp_server, sign_in_as
):
    """Told missed, then told 'no longer missed' (nobody to call); the number is then found,
    so the callback is owed again and already overdue: the team leader is told it is missed
    again, not left believing nothing is owed."""
    _withheld_call_missed(client)
    _sweep(app, DUE + timedelta(minutes=1))
    _nobody_to_call_then_number_found(client, sign_in_as, DUE + timedelta(minutes=30))
    _sweep(app, DUE + timedelta(minutes=31))
    assert _sent_subjects(smtp_server) == [
        "Advice line callback missed: contact 1",
        "Advice line callback no longer missed: contact 1",
        "Advice line callback missed: contact 1",
    ]
    assert [m["To"] for m in smtp_server.messages] == ["lead@hsb.test"] * 3
    _sweep(app, DUE + timedelta(minutes=32))  # and once only
    assert len(smtp_server.messages) == 3


def test_an_unsent_alert_recalled_stays_unsent_when_the_callback_is_owed_again(
    app, client, line, smtp_server, sign_in_as
):
    """The breach alert was still waiting to go when the callback was withdrawn; owed again,
    the leader gets one 'missed' email, not the stale alert as well."""
    _withheld_call_missed(client)
    sweeps.mark_breaches(db.session, context(app.config), now=DUE + timedelta(minutes=1))
    _nobody_to_call_then_number_found(client, sign_in_as, DUE + timedelta(minutes=30))
    _sweep(app, DUE + timedelta(minutes=31))
    assert _sent_subjects(smtp_server) == ["Advice line callback missed: contact 1"]
    statuses = db.session.execute(
        sa.select(OutboundMessage.status, OutboundMessage.error).order_by(OutboundMessage.id)
    ).all()
    assert statuses == [("failed", "not sent: the breach was withdrawn"), ("sent", None)]


class _DyingMail:
    """The process dying while handing an email to the mail server."""

    def send(self, *args, **kwargs):
        raise KeyboardInterrupt


def test_an_alert_whose_sending_was_interrupted_is_recalled(
    app, client, line, smtp_server, sign_in_as
):
    """The sender died while sending the breach alert, so nobody knows whether the leader got
    it (marked failed, 'sending was interrupted'). When the breach is withdrawn, that leader
    is told, to be safe."""
    _withheld_call_missed(client)
    sweeps.mark_breaches(db.session, context(app.config), now=DUE + timedelta(minutes=1))
    with pytest.raises(KeyboardInterrupt):
        dispatch_messages(db.session, sms=None, email=_DyingMail(), now=DUE + timedelta(minutes=1))
    db.session.rollback()
    assert flag_stuck_messages(db.session, now=DUE + timedelta(minutes=20)) == 1
    with time_machine.travel(DUE + timedelta(minutes=25), tick=False):
        sign_in_as("hsb_advisor")
        assert callback_form(client, 1, made_at="14:25", result="no_number").status_code == 302
    _sweep(app, DUE + timedelta(minutes=26))
    assert _sent_subjects(smtp_server) == ["Advice line callback no longer missed: contact 1"]
    assert smtp_server.messages[0]["To"] == "lead@hsb.test"


def test_a_reply_time_corrected_to_late_tells_the_team_leader(
    app, client, line, smtp_server, sign_in_as
):
    """A reply recorded in time (11:30, due 12:00) is corrected to 13:15: late, so the team
    leader is told it was missed; corrected back to 11:30, told it no longer is; to 12:40,
    told again."""
    _contact(app, "email", datetime(2026, 11, 21, 18, tzinfo=UTC), email="dsl@school.example")
    monday_noon = datetime(2026, 11, 23, 12, tzinfo=UTC)
    with time_machine.travel(monday_noon + timedelta(hours=2), tick=False):
        sign_in_as("hsb_advisor")
        for n, replied in enumerate(("11:30", "13:15", "11:30", "12:40")):
            _reply(client, replied)
            _sweep(app, monday_noon + timedelta(hours=2, minutes=n))
    assert _sent_subjects(smtp_server) == [
        "Advice line callback made late: contact 1",
        "Advice line callback no longer missed: contact 1",
        "Advice line callback made late: contact 1",
    ]
    told = smtp_server.messages[0].get_content()
    assert "was due at 12:00 on Monday 23 November" in told
    assert "The reply was sent at 13:15 on Monday 23 November, late" in told
    assert "The reply was sent at 12:40" in smtp_server.messages[2].get_content()
    [callback] = db.session.scalars(sa.select(Obligation)).all()
    assert callback.status == "breached"


def test_a_callback_made_late_before_the_sweep_counted_it_tells_the_team_leader(
    app, client, line, smtp_server, sign_in_as
):
    """The scheduler was down at 14:00, when the callback fell due; the advisor records it
    made at 14:20. It is counted as missed, and the team leader told so, once, though the sweep
    never marked it breached."""
    with time_machine.travel(OPEN, tick=False):
        call_arrives(client, when=OPEN, sid=CALL_SID)
        outcome(client, {"DialCallStatus": "no-answer"}, when=OPEN, sid=CALL_SID)
    with time_machine.travel(DUE + timedelta(minutes=30), tick=False):
        sign_in_as("hsb_advisor")
        assert callback_form(client, 1, made_at="14:20", result="spoke").status_code == 302
    _sweep(app, DUE + timedelta(minutes=31))
    _sweep(app, DUE + timedelta(minutes=32))
    assert _sent_subjects(smtp_server) == ["Advice line callback made late: contact 1"]
    told = smtp_server.messages[0].get_content()
    assert (
        "was due at 14:00 on Monday 23 November. It was made at 14:20 on Monday 23 November, late"
        in told
    )
    [callback] = db.session.scalars(sa.select(Obligation)).all()
    assert callback.status == "breached" and callback.met_at is not None


def test_a_first_reply_recorded_late_before_the_sweep_tells_the_team_leader(
    app, client, line, smtp_server, sign_in_as
):
    _contact(app, "email", datetime(2026, 11, 21, 18, tzinfo=UTC), email="dsl@school.example")
    with time_machine.travel(datetime(2026, 11, 23, 14, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        _reply(client, "13:15")  # due at 12:00; no sweep has run since
    _sweep(app, datetime(2026, 11, 23, 14, 1, tzinfo=UTC))
    assert _sent_subjects(smtp_server) == ["Advice line callback made late: contact 1"]


def test_an_email_logged_with_a_late_reply_tells_the_team_leader(
    app, client, line, smtp_server, sign_in_as
):
    """An email received on Saturday evening, logged on Monday afternoon with its reply at
    13:15 (its callback was due at 12:00): counted as missed, and the team leader told, once,
    as of a reply recorded late."""
    with time_machine.travel(datetime(2026, 11, 23, 14, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        data = {
            "received_day": ["21", "11", "2026"],
            "received_time": "18:00",
            "replied_day": ["23", "11", "2026"],
            "replied_time": "13:15",
            "name": "Priya Shah",
            "role": "Social worker",
            "setting_type": "social_work",
            "email": "priya.shah@council.example.org",
            "request_text": "Two 14-year-olds, one sharing images of the other.",
        }
        response = post_form(client, "/advice-line/contacts/new?channel=email", data)
        assert response.status_code == 302, response.get_data(as_text=True)
    [callback] = db.session.scalars(sa.select(Obligation)).all()
    assert callback.status == "breached"
    _sweep(app, datetime(2026, 11, 23, 14, 1, tzinfo=UTC))
    _sweep(app, datetime(2026, 11, 23, 14, 2, tzinfo=UTC))
    assert _sent_subjects(smtp_server) == ["Advice line callback made late: contact 1"]
    assert "The reply was sent at 13:15 on Monday 23 November, late" in (
        smtp_server.messages[0].get_content()
    )


def test_a_late_callback_in_summer_time_is_told_in_uk_time(
    app, client, line, smtp_server, sign_in_as
):
    """In British Summer Time the email's times are the line's (UK) times, not UTC: a call
    missed at 10:00 BST on Monday 14 June 2027 is due back at 14:00 BST (13:00 UTC)."""
    rang = datetime(2027, 6, 14, 9, tzinfo=UTC)
    with time_machine.travel(rang, tick=False):
        call_arrives(client, when=rang, sid=CALL_SID)
        outcome(client, {"DialCallStatus": "no-answer"}, when=rang, sid=CALL_SID)
    [callback] = db.session.scalars(sa.select(Obligation)).all()
    assert callback.due_at == datetime(2027, 6, 14, 13, tzinfo=UTC)
    db.session.rollback()
    with time_machine.travel(datetime(2027, 6, 14, 13, 30, tzinfo=UTC), tick=False):
        sign_in_as("hsb_advisor")
        made = callback_form(
            client, 1, made_day=["14", "6", "2027"], made_at="14:20", result="spoke"
        )
        assert made.status_code == 302
    _sweep(app, datetime(2027, 6, 14, 13, 31, tzinfo=UTC))
    [told] = smtp_server.messages
    assert (
        "was due at 14:00 on Monday 14 June. It was made at 14:20 on Monday 14 June, late"
        in told.get_content()
    )
