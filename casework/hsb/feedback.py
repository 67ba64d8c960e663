"""Professionals' feedback on the advice (issue 16, output 6): a one-time link emailed once
advice is recorded, the same confidence questions as at first contact, satisfaction and their own
words; negative feedback owes a D12 follow-up by a team leader.

Only the SHA-256 of the link's token is stored, so the database never holds a working link. A
used, expired or unknown token is the same "not found" to the caller: the public page never
says which. The free text is never written to the audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from casework import access
from casework.audit import Origin, record_event
from casework.errors import NotFound, ValidationError
from casework.hsb.models import (
    CONFIDENCE_SCALE,
    SATISFACTION,
    AdviceContact,
    AdviceFeedback,
)
from casework.messages.models import OutboundMessage
from casework.obligations import lifecycle
from casework.obligations.models import Obligation
from triage import hsb as rules

LONDON = ZoneInfo("Europe/London")
LINK_LIFETIME = timedelta(days=30)
KIND = "advice_feedback_request"
FOLLOW_UP_KIND = "feedback_follow_up"
COMMENTS_LIMIT = 5000
NOTES_LIMIT = 5000
PER_PAGE = 25

SUBJECT = "How was the advice you received from the HSB advice line?"
BODY = """Hello{name},

Thank you for contacting the harmful sexual behaviour (HSB) advice line on {day}.

We would like to know how confident you feel now, and how satisfied you were with the advice.
It takes two minutes. This link works once and for 30 days:

{link}

Please do not include any child's name in your answers.

The HSB advice line
"""


def token_hash(token: str) -> str:
    """The SHA-256 of a feedback link's token, as stored."""
    return hashlib.sha256((token or "").encode("utf-8", "surrogatepass")).hexdigest()


def _contact(session, contact_id: int, actor, origin: Origin, now: datetime) -> AdviceContact:
    """The contact, if ``actor`` may use the advice line (None: the command line or the demo)."""
    if actor is not None and not access.can_use_advice_line(actor):
        access.refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="advice_contact",
            record_id=contact_id,
            now=now,
        )
    contact = session.get(AdviceContact, contact_id)
    if contact is None:
        raise NotFound(contact_id)
    return contact


def request_feedback(
    session,
    contact_id: int,
    *,
    actor,
    origin: Origin,
    now: datetime,
    base_url: str,
) -> tuple[AdviceFeedback, str]:
    """Email the professional a one-time feedback link (one request per contact): the
    feedback row holding the token's hash, and the link (shown to nobody; for tests and the
    demo). Refused when no advice is recorded yet, there is no email, or one was sent."""
    contact = _contact(session, contact_id, actor, origin, now)
    if contact.feedback is not None:
        raise ValidationError({"": "A feedback request was sent for this contact already"})
    if contact.advised_at is None:
        raise ValidationError({"": "Record the advice before asking for feedback"})
    if contact.anonymised_at is not None or not contact.email:
        raise ValidationError({"": "There is no email address to send the feedback link to"})
    token = secrets.token_urlsafe(32)
    feedback = AdviceFeedback(
        contact_id=contact.id,
        token_hash=token_hash(token),
        sent_at=now,
        expires_at=now + LINK_LIFETIME,
        negative=False,
    )
    session.add(feedback)
    link = f"{base_url.rstrip('/')}/professionals/feedback/{token}"
    first = (contact.professional_name or "").split(" ")[0]
    day_words = contact.received_at.astimezone(LONDON).strftime("%-d %B %Y")
    session.add(
        OutboundMessage(
            dedupe_key=f"advice-feedback-{contact.id}",
            advice_contact_id=contact.id,
            kind=KIND,
            channel="email",
            recipient=contact.email,
            subject=SUBJECT,
            body=BODY.format(name=f" {first}" if first else "", day=day_words, link=link),
            status="queued",
            attempts=0,
            send_after=now,
            next_attempt_at=now,
            sent_by_id=getattr(actor, "id", None),
            created_at=now,
            updated_at=now,
        )
    )
    try:
        session.flush()
    except sa.exc.IntegrityError:  # another request (a double click) sent it a moment ago
        session.rollback()
        raise ValidationError(
            {"": "A feedback request was sent for this contact already"}
        ) from None
    record_event(
        session,
        action="advice_feedback.requested",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=contact.id,
        at=now,
    )
    session.commit()
    return feedback, link


def open_feedback(session, token: str, now: datetime) -> AdviceFeedback:
    """The feedback a link's token opens, while unanswered and unexpired; NotFound otherwise
    (used, expired and unknown alike)."""
    if not token or len(token) > 200:
        raise NotFound("feedback")
    found = session.scalar(
        sa.select(AdviceFeedback).where(AdviceFeedback.token_hash == token_hash(token))
    )
    if found is None or found.answered_at is not None or found.expires_at <= now:
        raise NotFound("feedback")
    return found


@dataclass(frozen=True)
class FeedbackAnswers:
    """What the professional answered: confidence after (1-5 each), satisfaction (1-5) and
    their own words."""

    identify: int | None
    respond: int | None
    satisfaction: int | None
    comments: str | None = None


def _check(answers: FeedbackAnswers) -> None:
    errors = {}
    if answers.identify not in CONFIDENCE_SCALE:
        errors["confidence_identify"] = "Select how confident you are in identifying HSB"
    if answers.respond not in CONFIDENCE_SCALE:
        errors["confidence_respond"] = "Select how confident you are in responding to HSB"
    if answers.satisfaction not in SATISFACTION:
        errors["satisfaction"] = "Select how satisfied you were with the advice"
    if answers.comments and len(answers.comments) > COMMENTS_LIMIT:
        errors["comments"] = f"Your comments must be {COMMENTS_LIMIT:,} characters or fewer"
    if errors:
        raise ValidationError(errors)


