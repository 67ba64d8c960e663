"""Contact with the person behind a referral: call and visit attempts, the first conversation, and
the key dates that prompt re-engagement (D9).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db


class ContactAttempt(db.Model):
    """One call or home visit, successful or not, with when it happened."""

    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referral.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    # The contact mode the channel counts as (triage.contact_modes): telephone or face to face.
    mode: Mapped[str] = mapped_column(sa.String(16))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A hash of the form's one-time token: the same call or visit sent twice is one attempt
    # (the D1 rules count failed calls: a double would bring the final letter forward).
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    recorded_by = relationship("Staff")


class InitialContact(db.Model):
    """The first spoken or web-chat conversation: key risks and its outcome (spec 3.8)."""

    __tablename__ = "initial_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referral.id"), unique=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_risks: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[str] = mapped_column(sa.String(32))
    passed_to: Mapped[str | None] = mapped_column(sa.String(200))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    recorded_by = relationship("Staff")


class KeyDate(db.Model):
    """A court date, sentencing or offender release on a case (open or closed), or on a
    referral where the person has no case (D9)."""

    __tablename__ = "key_date"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referral.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    event_on: Mapped[date] = mapped_column(sa.Date)
    obligation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("obligation.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("(referral_id IS NULL) <> (case_id IS NULL)", name="one_owner"),
    )
