"""What links referrals to people: the matching keys (name and birth date, phone, email) and
possible repeat-victim matches waiting for a person to decide.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db

if TYPE_CHECKING:  # relationships name their classes; the mapper registry resolves them
    from casework.referrals.models import Referral


class MatchKey(db.Model):
    """A normalised detail (phone or email) used to spot a repeat victim."""

    __tablename__ = "match_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referral.id"))
    kind: Mapped[str] = mapped_column(sa.String(8))
    value: Mapped[str] = mapped_column(sa.String(254))

    # Matching asks "who else has this value?" and "which values has this referral?"; each
    # index answers one question on its own, without reading the table.
    __table_args__ = (
        sa.Index("ix_match_key_value_referral", "value", "referral_id"),
        sa.Index("ix_match_key_referral_value", "referral_id", "value"),
    )


class PossibleMatch(db.Model):
    """An earlier referral that may be the same person, waiting for a team leader to decide."""

    __tablename__ = "possible_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by referral through the unique constraint's index (referral_id leads it).
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referral.id"))
    earlier_referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referral.id"))
    matched_on: Mapped[list] = mapped_column(sa.JSON)
    # Deliberately not indexed: nearly every match is pending, so an index on status only
    # tempted SQLite's planner away from the referral_id index (4 ms instead of 0.1 ms).
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    referral: Mapped[Referral] = relationship(foreign_keys=[referral_id])
    earlier: Mapped[Referral] = relationship(foreign_keys=[earlier_referral_id])

    __table_args__ = (sa.UniqueConstraint("referral_id", "earlier_referral_id"),)