def answer_feedback(
    session,
    token: str,
    answers: FeedbackAnswers,
    *,
    calendar,
    origin: Origin,
    now: datetime,
) -> AdviceFeedback:
    """Store the professional's answers once. Negative (dissatisfied or worse, or confidence
    lower than at first contact) owes a D12 follow-up on the contact. NotFound for a used,
    expired or unknown link, including one answered a moment ago by another request."""
    feedback = open_feedback(session, token, now)
    _check(answers)
    # The link works once, whatever races: only the request that flips answered_at wins.
    won = session.execute(
        sa.update(AdviceFeedback)
        .where(AdviceFeedback.id == feedback.id, AdviceFeedback.answered_at.is_(None))
        .values(answered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        session.rollback()
        raise NotFound("feedback")
    contact = feedback.contact
    negative = rules.is_negative_feedback(
        answers.satisfaction,
        (contact.confidence_identify_before, contact.confidence_respond_before),
        (answers.identify, answers.respond),
    )
    feedback.answered_at = now
    feedback.confidence_identify_after = answers.identify
    feedback.confidence_respond_after = answers.respond
    feedback.satisfaction = answers.satisfaction
    feedback.comments = (answers.comments or "").strip() or None
    feedback.negative = negative
    if negative:
        lifecycle.add(session, contact, rules.feedback_follow_up_due(now, calendar), now)
    record_event(
        session,
        action="advice_feedback.answered",
        origin=origin,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"negative": negative, "satisfaction": answers.satisfaction},
        at=now,
    )
    session.commit()
    return feedback


def follow_up_obligation(contact: AdviceContact) -> Obligation | None:
    """The contact's D12 obligation, if negative feedback owes (or owed) one."""
    return next((o for o in contact.obligations if o.kind == FOLLOW_UP_KIND), None)


@dataclass(frozen=True)
class WaitingFeedback:
    """Negative feedback waiting for the team leader's follow-up."""

    feedback: AdviceFeedback
    contact: AdviceContact
    due_at: datetime | None


def _lead(session, actor, origin: Origin, now: datetime, record_id=None) -> None:
    if not access.can_lead_advice_line(actor):
        access.refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="advice_feedback",
            record_id=record_id,
            now=now,
        )


def waiting_follow_ups(
    session, *, actor, origin: Origin, now: datetime, page: int = 1
) -> tuple[list[WaitingFeedback], int]:
    """Negative feedback not yet followed up, soonest due first (a page of them, and how many
    there are in all); for HSB team leaders."""
    _lead(session, actor, origin, now)
    waiting = (
        AdviceFeedback.negative.is_(True),
        AdviceFeedback.followed_up_at.is_(None),
        AdviceFeedback.answered_at.is_not(None),
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(AdviceFeedback).where(*waiting))
    due = (
        sa.select(sa.func.min(Obligation.due_at))
        .where(
            Obligation.advice_contact_id == AdviceFeedback.contact_id,
            Obligation.kind == FOLLOW_UP_KIND,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(AdviceFeedback, due.label("due_at"))
        .where(*waiting)
        .order_by(due, AdviceFeedback.answered_at, AdviceFeedback.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return [WaitingFeedback(f, f.contact, due_at) for f, due_at in rows], int(total or 0)


def feedback_to_follow_up(
    session, feedback_id: int, *, actor, origin: Origin, now: datetime
) -> AdviceFeedback:
    """One piece of negative feedback for the team leader, its view audited."""
    _lead(session, actor, origin, now, feedback_id)
    feedback = session.get(AdviceFeedback, feedback_id)
    if feedback is None or not feedback.negative:
        raise NotFound(feedback_id)
    record_event(
        session,
        action="advice_contact.viewed",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=feedback.contact_id,
        detail={"page": "feedback follow-up"},
        at=now,
    )
    session.commit()
    return feedback


def record_follow_up(
    session, feedback_id: int, *, notes: str, actor, origin: Origin, now: datetime
) -> AdviceFeedback:
    """The team leader followed up negative feedback: meets D12 (after its due time: counted
    as breached). The notes are kept on the feedback, never in the audit trail."""
    _lead(session, actor, origin, now, feedback_id)
    feedback = session.get(AdviceFeedback, feedback_id)
    if feedback is None or not feedback.negative:
        raise NotFound(feedback_id)
    if feedback.followed_up_at is not None:
        raise ValidationError({"": "This feedback was followed up already"})
    text = (notes or "").strip()
    if not text:
        raise ValidationError({"notes": "Enter what was done to follow up the feedback"})
    if len(text) > NOTES_LIMIT:
        raise ValidationError({"notes": f"The notes must be {NOTES_LIMIT:,} characters or fewer"})
    feedback.followed_up_at = now
    feedback.followed_up_by_id = actor.id
    feedback.follow_up_notes = text
    obligation = follow_up_obligation(feedback.contact)
    late = False
    if obligation is not None:
        late = now > obligation.due_at
        lifecycle.meet(session, obligation, now, late=late)
    record_event(
        session,
        action="advice_feedback.followed_up",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=feedback.contact_id,
        detail={"late": late},
        at=now,
    )
    session.commit()
    return feedback
