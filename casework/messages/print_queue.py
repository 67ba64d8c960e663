"""The letters waiting to be printed and posted, as the staff who may see them find them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from casework.access import can_view_referral, refuse, visible_referrals_clause
from casework.audit import Origin, audit_referral
from casework.errors import ValidationError
from casework.messages.models import OutboundMessage
from casework.obligations import lifecycle
from casework.referrals.models import Referral


def letters_to_post(session, viewer) -> list[OutboundMessage]:
    """Letters queued for printing on referrals ``viewer`` may see, oldest first."""
    return list(
        session.scalars(
            sa.select(OutboundMessage)
            .join(Referral, OutboundMessage.referral_id == Referral.id)
            .where(
                OutboundMessage.channel == "letter",
                OutboundMessage.status == "queued",
                visible_referrals_clause(viewer),
            )
            .order_by(OutboundMessage.created_at)
        )
    )


def open_letter(
    session, message_id: int, *, viewer, origin: Origin, now: datetime
) -> OutboundMessage:
    """A letter to print, audited; anything but a letter on a referral ``viewer`` may see is
    refused as if it did not exist (NotFound)."""
    message = session.get(OutboundMessage, message_id)
    if (
        message is None
        or message.channel != "letter"
        or message.referral is None
        or not can_view_referral(viewer, message.referral)
    ):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="message",
            record_id=message_id,
            now=now,
        )
    audit_referral(
        session,
        message.referral,
        "letter.print",
        actor=viewer,
        origin=origin,
        at=now,
        detail={"message_id": message.id},
    )
    session.commit()
    return message


def mark_posted(
    session, message_id: int, *, actor, origin: Origin, now: datetime
) -> OutboundMessage:
    """Staff have posted a letter from the print queue: it counts as sent, and its audit row is
    written in the same transaction. Anything but a letter waiting to be posted is refused and
    nothing changes; a message on a referral ``actor`` may not see is refused as if missing."""
    message = session.get(OutboundMessage, message_id)
    if (
        message is None
        or message.referral is None
        or not can_view_referral(actor, message.referral)
    ):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="message",
            record_id=message_id,
            now=now,
        )
    if message.channel != "letter":
        raise ValidationError({"": "Only a letter can be marked as posted"})
    if message.status == "posted":
        raise ValidationError({"": "This letter has already been marked as posted"})
    if message.status != "queued":
        raise ValidationError({"": "This letter is no longer waiting to be posted"})
    message.status = "posted"
    message.sent_at = now
    message.posted_by_id = actor.id
    message.updated_at = now
    if message.obligation_id is not None:
        lifecycle.meet_by_id(session, message.obligation_id, message.referral_id, now)
    audit_referral(
        session,
        message.referral,
        "letter.posted",
        actor=actor,
        origin=origin,
        at=now,
        detail={"message_id": message.id},
    )
    session.commit()
    return message
