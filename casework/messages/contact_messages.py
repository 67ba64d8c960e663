"""The messages the contact deadlines ask for: the D2 initial message, the D3 home-visit offer
and the D1b final letter, each queued once, on the channel the person chose and may safely be
reached on."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casework.contact.models import ContactAttempt
from casework.messages import outbox
from casework.messages.models import LetterTemplate, OutboundMessage
from casework.messages.opt_outs import is_opted_out
from casework.obligations.models import MESSAGE_KINDS, Obligation
from casework.referrals.models import Referral
from triage import contact as rules

BATCH = 500


def _letter_templates(session, defaults: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Each letter's wording: an administrator's edit, or the default."""
    edited = {t.kind: (t.title, t.body) for t in session.scalars(sa.select(LetterTemplate))}
    return {**defaults, **edited}


def _address(referral: Referral) -> str | None:
    if not (referral.address_line_1 and referral.postcode):
        return None
    lines = [
        referral.name,
        referral.address_line_1,
        referral.address_line_2,
        referral.town,
        referral.postcode,
    ]
    return "\n".join(line for line in lines if line)


def queue_contact_messages(
    session, *, wording, calendar, default_letters: dict[str, tuple[str, str]], now: datetime
) -> int:
    """Queue the D2 initial message, the D3 home-visit offer and the D1b final letter for
    every open obligation that has none yet, to go inside service hours."""
    has_message = sa.exists().where(OutboundMessage.obligation_id == Obligation.id)
    rows = session.scalars(
        sa.select(Obligation)
        .where(
            # Literal kinds, so SQLite can use the partial index ix_obligation_message_unmet
            # (casework/referral.py lists the same kinds; tests/integration/test_sweep_plans.py).
            Obligation.kind.in_(
                sa.bindparam("message_kinds", MESSAGE_KINDS, expanding=True, literal_execute=True)
            ),
            Obligation.met_at.is_(None),
            Obligation.status.in_(("due", "breached")),
            ~has_message,
        )
        .options(selectinload(Obligation.referral))
        .limit(BATCH)
    ).all()
    send_after = calendar.next_service_moment(now)
    templates = _letter_templates(session, default_letters) if rows else {}
    batch: list[dict] = []
    for obligation in rows:
        referral = obligation.referral
        values = {"forename": referral.forename, "reference": referral.reference}
        if obligation.kind == "home_visit_offer":
            visit = rules.home_visit_time(referral.received_at, calendar)
            values["visit_time"] = f"{visit.astimezone(calendar.tz):%A %-d %B at %-I%p}"
            for other in referral.obligations:
                if other.kind == "home_visit" and other.booked_at is None:
                    other.booked_at = visit
        if obligation.kind == "final_letter":
            calls = session.scalar(
                sa.select(sa.func.count())
                .select_from(ContactAttempt)
                .where(ContactAttempt.referral_id == referral.id)
            )
            values["attempts"] = f"{calls} time{'s' if calls != 1 else ''}"
        channel, recipient, error = obligation.channel, None, None
        if channel == "sms":
            channel = rules.message_channel(
                channel,
                safe_to_text=referral.safe_to_text,
                opted_out=is_opted_out(session, referral.mobile_phone),
            )
            recipient = referral.mobile_phone if channel == "sms" else None
        if channel == "email":
            recipient = referral.email
        if channel == "post":
            channel, recipient = "letter", _address(referral)
        status = "queued"
        if not recipient:
            status, error = "failed", "no usable contact details for this channel"
            recipient = "-"
        if channel == "sms":
            body, subject = wording.sms(obligation.kind, **values), None
        elif channel == "email":
            subject, body = wording.email(obligation.kind, **values)
        else:
            subject, body = wording.letter(*templates[obligation.kind], **values)
        batch.append(
            {
                "dedupe_key": f"obligation:{obligation.id}",
                "kind": obligation.kind,
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "referral_id": referral.id,
                "obligation_id": obligation.id,
                "status": status,
                "error": error,
            }
        )
    # One insert for the lot; a message another sweep queued meanwhile is skipped by its key.
    outbox.queue_messages(session, batch, now=now, send_after=send_after)
    session.commit()
    return len(batch)
