"""Obligations as records: something the service must do by a time (D1-D12), met, breached or
cancelled.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import casework.cases.models  # noqa: F401  (registers Case, which relationships below name)
import casework.hsb.models  # noqa: F401  (AdviceContact)
from casework.db import UTCDateTime, db

if TYPE_CHECKING:  # relationships name their classes; the mapper registry resolves them
    from casework.cases.models import Case
    from casework.referrals.models import Referral

OBLIGATION_LABELS = {
    "phone_contact": "First telephone call",
    "initial_message": "Initial message",
    "home_visit_offer": "Home visit offer",
    "home_visit": "Home visit",
    "web_chat": "Booked secure web chat",
    "final_letter": "Final letter",
    "home_visit_second": "Second home visit",
    "needs_assessment": "Needs assessment",
    "re_engagement": "Re-engagement contact",
    "reassessment": "Reassessment",
    "plan_review": "Support plan review",
    "th_attendance": "Target hardening visit",
    "th_follow_up": "Target hardening 12-month follow-up",
    "onward_follow_up": "Onward referral follow-up",
    "callback": "Call back the professional",
    "feedback_follow_up": "Follow up negative feedback",
}


# Obligations met by a message (D2, D3 offer, D1b letter) and not yet met. The service that
# queues them (casework/messages/contact_messages.py) binds these kinds as literals, so SQLite
# can use the partial index.
MESSAGE_KINDS = ("initial_message", "home_visit_offer", "final_letter")


MESSAGES_UNMET = "met_at IS NULL AND kind IN ({})".format(
    ", ".join(f"'{kind}'" for kind in MESSAGE_KINDS)
)


# Unmet (due, or breached and still not met); casework.caseloads.listing.UNMET says the same.
CASE_UNMET_SQL = "met_at IS NULL AND status IN ('due', 'breached')"


class Obligation(db.Model):
    """Something the service must do by ``due_at`` (DESIGN.md D1-D9), for exactly one of a
    referral, a case or an advice contact."""

    __tablename__ = "obligation"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referral.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("support_case.id"))
    # The HSB line's advice contacts own their callbacks (D8) and feedback follow-ups (D12).
    advice_contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("advice_contact.id"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(32))
    channel: Mapped[str] = mapped_column(sa.String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(10), default="due")
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a booked appointment (needs assessment, home visit, web chat) is to happen.
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    referral: Mapped[Referral | None] = relationship(back_populates="obligations")
    case: Mapped[Case | None] = relationship(
        "casework.cases.models.Case", back_populates="obligations"
    )
    advice_contact = relationship("AdviceContact", back_populates="obligations")

    __table_args__ = (
        sa.Index("ix_obligation_status_due_at", "status", "due_at"),
        # A referral's obligations, and its unmet or breached ones (its place in the queue).
        sa.Index("ix_obligation_referral_status", "referral_id", "status"),
        sa.Index("ix_obligation_case_status", "case_id", "status"),
        # A case's unmet obligations by due time: the team view's overdue deadlines per case.
        sa.Index(
            "ix_obligation_case_unmet",
            "case_id",
            "due_at",
            sqlite_where=sa.text(CASE_UNMET_SQL),
            postgresql_where=sa.text(CASE_UNMET_SQL),
        ),
        # Exactly one owner: a referral, a case or an advice contact.
        sa.CheckConstraint(
            "(CASE WHEN referral_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN case_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN advice_contact_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
        # The scheduler asks every minute which messages are still to be queued and which
        # appointments are coming up; these partial indexes hold only those rows, so an idle
        # sweep over a million obligations reads next to nothing (bench/sweep.py).
        sa.Index(
            "ix_obligation_message_unmet",
            "kind",
            "status",
            sqlite_where=sa.text(MESSAGES_UNMET),
            postgresql_where=sa.text(MESSAGES_UNMET),
        ),
        sa.Index(
            "ix_obligation_booked",
            "status",
            "booked_at",
            sqlite_where=sa.text("booked_at IS NOT NULL"),
            postgresql_where=sa.text("booked_at IS NOT NULL"),
        ),
    )
