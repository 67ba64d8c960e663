"""Sending what the outbox holds: each SMS and email claimed by one sender and sent once, with
retries; a message left mid-send by a crash flagged for a person to check, never resent."""

from __future__ import annotations

from datetime import datetime, timedelta
from time import perf_counter

import sqlalchemy as sa

from casework.cases.models import Case
from casework.messages import outbox
from casework.messages.models import STAFF_KINDS, OutboundMessage
from casework.messages.opt_outs import is_opted_out
from casework.messages.outbox import SendError
from casework.obligations import lifecycle
from casework.obligations.breaches import NOT_SENT
from casework.obligations.models import Obligation
from casework.onward import referring as onward
from casework.people.models import Person
from casework.referrals.models import Referral

ONWARD_KIND = onward.KIND  # to an agency, not the person: their safe-contact answers do not apply

STUCK_AFTER = timedelta(minutes=15)
BATCH = 500

# The scheduler asks these every minute, so they are built once: building a statement costs
# more than running it.
_DUE_TO_SEND = (
    sa.select(OutboundMessage.id)
    .where(
        OutboundMessage.status == "queued",
        OutboundMessage.channel.in_(("sms", "email")),
        OutboundMessage.next_attempt_at <= sa.bindparam("now"),
        OutboundMessage.send_after <= sa.bindparam("now"),
    )
    .order_by(OutboundMessage.id)
    .limit(BATCH)
)
_MESSAGE = sa.select(OutboundMessage).where(OutboundMessage.id == sa.bindparam("message_id"))
_STUCK = (OutboundMessage.status == "sending", OutboundMessage.claimed_at < sa.bindparam("before"))
_ANY_STUCK = sa.select(sa.exists().where(*_STUCK))


def dispatch_messages(session, *, sms, email, now: datetime, calendar=None) -> dict[str, int]:
    """Send queued SMS and email that are due. Each is claimed just before it is sent, so
    however many sweeps run at once, each message is sent by exactly one of them; a sender
    that dies leaves at most one message in doubt. An onward referral to an agency goes only
    over TLS and only while the person's consent to share is in force; once sent,
    its D11 follow-up is owed (``calendar``)."""
    ids = session.scalars(_DUE_TO_SEND, {"now": now}).all()
    session.commit()
    done = {"sent": 0, "failed": 0, "retrying": 0}
    started = perf_counter()
    # SQLite has one writer at a time, so a result held uncommitted while the next claim is
    # made waits for no one. PostgreSQL locks row by row: a sender holding one message's
    # result (its referral's row among them) while claiming a message another sender is
    # still recording could wait on that sender as it waits on this one (two messages of one
    # referral): a deadlock. There each result is committed on its own.
    results_ride_on_claims = session.get_bind().dialect.name == "sqlite"
    session.expunge_all()  # read each claimed message afresh, as the claim left it
    for message_id in ids:
        # Claimed one at a time, just before it is sent: a sender killed mid-send leaves only
        # the message it was sending in doubt ('sending', flagged for a person), never the
        # rest of its batch, which stay queued for the next run.
        # Stamped with the time the batch has taken so far, not the run's start: a long
        # batch's last claims are not stuck just because the run began more than the stuck
        # interval ago.
        claimed_at = now + timedelta(seconds=perf_counter() - started)
        # On SQLite the claim's commit also makes the last message's result durable, before
        # this one is sent: one commit per message, not two, and still at most one message in
        # doubt (a crash before it leaves the last one 'sending', flagged, never resent).
        if not outbox.claim_many(session, [message_id], now, claimed_at=claimed_at):
            continue  # another sender took it, or put it back to wait for a retry
        message = session.scalars(_MESSAGE, {"message_id": message_id}).one()
        try:
            unsafe = _no_longer_safe(session, message)
            if message.kind == ONWARD_KIND:
                unsafe = onward.no_longer_shareable(session, message, now)
            if unsafe:
                raise SendError(unsafe, retry=False)
            if message.channel == "sms":
                if is_opted_out(session, message.recipient):
                    raise SendError("the number has opted out of texts (STOP)", retry=False)
                provider_id = sms.send(message.recipient, message.body)
            elif message.kind == ONWARD_KIND:
                provider_id = email.send(
                    message.recipient, message.subject or "", message.body, require_tls=True
                )
            elif message.attachment is not None:
                provider_id = email.send(
                    message.recipient,
                    message.subject or "",
                    message.body,
                    attachment=message.attachment,
                    attachment_name=message.attachment_name,
                    attachment_type=message.attachment_type,
                )
            else:
                provider_id = email.send(message.recipient, message.subject or "", message.body)
        except SendError as exc:
            outbox.record_failure(session, message, str(exc), now, retry=exc.retry)
            done["retrying" if message.status == "queued" else "failed"] += 1
        else:
            outbox.record_sent(session, message, provider_id, now)
            _meet(session, message, now)
            if message.kind == ONWARD_KIND:
                onward.email_sent(session, message, now, calendar)
            done["sent"] += 1
        if not results_ride_on_claims:
            session.commit()
    session.commit()
    return done


