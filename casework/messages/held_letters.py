"""Held letters: a letter the person did not choose, to the home of someone flagged for domestic
abuse without safe-to-post recorded as yes, waits for a staff decision (DESIGN.md Deadline
rules, safe contact). The decision (post it, send by another safe channel, or send nothing
with a reason) is made once, audited, and meets the obligation the letter was for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casework.access import can_decide_message, refuse, visible_referrals_clause
from casework.audit import Origin, record_event
from casework.errors import ValidationError
from casework.messages import outbox
from casework.messages.models import STAFF_KINDS, OutboundMessage
from casework.messages.safe_contact import person_safe_details, plan_message
from casework.obligations import lifecycle
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from triage import contact as rules

DECISIONS = {
    "post": "Post it anyway",
    "channel": "Send by another channel instead",
    "none": "Send nothing",
}
DECISION_CHANNELS = {"sms": "Text message (SMS)", "email": "Email"}
REASON_MAX = 500


def held_on_referrals(session, referral_ids: list[int]) -> dict[int, OutboundMessage]:
    """The held message (if any) of each of these referrals, for the queue's marker."""
    if not referral_ids:
        return {}
    rows = session.scalars(
        sa.select(OutboundMessage)
        .where(OutboundMessage.status == "held", OutboundMessage.referral_id.in_(referral_ids))
        .order_by(OutboundMessage.id)
    )
    return {m.referral_id: m for m in rows}


def held_messages(session, viewer, *, limit: int = 100) -> list[OutboundMessage]:
    """Held messages on the referrals ``viewer`` may see, oldest first (the queue's list)."""
    return list(
        session.scalars(
            sa.select(OutboundMessage)
            .join(Referral, OutboundMessage.referral_id == Referral.id)
            .where(OutboundMessage.status == "held", visible_referrals_clause(viewer))
            .options(selectinload(OutboundMessage.referral))
            .order_by(OutboundMessage.created_at, OutboundMessage.id)
            .limit(limit)
        )
    )


def _person_id(message: OutboundMessage) -> int | None:
    if message.case is not None:
        return message.case.person_id
    if message.referral is not None:
        return message.referral.person_id or message.referral.id
    return None


def open_held_message(
    session, message_id: int, *, viewer, origin: Origin, now: datetime
) -> OutboundMessage:
    """A held (or already decided) message for its decision page, the view audited; a message
    ``viewer`` may not decide is refused exactly like a missing one (NotFound)."""
    message = session.get(OutboundMessage, message_id)
    if (
        message is None
        or message.kind in STAFF_KINDS
        or (message.status != "held" and message.decision is None)
        or not can_decide_message(viewer, message)
    ):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="message",
            record_id=message_id,
            now=now,
        )
    record_event(
        session,
        action="message.held.view",
        actor=viewer,
        origin=origin,
        record_type="message",
        record_id=message.id,
        person_id=_person_id(message),
        at=now,
    )
    session.commit()
    return message


@dataclass(frozen=True)
class Decision:
    """What staff decided: ``post``, ``channel`` (with ``channel`` sms or email) or ``none``
    (with ``reason``)."""

    choice: str
    channel: str | None = None
    reason: str | None = None


def _already_decided(message: OutboundMessage) -> ValidationError:
    who = message.decided_by.name if message.decided_by else "someone"
    when = f"{message.decided_at:%-d %B %Y}" if message.decided_at else ""
    what = DECISIONS.get(message.decision or "", "decided").lower()
    return ValidationError(
        {
            "decision": f"This letter has already been decided by {who} {when}: {what}. "
            "Nothing was changed."
        }
    )


