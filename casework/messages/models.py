"""Messages to people as records: each SMS, email and letter with its delivery, opt-outs from
texts, the provider's events applied once, and letter wording.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db

# Emails to staff that the outbox also carries (a missed deadline, its withdrawal, a prompt to
# re-engage, a case now yours): never contact with the person, whatever record they name.
STAFF_KINDS = ("breach_alert", "breach_withdrawn", "re_engagement", "case_reassigned")


class OutboundMessage(db.Model):
    """An SMS, email or letter to the person (or an alert to staff), tracked to delivery.

    ``dedupe_key`` is unique: whatever asks for a message twice (two sweeps, a restart) finds
    it already there. A sender claims a message by moving it from queued to sending in one
    conditional update, so only one sender ever sends it.
    """

    __tablename__ = "outbound_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referral.id"), index=True)
    obligation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("obligation.id"), index=True)
    # A message sent from a case (or for an obligation the case owns) is logged on the case.
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    # An email to a professional about their HSB advice contact (a session, a feedback link).
    advice_contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("advice_contact.id"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(32))
    channel: Mapped[str] = mapped_column(sa.String(8))
    recipient: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # One attachment sent with an email (a session's calendar invitation, text/calendar).
    attachment_name: Mapped[str | None] = mapped_column(sa.String(100))
    attachment_type: Mapped[str | None] = mapped_column(sa.String(60))
    attachment: Mapped[str | None] = mapped_column(sa.Text)
    # queued, sending, sent, delivered, posted, undelivered, failed, not_sent (a held letter
    # decided against); or held: a letter the
    # person did not choose, to the home of someone flagged for domestic abuse without
    # safe-to-post recorded as yes, waiting for a staff decision (``held_reason`` says why).
    status: Mapped[str] = mapped_column(sa.String(12), default="queued")
    held_reason: Mapped[str | None] = mapped_column(sa.String(300))
    # A held letter's decision: post (queued for the print queue), another channel (this
    # letter not sent, a text or email in its place) or none (not sent, with the reason).
    decision: Mapped[str | None] = mapped_column(sa.String(12))
    decision_reason: Mapped[str | None] = mapped_column(sa.String(500))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who sent a message from a case (None: sent by the service's own rules).
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    provider_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.Index("ix_outbound_message_status_next", "status", "next_attempt_at"),
        # Messages a sender has claimed: few at any time, checked every minute for one stuck.
        sa.Index(
            "ix_outbound_message_sending",
            "status",
            "claimed_at",
            sqlite_where=sa.text("status = 'sending'"),
            postgresql_where=sa.text("status = 'sending'"),
        ),
    )

    referral = relationship("Referral")
    case = relationship("casework.cases.models.Case")
    decided_by = relationship("Staff", foreign_keys=[decided_by_id])
    sent_by = relationship("Staff", foreign_keys=[sent_by_id])


class SmsOptOut(db.Model):
    """A number that texted STOP: never texted again until it texts START."""

    __tablename__ = "sms_opt_out"

    phone: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    opted_out: Mapped[bool] = mapped_column(sa.Boolean)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookReceipt(db.Model):
    """A provider's event (an inbound text's MessageSid, later a call's), applied once: a
    repeated or replayed delivery finds its receipt here and changes nothing."""

    __tablename__ = "webhook_receipt"

    event_id: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LetterTemplate(db.Model):
    """The wording of a letter, editable by administrators; {placeholders} are filled in."""

    __tablename__ = "letter_template"

    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))


MESSAGE_CHANNELS = {"sms": "Text message (SMS)", "email": "Email"}


class MessageTemplate(db.Model):
    """The wording of a text or email staff send from a case, editable by administrators;
    {forename}, {reference} and {caseworker} are filled in when it is sent."""

    __tablename__ = "message_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.CheckConstraint("channel IN ('sms', 'email')", name="channel"),)
