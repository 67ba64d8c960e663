"""People who texted STOP are never texted until they text START; each inbound text is applied
once, however often the provider delivers it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from casework.audit import Origin, record_event
from casework.messages.models import SmsOptOut, WebhookReceipt

# Asked before every text, so built once.
_OPTED_OUT = sa.select(SmsOptOut.opted_out).where(SmsOptOut.phone == sa.bindparam("phone"))


_OPTED_OUT_AMONG = sa.select(SmsOptOut.phone).where(
    SmsOptOut.phone.in_(sa.bindparam("phones", expanding=True)), SmsOptOut.opted_out.is_(True)
)


def is_opted_out(session, phone: str | None) -> bool:
    """True when this number has texted STOP and not START since."""
    return bool(phone) and bool(session.scalar(_OPTED_OUT, {"phone": phone}))


def opted_out_among(session, phones) -> set[str]:
    """Which of these numbers have texted STOP and not START since: asked once for a batch of
    messages rather than once for each."""
    wanted = sorted({phone for phone in phones if phone})
    return set(session.scalars(_OPTED_OUT_AMONG, {"phones": wanted})) if wanted else set()


def claim_webhook_event(session, event_id: str, now: datetime) -> bool:
    """Record a provider's event as applied; False when it already was (a repeated delivery or
    a replay), so the caller changes nothing. Two deliveries racing each other: one wins."""
    if not event_id or len(event_id) > 80:
        return False
    if session.get(WebhookReceipt, event_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(WebhookReceipt(event_id=event_id, received_at=now))
    except IntegrityError:
        return False
    return True


def apply_inbound_text(
    session, message_sid: str, phone: str, opted_out: bool, *, origin: Origin, now: datetime
) -> bool:
    """A person texted STOP (``opted_out``) or START: honour it once per message, however often
    the provider delivers it, and audit it. False when this message was already applied."""
    if not claim_webhook_event(session, f"sms:{message_sid}", now):
        session.rollback()
        return False
    set_opt_out(session, phone, opted_out, now)
    record_event(
        session,
        action="sms.opt_out" if opted_out else "sms.opt_in",
        origin=origin,
        at=now,
        detail={"phone_end": phone[-3:]},
    )
    session.commit()
    return True


def set_opt_out(session, phone: str, opted_out: bool, now: datetime) -> None:
    """Record a STOP (opted out) or START for a number."""
    row = session.get(SmsOptOut, phone)
    if row is None:
        session.add(SmsOptOut(phone=phone, opted_out=opted_out, changed_at=now))
    else:
        row.opted_out = opted_out
        row.changed_at = now
