"""A text or email sent from a case by its caseworker or a leader of its team: worded from an
administrator's template, queued through the same outbox as every automatic message, on a
channel that is safe for the person, at their next safe time, and logged on the case."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from casework.access import can_message_from_case, can_view_case, refuse
from casework.audit import Origin, record_event
from casework.cases.models import Case
from casework.errors import NotFound, ValidationError
from casework.messages import outbox
from casework.messages.message_templates import fill, get_template
from casework.messages.models import MessageTemplate, OutboundMessage
from casework.messages.safe_contact import Plan, person_safe_details, plan_message

SEND_TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Preview:
    """What a message from a case would be: the template, its words filled in, and how and
    when it would go (``plan.status`` refused or failed when it cannot)."""

    template: MessageTemplate
    subject: str | None
    body: str
    plan: Plan


def _case(session, case_id: int, actor, origin: Origin, now: datetime) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_view_case(actor, case):
        refuse(session, actor=actor, origin=origin, record_type="case", record_id=case_id, now=now)
    if case.status != "open":
        raise ValidationError({"": "This case is closed: messages cannot be sent from it"})
    if not can_message_from_case(actor, case):
        raise ValidationError(
            {"": "Only the case's caseworker or a leader of its team can send a message from it"}
        )
    return case


def preview_case_message(
    session, case_id: int, template_id: int | None, *, actor, calendar, origin: Origin, now
) -> Preview:
    """The message ``template_id`` would send to the case's person, and how and when: on the
    template's channel only if it is safe for them, at their next safe time."""
    case = _case(session, case_id, actor, origin, now)
    try:
        template = get_template(session, template_id) if template_id else None
    except NotFound:
        template = None
    if template is None:
        raise ValidationError({"template_id": "Select a message to send"})
    person = case.person
    details = person_safe_details(session, person)
    plan = plan_message(
        session,
        details,
        template.channel,
        chosen=True,
        calendar=calendar,
        now=now,
        fall_back_to_post=False,
    )
    values = {
        "forename": person.forename,
        "reference": case.reference,
        "caseworker": case.caseworker.name if case.caseworker else "your caseworker",
    }
    subject = fill(template.subject, **values) if template.subject else None
    return Preview(template, subject, fill(template.body, **values), plan)


def refusal(preview: Preview) -> str | None:
    """Why the previewed message cannot be sent, in words, or None."""
    plan = preview.plan
    if plan.status == "refused":
        return f"{plan.reason}. No safe way to send this message: choose another or call them"
    if plan.status == "failed":
        what = "mobile number" if preview.template.channel == "sms" else "email address"
        return f"There is no {what} for them: choose another message"
    if plan.status == "held":
        return plan.reason
    return None


def send_case_message(
    session,
    case_id: int,
    template_id: int | None,
    send_token: str,
    *,
    actor,
    calendar,
    origin: Origin,
    now: datetime,
) -> OutboundMessage:
    """Queue the template's message to the case's person through the outbox, at their next
    safe moment, logged on the case and audited. Refused with the reason when the case is
    closed or no channel is safe. ``send_token`` (from the preview) makes a repeated press of
    Send queue it once."""
    if not SEND_TOKEN.match(send_token or ""):
        raise ValidationError({"": "The preview has expired: preview the message again"})
    preview = preview_case_message(
        session, case_id, template_id, actor=actor, calendar=calendar, origin=origin, now=now
    )
    problem = refusal(preview)
    if problem:
        raise ValidationError({"template_id": problem})
    case = session.get(Case, case_id)
    referral = case.referrals[-1] if case.referrals else None
    key = f"case:{case.id}:{send_token}"
    added = outbox.queue_message(
        session,
        dedupe_key=key,
        kind="case_message",
        channel=preview.plan.channel,
        recipient=preview.plan.recipient,
        subject=preview.subject,
        body=preview.body,
        now=now,
        send_after=preview.plan.send_after,
        referral_id=referral.id if referral else None,
        case_id=case.id,
    )
    message = session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.dedupe_key == key)
    ).one()
    if added:
        message.sent_by_id = actor.id
        record_event(
            session,
            action="case.message.queued",
            actor=actor,
            origin=origin,
            record_type="case",
            record_id=case.id,
            person_id=case.person_id,
            at=now,
            detail={
                "message_id": message.id,
                "template": preview.template.name,
                "channel": message.channel,
            },
        )
    session.commit()
    return message