_OBLIGATION_STATUS = sa.select(Obligation.status).where(
    Obligation.id == sa.bindparam("obligation_id")
)


# What the person of a message's case, or else of its referral, now says is safe: read as the
# message is sent, just the two answers (built once; asked for every message sent).
def _safe_answers_via(owner):
    return (
        sa.select(Person.safe_to_text, Person.safe_to_email)
        .join(owner, owner.person_id == Person.id)
        .where(owner.id == sa.bindparam("owner_id"))
    )


_SAFE_ON_CASE, _SAFE_ON_REFERRAL = _safe_answers_via(Case), _safe_answers_via(Referral)


def _no_longer_safe(session, message: OutboundMessage) -> str | None:
    """Why a text or email must not go now, though it was right when queued: a person has since
    said that channel is not safe (DESIGN.md Safe contact), or a breach alert's breach was
    withdrawn. None to send it."""
    if message.kind == "breach_alert" and message.obligation_id is not None:
        status = session.scalar(_OBLIGATION_STATUS, {"obligation_id": message.obligation_id})
        if status != "breached":  # withdrawn, or met in time after all: taken back
            return NOT_SENT
    if message.kind in STAFF_KINDS:
        return None
    if message.case_id is not None:
        answers = session.execute(_SAFE_ON_CASE, {"owner_id": message.case_id}).first()
    elif message.referral_id is not None:
        answers = session.execute(_SAFE_ON_REFERRAL, {"owner_id": message.referral_id}).first()
    else:
        answers = None
    if answers is None:
        return None
    safe_to_text, safe_to_email = answers
    if message.channel == "sms" and safe_to_text is False:
        return "not sent: they have said it is not safe to text them"
    if message.channel == "email" and safe_to_email is False:
        return "not sent: they have said it is not safe to email them"
    return None


def _meet(session, message: OutboundMessage, now: datetime) -> None:
    """A sent initial message or home-visit offer, or a posted letter, meets its obligation."""
    if message.obligation_id is None or message.kind in STAFF_KINDS:
        return
    lifecycle.meet_by_id(session, message.obligation_id, message.referral_id, now)


def flag_stuck_messages(session, *, now: datetime) -> int:
    """A message left 'sending' by a crashed sender may or may not have gone: never resend it
    automatically; mark it failed with an explanation so staff can check."""
    before = {"before": now - STUCK_AFTER}
    if not session.scalar(_ANY_STUCK, before):
        session.commit()
        return 0
    changed = session.execute(
        sa.update(OutboundMessage)
        .where(*_STUCK)
        .values(
            status="failed",
            updated_at=now,
            error=outbox.INTERRUPTED,
        )
        .execution_options(synchronize_session=False),
        before,
    ).rowcount
    session.commit()
    return changed
