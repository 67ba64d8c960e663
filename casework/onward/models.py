"""Onward referrals as records: what was shared, with which registry agency, when and how, on
what consent, and the outcome; consent given and withdrawn; and the target-hardening details the
contractor needs and reports back (Lot 2 sections 3.1, 4, 6 and 8).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db

# What an onward referral can carry; the staff member ticks what is shared, and the email
# carries those fields and nothing else.
SHAREABLE_FIELDS = {
    "name": "Name",
    "address": "Address",
    "phone": "Telephone number",
    "email": "Email address",
    "date_of_birth": "Date of birth",
    "crime": "Crime reference and offence",
    "vulnerability": "Vulnerability factors",
    "other_agencies": "Other agencies working with the person",
    "safe_contact": "How it is safe to contact them",
    "reason": "Why we are referring",
}
# The target-hardening contractor's standard referral always carries these (Lot 2 3.1, 8).
TARGET_HARDENING_FIELDS = ("name", "address", "phone", "vulnerability", "other_agencies")

SEND_METHODS = {"email": "Secure email", "phone": "Telephone"}

CONSENT_HOW = {
    "spoken": "Said so in a conversation (phone or in person)",
    "written": "In writing (letter, email or form)",
    "web_chat": "In a secure web chat",
}

# An onward referral's state: made (sent by email or phone), then an outcome reported back.
ONWARD_STATUSES = {
    "queued": "Waiting to be emailed",
    "sent": "Sent, waiting for an outcome",
    "accepted": "Accepted",
    "declined": "Declined",
    "completed": "Completed",
    "no_response": "No response",
    "stopped": "Stopped: consent withdrawn",
}
OUTCOMES = ("accepted", "declined", "completed", "no_response")
OPEN_ONWARD_STATUSES = ("queued", "sent", "accepted")

URGENCIES = {"standard": "Standard", "emergency": "Emergency (by phone, attended within 4 hours)"}
SERVICE_LEVELS = {
    1: "Level 1: crime prevention advice",
    2: "Level 2: advice and items the person fits themselves",
    3: "Level 3: advice, and items fitted by a specialist",
}
YES_NO_UNKNOWN = {"yes": "Yes", "no": "No", "unknown": "Not known"}


class SharingConsent(db.Model):
    """The person's consent to share with an agency, given or withdrawn, as recorded. The latest
    record for a case and agency is in force; a withdrawal stops every later share."""

    __tablename__ = "sharing_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_agency.id"))
    given: Mapped[bool] = mapped_column(sa.Boolean)
    how: Mapped[str] = mapped_column(sa.String(16))  # CONSENT_HOW
    note: Mapped[str | None] = mapped_column(sa.String(500))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    agency = relationship("PartnerAgency")
    recorded_by = relationship("Staff")


class OnwardReferral(db.Model):
    """One referral of a case's person on to an agency in the registry."""

    __tablename__ = "onward_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_agency.id"), index=True)
    service: Mapped[str] = mapped_column(sa.String(32))  # casework.partners.models.ONWARD_SERVICES
    method: Mapped[str] = mapped_column(sa.String(8))  # SEND_METHODS
    # What is shared: keys of SHAREABLE_FIELDS, and the words written for the agency.
    shared_fields: Mapped[list] = mapped_column(sa.JSON)
    # What those fields said when it was made, [[label, words], ...]: the record of what was
    # shared, whatever the person's details say later.
    shared_values: Mapped[list | None] = mapped_column(sa.JSON)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # The consent it was made on.
    consent_id: Mapped[int] = mapped_column(sa.ForeignKey("sharing_consent.id"))
    # Sent to an agency without an information-sharing agreement: why.
    no_isa_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # Email: the secure address it went to and the outbox message; phone: who was spoken to.
    sent_to: Mapped[str | None] = mapped_column(sa.String(254))
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbound_message.id"))
    spoke_to: Mapped[str | None] = mapped_column(sa.String(200))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    made_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(sa.String(16))  # ONWARD_STATUSES
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_note: Mapped[str | None] = mapped_column(sa.String(1000))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # A hash of the referral form's one-time token: the same form sent twice makes one
    # referral, and the agency one email.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    case = relationship("Case")
    agency = relationship("PartnerAgency")
    consent: Mapped[SharingConsent] = relationship()
    made_by = relationship("Staff")
    target_hardening: Mapped[TargetHardening | None] = relationship(
        back_populates="referral", uselist=False
    )

    __mapper_args__ = {"version_id_col": version}


class TargetHardening(db.Model):
    """What the target-hardening contractor needs (Lot 2 3.1, 8) and what it reports back:
    attendance, service level, items and cost, refusal, satisfaction at the visit, the 12-month
    answers, and any additional need fed back with the person's consent."""

    __tablename__ = "target_hardening"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("onward_referral.id"), unique=True)
    urgency: Mapped[str] = mapped_column(sa.String(10))  # URGENCIES
    vulnerability_factors: Mapped[str] = mapped_column(sa.Text)
    other_agencies: Mapped[str | None] = mapped_column(sa.String(500))
    # Emergency referrals are phoned; when the call was made.
    phoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reported back by the contractor.
    visit_agreed_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    service_level: Mapped[int | None] = mapped_column(sa.SmallInteger)
    items: Mapped[str | None] = mapped_column(sa.Text)
    cost_pence: Mapped[int | None] = mapped_column(sa.Integer)
    fitted_on: Mapped[date | None] = mapped_column(sa.Date)
    refused: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    refused_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # Satisfaction at the end of the visit, 1 (very dissatisfied) to 5 (very satisfied).
    satisfaction: Mapped[int | None] = mapped_column(sa.SmallInteger)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    # The 12-month follow-up (Lot 2 section 4 outcomes): YES_NO_UNKNOWN.
    follow_up_feels_safer: Mapped[str | None] = mapped_column(sa.String(8))
    follow_up_is_safer: Mapped[str | None] = mapped_column(sa.String(8))
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An additional need the contractor fed back, only with the person's consent.
    additional_need: Mapped[str | None] = mapped_column(sa.Text)
    additional_need_consent: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    referral: Mapped[OnwardReferral] = relationship(back_populates="target_hardening")

    __mapper_args__ = {"version_id_col": version}
