"""The outbox: messages queued once, claimed by one sender, recorded as sent or failed with
retries, and moved forward by the provider's delivery statuses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from casework.messages.models import OutboundMessage


class SendError(Exception):
    """Sending failed; ``retry`` says whether trying again later may work."""

    def __init__(self, message: str, *, retry: bool):
        super().__init__(message)
        self.retry = retry


STATUS_ORDER = {
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "posted": 3,
    "undelivered": 4,
    "failed": 4,
}


RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
]


MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def queue_message(
    session,
    *,
    dedupe_key: str,
    kind: str,
    channel: str,
    recipient: str,
    body: str,
    now: datetime,
    send_after: datetime,
    subject: str | None = None,
    referral_id: int | None = None,
    obligation_id: int | None = None,
    case_id: int | None = None,
    status: str = "queued",
    error: str | None = None,
    held_reason: str | None = None,
) -> bool:
    """Add a message unless one with this key exists already; True when it was added.

    The database's unique key decides, so two sweeps racing to queue the same message
    create it once.
    """
    values = {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "channel": channel,
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "status": status,
        "error": error,
        "attempts": 0,
        "send_after": send_after,
        "next_attempt_at": send_after,
        "referral_id": referral_id,
        "obligation_id": obligation_id,
        "case_id": case_id,
        "held_reason": held_reason,
        "created_at": now,
        "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(OutboundMessage)
    inserted = session.execute(
        insert.values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboundMessage.id)
    ).scalar()
    return inserted is not None


def queue_messages(session, rows: list[dict], *, now: datetime, send_after: datetime) -> None:
    """Queue many messages at once; any whose ``dedupe_key`` exists already is skipped.

    One statement on the table for the lot, every row with every column: the ORM's bulk
    insert leaves out each row's empty columns and so splits a batch into a statement per
    run of rows that differ in which are empty (76 statements for 309 messages)."""
    if not rows:
        return
    # A value left None takes the default, as the ORM's bulk insert did by leaving it out.
    complete = [
        {
            "subject": None,
            "case_id": None,
            "held_reason": None,
            "status": "queued",
            "error": None,
            "attempts": 0,
            "send_after": send_after,
            "next_attempt_at": send_after,
            "created_at": now,
            "updated_at": now,
            **{key: value for key, value in row.items() if value is not None},
        }
        for row in rows
    ]
    # Rows of different kinds may name different columns: each names them all, None if absent.
    columns = dict.fromkeys(key for row in complete for key in row)
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        OutboundMessage.__table__
    )
    session.execute(
        insert.on_conflict_do_nothing(index_elements=["dedupe_key"]),
        [{column: row.get(column) for column in columns} for row in complete],
    )


# Run for each message sent, so built once, on the table rather than the mapped class:
# building an ORM statement, and the ORM's work in running one, cost more than the database's.
_OUTBOX = OutboundMessage.__table__.c
_CLAIM = (
    sa.update(OutboundMessage.__table__)
    .where(
        _OUTBOX.id.in_(sa.bindparam("ids", expanding=True)),
        _OUTBOX.status == "queued",
        _OUTBOX.next_attempt_at <= sa.bindparam("now"),
        _OUTBOX.send_after <= sa.bindparam("now"),
    )
    .values(
        status="sending",
        claimed_at=sa.bindparam("claim_time"),
        updated_at=sa.bindparam("claim_time"),
        attempts=_OUTBOX.attempts + 1,
    )
    .returning(_OUTBOX.id)
)


def claim_many(
    session, message_ids: list[int], now: datetime, *, claimed_at: datetime | None = None
) -> list[int]:
    """Take queued messages that are due as of ``now`` for sending, in one conditional update;
    returns those this caller won. Committed at once, so no other sweep can take the same ones,
    nor one another sender put back to wait for a retry. ``claimed_at`` (default ``now``) is
    when the claim is made, from which a claim left unfinished is judged stuck.

    The commit is the session's, won or not: whatever the caller has pending goes with it.
    On SQLite the sender relies on that to make the last message's result durable with the
    next claim (casework/messages/dispatch.py)."""
    if not message_ids:
        return []
    won = session.scalars(
        _CLAIM, {"ids": list(message_ids), "now": now, "claim_time": claimed_at or now}
    ).all()
    session.commit()
    return sorted(won)


_SENT_VALUES = {
    "status": sa.bindparam("sent_status"),
    "provider_id": sa.bindparam("provider"),
    "sent_at": sa.bindparam("now"),
    "error": None,
    "updated_at": sa.bindparam("now"),
}
_SENT = (
    sa.update(OutboundMessage.__table__)
    .where(_OUTBOX.id == sa.bindparam("message_id"))
    .values(_SENT_VALUES)
)


def record_sent(
    session, message: OutboundMessage, provider_id: str | None, now: datetime, status: str = "sent"
) -> None:
    """The provider accepted the message: sent, with its id for delivery statuses. Written by
    a statement on the table (run for every message sent); what the object held of it is
    expired, so reading it reads what was written. What the session holds goes first: the
    message itself, if it is new."""
    session.flush()
    session.execute(
        _SENT,
        {"message_id": message.id, "sent_status": status, "provider": provider_id, "now": now},
    )
    session.expire(message, list(_SENT_VALUES))


# Why a message left 'sending' by a crashed sender is failed: it may or may not have gone.
INTERRUPTED = "sending was interrupted; check with the provider before resending"


def record_failure(
    session, message: OutboundMessage, error: str, now: datetime, *, retry: bool
) -> None:
    """A failed send: queued again after a growing delay, or failed for good."""
    message.error = error[:500]
    message.updated_at = now
    if retry and message.attempts < MAX_ATTEMPTS:
        message.status = "queued"
        message.next_attempt_at = now + RETRY_DELAYS[message.attempts - 1]
    else:
        message.status = "failed"


def advance_status(
    message: OutboundMessage, status: str, now: datetime, error: str | None = None
) -> bool:
    """Move a message's delivery status forward only (a late 'sent' never undoes 'delivered')."""
    if STATUS_ORDER.get(status, -1) <= STATUS_ORDER.get(message.status, -1):
        return False
    message.status = status
    message.updated_at = now
    if status == "delivered":
        message.delivered_at = now
    if error:
        message.error = error[:500]
    return True


PROVIDER_STATUSES = {"queued", "sending", "sent", "delivered", "undelivered", "failed"}


def apply_delivery_status(
    session, provider_id: str, status: str, *, error: str | None, now: datetime
) -> bool:
    """The provider's word on a message we sent: applied only when it moves the status forward
    (a late 'sent' after 'delivered' changes nothing). False when nothing changed."""
    if not provider_id or status not in PROVIDER_STATUSES:
        return False
    message = session.scalar(
        sa.select(OutboundMessage).where(OutboundMessage.provider_id == provider_id)
    )
    if message is None or not advance_status(message, status, now, error=error):
        return False
    session.commit()
    return True
