"""Partner agencies as records: the registry entry, and its named contacts.

An agency is first recorded either by an admin (``in_registry`` true) or the first time it refers
someone on the public partner form or by the standard email (``in_registry`` false until an admin
completes its entry). Referrals that came from it and onward referrals sent to it link to the
record, so "agencies referrals came from" and "agencies referred to" are lists of records.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db

# Partnerships policy 3.4: levels of commitment.
PARTNERSHIP_LEVELS = {
    "strategic": "Strategic partner",
    "partner": "Partner",
    "partner_specialist": "Partner (specialist)",
    "partner_industry": "Partner (industry)",
    "partner_government": "Partner (government)",
    "associate": "Associate",
    "contributor": "Contributor",
}

# What kind of organisation it is.
AGENCY_TYPES = {
    "police": "Police",
    "health": "Health",
    "local_authority": "Local authority",
    "housing": "Housing",
    "education": "Education",
    "voluntary": "Voluntary or community organisation",
    "specialist_support": "Specialist support service",
    "contractor": "Commissioned contractor",
    "other": "Other",
}

# The commissioned services a case can be referred on to (spec 3.8, 11.4, 11.5, Lot 2); an
# agency that provides one is offered for it. Any registry agency can also be referred to.
ONWARD_SERVICES = {
    "target_hardening": "Target hardening (home security)",
    "mental_health": "Mental health nurses (mental health triage)",
    "sexual_violence": "Sexual violence specialist service",
    "domestic_abuse": "Domestic abuse specialist service",
    "other": "Another agency in the registry",
}

# Partnerships policy 9.1: formal partnerships are reviewed not less than twice a year.
MOU_REVIEW_MONTHS = 6


class PartnerAgency(db.Model):
    """An agency in the partner registry (or one that has referred and awaits its entry)."""

    __tablename__ = "partner_agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # Free text as the public form gave it (kept for agencies that referred before the registry).
    kind: Mapped[str | None] = mapped_column(sa.String(100))
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The registry entry.
    in_registry: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    agency_type: Mapped[str | None] = mapped_column(sa.String(32))  # AGENCY_TYPES
    partnership_level: Mapped[str | None] = mapped_column(sa.String(32))  # PARTNERSHIP_LEVELS
    # The onward service it provides, if any (ONWARD_SERVICES, not "other").
    provides: Mapped[str | None] = mapped_column(sa.String(32))
    keyworker_name: Mapped[str | None] = mapped_column(sa.String(200))
    mou_signed_on: Mapped[date | None] = mapped_column(sa.Date)
    # The next twice-yearly review of the partnership (due ones are on the admin's list).
    mou_review_on: Mapped[date | None] = mapped_column(sa.Date)
    isa_in_place: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Where onward referrals are emailed: the agency's secure address.
    secure_email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    contacts: Mapped[list[PartnerContact]] = relationship(
        back_populates="agency", order_by="PartnerContact.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class PartnerContact(db.Model):
    """A named person at a partner agency."""

    __tablename__ = "partner_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_agency.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A hash of the new-contact form's one-time token: the same form sent twice adds one contact.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    agency: Mapped[PartnerAgency] = relationship(back_populates="contacts")