def decide_held_message(
    session,
    message_id: int,
    decision: Decision,
    *,
    actor,
    wording,
    calendar,
    origin: Origin,
    now: datetime,
) -> OutboundMessage:
    """Decide a held letter once: post it (queued for the print queue), send a text or email
    in its place on a channel that is safe for the person (refused with the reason if not), or
    send nothing with a reason. The decision meets the obligation the letter was for and is
    audited; a second decision is refused and changes nothing."""
    message = session.get(OutboundMessage, message_id)
    if message is None or not can_decide_message(actor, message):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="message",
            record_id=message_id,
            now=now,
        )
    if message.status != "held":
        raise (
            _already_decided(message)
            if message.decision
            else ValidationError({"decision": "This message is not held for a decision"})
        )
    if decision.choice not in DECISIONS:
        raise ValidationError({"decision": "Select what to do with the letter"})
    reason = (decision.reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"The reason must be {REASON_MAX} characters or fewer"})
    replacement = None
    if decision.choice == "channel":
        replacement = _replacement(session, message, decision.channel, wording, calendar, now)
    if decision.choice == "none" and not reason:
        raise ValidationError({"reason": "Enter why nothing is being sent"})
    # A held text or email (their safe times never meet service hours) "posted anyway" goes
    # when the service next opens; a letter joins the print queue now.
    goes_at = now if message.channel == "letter" else calendar.next_service_moment(now)
    # One decision only: the update applies only while the message is still held.
    changed = session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id == message.id, OutboundMessage.status == "held")
        .values(
            status="queued" if decision.choice == "post" else "not_sent",
            decision=decision.choice,
            decision_reason=reason or None,
            decided_by_id=actor.id,
            decided_at=now,
            send_after=goes_at,
            next_attempt_at=goes_at,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        session.rollback()
        session.refresh(message)
        raise _already_decided(message)
    if replacement is not None:
        outbox.queue_message(session, **replacement)
    if message.obligation_id is not None:
        obligation = session.get(Obligation, message.obligation_id)
        if obligation is not None:
            lifecycle.meet(session, obligation, now)
    record_event(
        session,
        action="message.held.decided",
        actor=actor,
        origin=origin,
        record_type="message",
        record_id=message.id,
        person_id=_person_id(message),
        at=now,
        detail={
            "decision": decision.choice,
            "channel": decision.channel if decision.choice == "channel" else None,
            "obligation_id": message.obligation_id,
        },
    )
    session.commit()
    session.refresh(message)
    return message


def _replacement(session, message, channel, wording, calendar, now) -> dict:
    """The text or email sent instead of a held letter, if that channel is safe."""
    if channel not in DECISION_CHANNELS:
        raise ValidationError({"channel": "Select a text message or an email"})
    person = message.case.person if message.case is not None else message.referral.person
    details = person_safe_details(session, person, message.referral)
    plan = plan_message(
        session, details, channel, chosen=True, calendar=calendar, now=now, fall_back_to_post=False
    )
    if plan.status == "refused":
        raise ValidationError({"channel": f"{plan.reason}: choose another way"})
    if plan.status == "failed":
        label = "mobile number" if channel == "sms" else "email address"
        raise ValidationError({"channel": f"There is no {label} for them"})
    # Staff decided knowing their safe times: if those never meet service hours, it goes
    # when the service next opens.
    send_after = plan.send_after if plan.status == "queued" else calendar.next_service_moment(now)
    reference = (message.referral or message.case).reference
    forename = (person or message.referral).forename
    if channel == "sms":
        values = {"forename": forename, "reference": reference}
        kind = message.kind if message.kind in ("initial_message", "home_visit_offer") else None
        if kind == "home_visit_offer":
            visit = rules.home_visit_time(message.referral.received_at, calendar)
            values["visit_time"] = f"{visit.astimezone(calendar.tz):%A %-d %B at %-I%p}"
        body = wording.sms(kind or "final_letter", **values)
        subject = None
    else:
        subject, body = message.subject, message.body
    return {
        "dedupe_key": f"decision:{message.id}",
        "kind": message.kind,
        "channel": channel,
        "recipient": plan.recipient,
        "subject": subject,
        "body": body,
        "now": now,
        "send_after": send_after,
        "referral_id": message.referral_id,
        "case_id": message.case_id,
    }


def waiting_messages(
    session, obligation_ids: list[int], now: datetime
) -> dict[int, OutboundMessage]:
    """For each of these obligations, its message if it is waiting: held for a decision, or
    queued to go at a later safe moment (the deadline view's "held until")."""
    if not obligation_ids:
        return {}
    rows = session.scalars(
        sa.select(OutboundMessage).where(
            OutboundMessage.obligation_id.in_(obligation_ids),
            sa.or_(
                OutboundMessage.status == "held",
                sa.and_(OutboundMessage.status == "queued", OutboundMessage.send_after > now),
            ),
        )
    )
    return {m.obligation_id: m for m in rows}
