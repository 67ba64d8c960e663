"""Crash safety: real importer and scheduler processes killed with SIGKILL (a few trials of
bench/crash_safety.py; run the bench for the full count), and a sender dying mid-batch
leaves only the message it was sending in doubt.

Under TEST_DATABASE_URL the trials create their databases on that PostgreSQL server (one per
trial, from a template) and check whole-or-absent there; integrity_check is SQLite's only."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.messages import outbox
from casework.messages.dispatch import dispatch_messages, flag_stuck_messages
from casework.messages.models import OutboundMessage
from tests.conftest import POSTGRES_URL

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    from bench.crash_safety import PostgresStore, SqliteStore

    store = PostgresStore(POSTGRES_URL) if POSTGRES_URL else SqliteStore(tmp_path)
    yield store
    store.close()


def test_imports_killed_at_spread_moments_leave_the_batch_whole_or_absent(store, tmp_path):
    from bench.crash_safety import print_imports, run_import_trials

    figures = run_import_trials(3, 1000, tmp_path, store=store)
    print_imports(figures)
    assert figures.reference.referrals > 0
    assert sum(t.killed for t in figures.trials) >= 1
    assert all(t.sound for t in figures.trials)  # integrity_check and foreign_key_check
    assert figures.broken == 0
    assert {t.outcome for t in figures.trials} <= {"whole", "absent"}


def test_scheduler_killed_mid_send_never_sends_twice_nor_loses_a_message(store, tmp_path):
    from bench.crash_safety import print_scheduler, run_scheduler_trials

    figures = run_scheduler_trials(2, 4, 0.3, tmp_path, store=store)
    print_scheduler(figures)
    assert all(t.killed and t.mid_send for t in figures.trials)
    assert figures.total("duplicates") == 0
    assert figures.total("lost") == 0
    assert figures.total("unrecorded") == 0
    # Only the message being sent at the kill is in doubt; the rest were sent on restart.
    assert figures.total("flagged_unsent") <= len(figures.trials)
    assert all(t.flagged <= 1 for t in figures.trials)
    assert figures.total("sent_once") + figures.total("flagged") == 4 * len(figures.trials)


class Killed(BaseException):
    """The process dying mid-send (nothing in the sender catches it)."""


class Texts:
    """Stands in for Twilio: accepts texts; dies while sending the ``die_on``-th."""

    def __init__(self, die_on=None):
        self.sent: list[str] = []
        self.die_on = die_on

    def send(self, to: str, body: str) -> str:
        if len(self.sent) + 1 == self.die_on:
            raise Killed
        self.sent.append(to)
        return f"SM{len(self.sent)}"


def statuses() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(OutboundMessage.status).order_by(OutboundMessage.id)))


def test_a_sender_dying_mid_batch_leaves_only_that_message_in_doubt(app):
    outbox.queue_messages(
        db.session,
        [
            {
                "dedupe_key": f"sms-{n}",
                "kind": "initial_message",
                "channel": "sms",
                "recipient": f"+44770090010{n}",
                "body": f"Message {n}",
                "referral_id": None,
                "obligation_id": None,
            }
            for n in range(4)
        ],
        now=NOW,
        send_after=NOW,
    )
    db.session.commit()
    dying = Texts(die_on=2)
    with pytest.raises(Killed):
        dispatch_messages(db.session, sms=dying, email=None, now=NOW)
    assert dying.sent == ["+447700900100"]
    # The first was sent; the second's outcome is unknown; the others were never claimed.
    assert statuses() == ["sent", "sending", "queued", "queued"]

    later = NOW + timedelta(minutes=16)
    assert flag_stuck_messages(db.session, now=later) == 1
    texts = Texts()
    assert dispatch_messages(db.session, sms=texts, email=None, now=later)["sent"] == 2
    assert texts.sent == ["+447700900102", "+447700900103"]
    assert statuses() == ["sent", "failed", "sent", "sent"]
    flagged = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.status == "failed")
    ).one()
    assert "sending was interrupted" in flagged.error and flagged.recipient == "+447700900101"
