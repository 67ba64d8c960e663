"""The texts and emails staff send from a case, as administrators word them: a name, a
channel (sms or email), a subject for email and a body with {forename}, {reference} and
{caseworker} filled in when it is sent."""

from __future__ import annotations

import string
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from casework.audit import Origin, record_event
from casework.errors import NotFound, ValidationError
from casework.messages.models import MESSAGE_CHANNELS, MessageTemplate

PLACEHOLDERS = ("forename", "reference", "caseworker")
NAME_MAX = 100
SUBJECT_MAX = 200
BODY_MAX = {"sms": 918, "email": 5000}
GSM_SINGLE, GSM_PART = 160, 153


def placeholder_problem(text: str) -> str | None:
    """Why ``text``'s {placeholders} cannot be filled in, in words, or None: only {forename},
    {reference} and {caseworker}, written exactly so."""
    try:
        fields = [f for _, f, spec, conv in string.Formatter().parse(text) if f is not None]
        specs = [
            (spec, conv) for _, f, spec, conv in string.Formatter().parse(text) if f is not None
        ]
    except ValueError:
        return (
            "Check the curly brackets: write a placeholder as {forename}, and a lone bracket twice"
        )
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for field, (spec, conv) in zip(fields, specs, strict=True):
        if field not in PLACEHOLDERS or spec or conv:
            shown = "{" + field[:40] + "}" if field else "{}"
            return f"{shown} is not a placeholder Waypoint knows: use {allowed}"
    return None


def sms_length(text: str) -> tuple[int, int]:
    """Characters and the number of text messages they take (160 in one, 153 a part after)."""
    length = len(text)
    if length <= GSM_SINGLE:
        return length, 1
    return length, -(-length // GSM_PART)


def fill(text: str, *, forename: str, reference: str, caseworker: str) -> str:
    """A template's text with its placeholders filled in (checked by
    :func:`placeholder_problem` when saved)."""
    return text.format(forename=forename, reference=reference, caseworker=caseworker)


def template_problems(name: str, channel: str, subject: str, body: str) -> dict[str, str]:
    """Each field's problem, in words, for the admin's form."""
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name for the template"
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer"
    if channel not in MESSAGE_CHANNELS:
        errors["channel"] = "Select text message or email"
    if channel == "email":
        if not subject:
            errors["subject"] = "Enter the email's subject"
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = f"The subject must be {SUBJECT_MAX} characters or fewer"
        elif problem := placeholder_problem(subject):
            errors["subject"] = problem
    if not body:
        errors["body"] = "Enter the message"
    elif len(body) > BODY_MAX.get(channel, 5000):
        errors["body"] = f"The message must be {BODY_MAX.get(channel, 5000)} characters or fewer"
    elif problem := placeholder_problem(body):
        errors["body"] = problem
    return errors


def list_templates(session, channel: str | None = None) -> list[MessageTemplate]:
    """Every message template by name (of one channel, if given)."""
    query = sa.select(MessageTemplate).order_by(MessageTemplate.name)
    if channel:
        query = query.where(MessageTemplate.channel == channel)
    return list(session.scalars(query))


def get_template(session, template_id: int) -> MessageTemplate:
    """One template; NotFound when there is none with that id."""
    template = session.get(MessageTemplate, template_id)
    if template is None:
        raise NotFound(template_id)
    return template


def save_template(
    session,
    template_id: int | None,
    *,
    name: str,
    channel: str,
    subject: str,
    body: str,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> MessageTemplate:
    """Add a template (``template_id`` None) or change one, audited. Bad fields, a name in use
    and an edit made meanwhile by someone else (or a change without the version it was made
    on) are refused and change nothing."""
    name, subject = (name or "").strip(), (subject or "").strip()
    body = (body or "").replace("\r\n", "\n").strip()
    errors = template_problems(name, channel, subject, body)
    template = get_template(session, template_id) if template_id is not None else None
    clash = session.scalar(
        sa.select(MessageTemplate.id).where(sa.func.lower(MessageTemplate.name) == name.lower())
    )
    if "name" not in errors and clash is not None and clash != template_id:
        errors["name"] = "A template with this name exists already"
    if template is not None and version != template.version:  # None: not sent, so unchecked
        errors[""] = "Someone else changed this template meanwhile: reload it and try again"
    if errors:
        session.rollback()
        raise ValidationError(errors)
    if template is None:
        template = MessageTemplate(created_at=now)
        session.add(template)
    template.name, template.channel, template.body = name, channel, body
    template.subject = subject if channel == "email" else None
    # A command (the demo seed) has no staff member to name.
    template.updated_at, template.updated_by_id = now, actor.id if actor is not None else None
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ValidationError({"name": "A template with this name exists already"}) from None
    except StaleDataError:
        session.rollback()
        raise ValidationError(
            {"": "Someone else changed this template meanwhile: reload it and try again"}
        ) from None
    record_event(
        session,
        action="message_template.created" if template_id is None else "message_template.updated",
        actor=actor,
        origin=origin,
        record_type="message_template",
        record_id=template.id,
        at=now,
        detail={"name": name, "channel": channel},
    )
    session.commit()
    return template
