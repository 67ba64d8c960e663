"""Needs assessments as records (issue 13 parts 1-2; DESIGN.md Needs assessment).

An assessment belongs to a case and holds one row per area of spec 3.9: its score (1-5), the
person's own words, the worker's notes and whether it is a priority for support. Saved part way
it is a draft; only a complete one (every area scored, held on a date by a worker, by a contact
mode) meets D4 or D6 and counts for distance travelled. The children and young people's version
adds who else was present and the young person's own view, recorded separately.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db

ASSESSMENT_STATUSES = {"draft": "Draft", "complete": "Complete"}


class NeedsAssessment(db.Model):
    """One needs assessment of a case, draft or complete."""

    __tablename__ = "needs_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"))
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    # The children and young people's version (its own wording, who was present, their view).
    young_person: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    held_on: Mapped[date | None] = mapped_column(sa.Date)
    # How it was held: one of triage.contact_modes.CONTACT_MODES (phone, face to face, web chat).
    mode: Mapped[str | None] = mapped_column(sa.String(16))
    # The worker who held it.
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # Children and young people's version: who else was present (codes of triage.needs.PRESENT,
    # comma separated), anyone else in words, and the young person's own view.
    present: Mapped[str | None] = mapped_column(sa.String(100))
    present_other: Mapped[str | None] = mapped_column(sa.String(200))
    young_persons_view: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    case = relationship("Case")
    worker = relationship("Staff", foreign_keys=[worker_id])
    created_by = relationship("Staff", foreign_keys=[created_by_id])
    areas: Mapped[list[AssessmentArea]] = relationship(
        back_populates="assessment", order_by="AssessmentArea.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        # A case's assessments in the order they were held; the cohort's first and latest.
        sa.Index("ix_needs_assessment_case_status_held", "case_id", "status", "held_on", "id"),
        sa.CheckConstraint("status IN ('draft', 'complete')", name="status"),
        sa.CheckConstraint(
            "status = 'draft' OR (held_on IS NOT NULL AND mode IS NOT NULL "
            "AND worker_id IS NOT NULL AND completed_at IS NOT NULL)",
            name="complete_when_held",
        ),
    )


class AssessmentArea(db.Model):
    """One area of one assessment (an area code of triage.needs.AREAS)."""

    __tablename__ = "needs_assessment_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("needs_assessment.id"))
    area: Mapped[str] = mapped_column(sa.String(32))
    score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    own_words: Mapped[str | None] = mapped_column(sa.Text)
    worker_notes: Mapped[str | None] = mapped_column(sa.Text)
    priority: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    assessment: Mapped[NeedsAssessment] = relationship(back_populates="areas")

    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "area", name="uq_needs_assessment_area_area"),
        sa.CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_on_scale"),
    )
