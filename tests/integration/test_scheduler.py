"""The scheduler keeps the deadlines: messages sent once, breaches marked, letters queued,
retries without duplicates, and catching up after a restart."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.messages.models import OutboundMessage
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from scheduling import sweeps
from scheduling.sweeps import context
from tests.conftest import TWILIO_SID, TWILIO_TOKEN
from tests.police import SAMPLE, police_csv, police_row

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_overrides(messaging):
    return messaging


def run_once(runner, when: str) -> dict:
    result = runner.invoke(args=["scheduler", "run-once", "--now", when])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def import_sample(runner, received="2026-11-20T07:00:00+00:00", path=None):
    result = runner.invoke(
        args=["referrals", "import-police", str(path or ROOT / SAMPLE), "--received-at", received]
    )
    assert result.exit_code == 0, result.output


def messages(**where) -> list[OutboundMessage]:
    db.session.rollback()
    query = sa.select(OutboundMessage).order_by(OutboundMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboundMessage, key) == value)
    return list(db.session.scalars(query))


def obligation(crime_reference: str, kind: str) -> Obligation:
    db.session.rollback()
    return db.session.scalars(
        sa.select(Obligation)
        .join(Referral)
        .where(Referral.crime_reference == crime_reference, Obligation.kind == kind)
    ).one()


def test_walk_through_messages_once_breaches_and_the_final_letter(
    runner, fake_twilio, smtp_server, create_staff_record
):
    create_staff_record("team_leader", email="lead@waypoint.test")
    import_sample(runner)  # Friday 07:00 UTC
    early = run_once(runner, "2026-11-20T07:05:00+00:00")  # before the service opens
    assert early["messages_queued"] == 4 and early["messages"]["sent"] == 0
    assert fake_twilio.accepted == [] and smtp_server.messages == []

    opened = run_once(runner, "2026-11-20T09:01:00+00:00")
    assert opened["messages"]["sent"] == 2  # the SMS and the email
    again = run_once(runner, "2026-11-20T09:02:00+00:00")
    assert again["messages_queued"] == 0 and again["messages"]["sent"] == 0
    [sms] = fake_twilio.accepted
    assert sms["To"] == "+447700900630" and "Reply STOP" in sms["Body"]
    [email] = smtp_server.messages
    assert email["To"] == "t.wisniewski@example.org"
    assert "free and confidential" in email.get_content()
    assert obligation("LC-20261120-0070", "initial_message").status == "met"
    letters = messages(channel="letter")
    assert {m.kind for m in letters} == {"initial_message", "home_visit_offer"}
    assert all(m.status == "queued" for m in letters)  # waiting in the print queue
    # The visit the letter offers is the one booked against the referral's home visit.
    [offer] = [m for m in letters if m.kind == "home_visit_offer"]
    visit = db.session.scalars(
        sa.select(Obligation.booked_at).where(
            Obligation.referral_id == offer.referral_id, Obligation.kind == "home_visit"
        )
    ).one()
    london = ZoneInfo("Europe/London")
    assert visit is not None and f"{visit.astimezone(london):%A %-d %B at %-I%p}" in offer.body

    after_close = run_once(runner, "2026-11-20T18:01:00+00:00")
    assert after_close["breaches"] == 2  # two letters not posted by close
    assert obligation("LC-20261120-0071", "initial_message").status == "breached"
    run_once(runner, "2026-11-20T18:02:00+00:00")
    alerts = [m for m in smtp_server.messages if m["To"] == "lead@waypoint.test"]
    assert len(alerts) == 2 and "Deadline missed" in alerts[0]["Subject"]

    # Dean: enhanced telephone referral, due 24 hours after receipt.
    assert run_once(runner, "2026-11-21T07:01:00+00:00")["breaches"] == 1
    assert obligation("LC-20261120-0057", "phone_contact").status == "breached"
    assert run_once(runner, "2026-11-21T07:30:00+00:00")["breaches"] == 0


def test_third_failed_call_queues_the_final_letter(app, runner, create_staff_record):
    from casework.audit import Origin
    from casework.contact.recording import record_attempt

    import_sample(runner)
    leader = create_staff_record("team_leader")
    referral_id = obligation("LC-20261120-0042", "phone_contact").referral_id
    calendar = context(app.config).calendar
    for hour in (9, 11, 13):
        at = datetime(2026, 11, 20, hour, tzinfo=UTC)
        record_attempt(
            db.session,
            referral_id,
            channel="telephone",
            outcome="no_answer",
            at=at,
            notes=None,
            actor=leader,
            origin=Origin(),
            now=at,
            calendar=calendar,
        )
    summary = run_once(runner, "2026-11-20T13:05:00+00:00")
    assert summary["messages_queued"] >= 1
    [letter] = messages(kind="final_letter")
    assert letter.channel == "letter" and "tried to contact you 3 times" in letter.body
    assert obligation("LC-20261120-0042", "final_letter").due_at == datetime(
        2026, 11, 20, 18, tzinfo=UTC
    )


def test_twilio_500_then_429_is_retried_later_never_duplicated(runner, fake_twilio):
    import_sample(runner)
    fake_twilio.script = [500, 429]
    first = run_once(runner, "2026-11-20T09:01:00+00:00")
    assert first["messages"]["retrying"] == 1
    [sms] = messages(channel="sms")
    assert sms.status == "queued" and "Twilio 500" in sms.error and sms.attempts == 1
    assert run_once(runner, "2026-11-20T09:01:30+00:00")["messages"]["retrying"] == 0
    second = run_once(runner, "2026-11-20T09:02:01+00:00")  # one minute later: 429
    assert second["messages"]["retrying"] == 1
    assert "Twilio 429" in messages(channel="sms")[0].error
    third = run_once(runner, "2026-11-20T09:07:02+00:00")  # five minutes later: accepted
    assert third["messages"]["sent"] == 1
    [sms] = messages(channel="sms")
    assert sms.status == "sent" and sms.attempts == 3 and sms.error is None
    assert len(fake_twilio.requests) == 3 and len(fake_twilio.accepted) == 1
    run_once(runner, "2026-11-20T10:00:00+00:00")
    assert len(fake_twilio.accepted) == 1


def test_two_sweeps_at_once_send_each_message_once(app, fake_twilio, create_staff_record):
    rows = [
        police_row(
            crime_reference=f"LC-{i}",
            forename=f"P{i}",
            contact_method="SMS",
            mobile_phone=f"07700 900{i:03}",
        )
        for i in range(20)
    ]
    from casework.audit import Origin
    from casework.referrals.police_import import import_police_download

    received = datetime(2026, 11, 20, 7, tzinfo=UTC)
    ctx = context(app.config)
    import_police_download(
        db.session,
        police_csv(*rows),
        filename="x.csv",
        received_at=received,
        calendar=ctx.calendar,
        origin=Origin(),
        now=received,
    )
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    sweeps.queue_contact_messages(db.session, ctx, now=now)
    db.session.remove()
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        with app.app_context():
            barrier.wait()
            results.append(sweeps.dispatch_messages(db.session, ctx, now=now))
            db.session.remove()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 20
    assert len(fake_twilio.accepted) == 20
    assert len({m["To"] for m in fake_twilio.accepted}) == 20


def test_scheduler_killed_and_restarted_across_a_deadline(
    app, database_uri, fake_twilio, smtp_server, create_staff_record, tmp_path
):
    """A real `flask scheduler` process is killed before a deadline and started again after
    it: the breach is recorded once and the alert sent once."""
    create_staff_record("team_leader", email="lead@waypoint.test")
    from casework.audit import Origin
    from casework.referrals.police_import import import_police_download

    now = datetime.now(UTC)
    import_police_download(
        db.session,
        police_csv(police_row(contact_method="HOME_PHONE", home_phone="0116 496 0111")),
        filename="x.csv",
        received_at=now - timedelta(hours=48),
        calendar=context(app.config).calendar,
        origin=Origin(),
        now=now,
    )
    due = db.session.scalars(sa.select(Obligation)).one()
    due.due_at = now + timedelta(seconds=4)
    db.session.commit()
    env = {
        **os.environ,
        "WAYPOINT_ENV": "development",
        "SCHEDULER_INTERVAL_SECONDS": "1",
        "DATABASE_URL": os.environ.get("TEST_DATABASE_URL") or database_uri,
        "WAYPOINT_INSTANCE_DIR": str(tmp_path),
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": "+447700900000",
        "TWILIO_BASE_URL": fake_twilio.url,
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
    }

    def start():
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def breached() -> int:
        db.session.rollback()
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Obligation)
            .where(Obligation.status == "breached")
        )

    first = start()
    time.sleep(2)
    first.send_signal(signal.SIGKILL)  # killed before the deadline
    first.wait()
    assert breached() == 0
    time.sleep(3)  # the deadline passes while down
    second = start()
    try:
        for _ in range(150):
            if breached() and smtp_server.messages:
                break
            time.sleep(0.1)
        time.sleep(2)  # a few more sweeps run
    finally:
        second.terminate()
        second.wait(timeout=10)
    assert breached() == 1
    assert len([m for m in smtp_server.messages if m["To"] == "lead@waypoint.test"]) == 1
