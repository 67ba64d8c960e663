"""Support plans as records (issue 13 parts 4-5; spec 3.8 and 10).

A case's plan follows from its needs assessment: the person's goals in their own words and
actions, each with an owner (the caseworker, a named colleague of the team, or a partner agency),
a due date and a status. Reviews (D10) record progress per action and any new need. A case open
more than a month records a plan for reducing support (spec 10, resilience).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db

ACTION_STATUSES = {
    "to_do": "To do",
    "in_progress": "In progress",
    "done": "Done",
    "not_needed": "No longer needed",
}
OPEN_ACTION_STATUSES = ("to_do", "in_progress")
OPEN_ACTIONS_SQL = "status IN ('to_do', 'in_progress')"
ACTION_OWNERS = {
    "caseworker": "The caseworker",
    "colleague": "A colleague in the team",
    "partner": "A partner agency",
}


class SupportPlan(db.Model):
    """A case's support plan (one per case), from the assessment it followed."""

    __tablename__ = "support_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), unique=True)
    assessment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("needs_assessment.id"))
    goals: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    case = relationship("Case")
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan", order_by="PlanAction.id"
    )
    reviews: Mapped[list[PlanReview]] = relationship(
        back_populates="plan", order_by="PlanReview.id"
    )

    __mapper_args__ = {"version_id_col": version}


class PlanAction(db.Model):
    """One action of a support plan."""

    __tablename__ = "plan_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("support_plan.id"), index=True)
    # The plan's case, kept here so caseloads and the team view count overdue actions directly.
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"))
    # The assessment area it answers (triage.needs.AREAS), if any.
    area: Mapped[str | None] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.String(500))
    owner_kind: Mapped[str] = mapped_column(sa.String(16))
    owner_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    owner_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner_agency.id"))
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), default="to_do")
    # Why it is no longer needed (required for that status).
    status_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # A hash of the new-action form's one-time token: the same form sent twice adds one action.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    plan: Mapped[SupportPlan] = relationship(back_populates="actions")
    owner_staff = relationship("Staff")
    owner_partner = relationship("PartnerAgency")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        # Open actions past their due date, per case (caseload and team view counts): one
        # probe per case, holding only the open actions.
        sa.Index(
            "ix_plan_action_open_case_due",
            "case_id",
            "due_on",
            sqlite_where=sa.text(OPEN_ACTIONS_SQL),
            postgresql_where=sa.text(OPEN_ACTIONS_SQL),
        ),
        sa.CheckConstraint(
            "status IN ('to_do', 'in_progress', 'done', 'not_needed')", name="status"
        ),
        sa.CheckConstraint(
            "owner_kind IN ('caseworker', 'colleague', 'partner')", name="owner_kind"
        ),
    )


class PlanReview(db.Model):
    """One review of a support plan (D10): when, by whom, any new need, and whether it prompts
    a reassessment."""

    __tablename__ = "plan_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("support_plan.id"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    new_need: Mapped[str | None] = mapped_column(sa.Text)
    prompts_reassessment: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    plan: Mapped[SupportPlan] = relationship(back_populates="reviews")
    worker = relationship("Staff")
    progress: Mapped[list[PlanReviewProgress]] = relationship(
        back_populates="review", order_by="PlanReviewProgress.id"
    )


class PlanReviewProgress(db.Model):
    """What a review recorded about one action: its progress and its status then."""

    __tablename__ = "plan_review_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_review.id"), index=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_action.id"), index=True)
    progress: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16))

    review: Mapped[PlanReview] = relationship(back_populates="progress")
    action = relationship("PlanAction")


class ResiliencePlan(db.Model):
    """A plan for reducing support over time (spec 10), recorded once a case has been open more
    than a month; each recording is kept, the latest shown."""

    __tablename__ = "resilience_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    plan: Mapped[str] = mapped_column(sa.Text)
    # Whether a volunteer is part of it, and how (free words until volunteer records exist).
    volunteer: Mapped[str | None] = mapped_column(sa.String(500))
    # The volunteer the plan names, once volunteers have accounts (issue 15).
    volunteer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    recorded_by = relationship("Staff", foreign_keys=[recorded_by_id])
    named_volunteer = relationship("Staff", foreign_keys=[volunteer_id])
