"""Support around a case (issue 15) as records: restorative justice and its sessions, Victim
Personal Statement support, the hardship fund (its budget per financial year, the approval
threshold and payments), young people's group sessions and who attended, volunteers assigned to
cases, and complaints (spec 3.8, 3.10, 3.12, 9 and 10).

Money is whole pence in integers, never floats. Every record a person edits carries a version,
so a stale form is refused rather than overwriting someone else's change.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The records named in relationships below, so this module maps on its own too.
import casework.approvals.models  # noqa: F401
import casework.cases.models  # noqa: F401
import casework.staff.models  # noqa: F401
from casework.db import UTCDateTime, db

# --- restorative justice (spec 3.10, DESIGN.md Triage rules) -------------------------------

RJ_TYPES = {
    "direct_conference": "Direct: a restorative conference",
    "indirect_call": "Indirect: telephone or video conference",
    "shuttle": "Indirect: shuttle mediation",
}
# Cases where restorative justice proceeds only in exceptional circumstances, approved by a
# team leader, with an experienced facilitator.
RJ_SENSITIVE = {
    "sexual_violence": "Sexual violence",
    "domestic_violence": "Domestic violence",
    "trafficking": "Human trafficking",
    "stalking": "Stalking",
    "cse": "Child sexual exploitation",
    "death": "A case resulting in death",
}
RJ_STATUSES = {
    "preparing": "Preparing",
    "awaiting_approval": "Waiting for a team leader's approval",
    "ready": "Ready to go ahead",
    "in_progress": "Sessions under way",
    "completed": "Completed",
    "not_proceeding": "Not going ahead",
}
RJ_OUTCOMES = {
    "agreement": "Completed with an outcome agreement",
    "completed": "Completed without an agreement",
    "victim_withdrew": "The victim withdrew",
    "offender_withdrew": "The offender withdrew",
    "unsuitable": "Assessed as unsuitable",
}


class RestorativeJustice(db.Model):
    """One victim-initiated request for restorative contact, and how it went."""

    __tablename__ = "restorative_justice"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    # The victim asked for it (it is never offered as something to be talked into): when.
    requested_on: Mapped[date] = mapped_column(sa.Date)
    offender_admitted_guilt: Mapped[bool] = mapped_column(sa.Boolean)
    offender_accepted_responsibility: Mapped[bool] = mapped_column(sa.Boolean)
    rj_type: Mapped[str] = mapped_column(sa.String(20))  # RJ_TYPES
    # Keys of RJ_SENSITIVE that apply, and where each came from: "police" (the referral's flags
    # or offence said so) or "worker" (declared).
    sensitive: Mapped[list] = mapped_column(sa.JSON, default=list)
    sensitive_from_police: Mapped[list] = mapped_column(sa.JSON, default=list)
    exceptional_justification: Mapped[str | None] = mapped_column(sa.Text)
    approval_id: Mapped[int | None] = mapped_column(sa.ForeignKey("approval.id"))
    facilitator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    facilitator_experienced: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    status: Mapped[str] = mapped_column(sa.String(20), default="preparing")  # RJ_STATUSES
    outcome: Mapped[str | None] = mapped_column(sa.String(20))  # RJ_OUTCOMES
    outcome_note: Mapped[str | None] = mapped_column(sa.String(2000))
    outcome_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # A hash of the request form's one-time token: the same form sent twice is one request.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    case = relationship("Case")
    facilitator = relationship("Staff", foreign_keys=[facilitator_id])
    created_by = relationship("Staff", foreign_keys=[created_by_id])
    approval = relationship("Approval")
    sessions: Mapped[list[RestorativeSession]] = relationship(
        back_populates="restorative", order_by="RestorativeSession.held_on"
    )

    __mapper_args__ = {"version_id_col": version}


class RestorativeSession(db.Model):
    """One session (a conference, a call, a shuttle visit) of a restorative process."""

    __tablename__ = "restorative_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    restorative_id: Mapped[int] = mapped_column(sa.ForeignKey("restorative_justice.id"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[str] = mapped_column(sa.String(20))  # RJ_TYPES
    note: Mapped[str | None] = mapped_column(sa.String(2000))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A hash of the session form's one-time token: the same form sent twice records one.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    restorative: Mapped[RestorativeJustice] = relationship(back_populates="sessions")
    recorded_by = relationship("Staff")


# --- Victim Personal Statement (spec 3.8) ---------------------------------------------------

VPS_OFFER_ANSWERS = {"accepted": "Wanted help", "declined": "Did not want help"}


class PersonalStatement(db.Model):
    """Victim Personal Statement support on a case: offered, helped to write, given to court."""

    __tablename__ = "personal_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), unique=True)
    offered_on: Mapped[date] = mapped_column(sa.Date)
    answer: Mapped[str | None] = mapped_column(sa.String(10))  # VPS_OFFER_ANSWERS
    helped_on: Mapped[date | None] = mapped_column(sa.Date)
    given_to_court_on: Mapped[date | None] = mapped_column(sa.Date)
    court: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.String(2000))
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    case = relationship("Case")
    updated_by = relationship("Staff")

    __mapper_args__ = {"version_id_col": version}


# --- hardship fund (spec 3.8) ---------------------------------------------------------------

DEFAULT_BUDGET_PENCE = 500_000  # £5,000 a financial year
DEFAULT_THRESHOLD_PENCE = 10_000  # payments above £100 need a team leader's approval

HARDSHIP_PURPOSES = {
    "food": "Food and essentials",
    "travel": "Travel (to court, appointments, a safe place)",
    "security": "Security and locks",
    "utilities": "Gas, electricity or phone credit",
    "clothing": "Clothing and bedding",
    "replacement": "Replacing stolen or damaged items",
    "other": "Something else",
}
HARDSHIP_STATUSES = {
    "awaiting_approval": "Waiting for a team leader's approval",
    "approved": "Approved",
    "refused": "Refused",
    "withdrawn": "Withdrawn",
}
# What counts against the budget: approved payments, and those waiting for approval (held).
COMMITTED_STATUSES = ("approved", "awaiting_approval")


class HardshipBudget(db.Model):
    """The hardship fund's budget for one financial year (1 April to 31 March), named by the
    year it starts in. A year without a row has DEFAULT_BUDGET_PENCE."""

    __tablename__ = "hardship_budget"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_starting: Mapped[int] = mapped_column(sa.Integer, unique=True)
    amount_pence: Mapped[int] = mapped_column(sa.Integer)
    set_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    set_by = relationship("Staff")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.CheckConstraint("amount_pence >= 0", name="amount_not_negative"),)


class HardshipSetting(db.Model):
    """The hardship fund's one settings row: above what amount a payment needs a team leader's
    approval. No row means DEFAULT_THRESHOLD_PENCE."""

    __tablename__ = "hardship_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_threshold_pence: Mapped[int] = mapped_column(sa.Integer)
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class HardshipPayment(db.Model):
    """One payment from the hardship fund to the person of a case."""

    __tablename__ = "hardship_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    year_starting: Mapped[int] = mapped_column(sa.Integer, index=True)
    amount_pence: Mapped[int] = mapped_column(sa.Integer)
    purpose: Mapped[str] = mapped_column(sa.String(16))  # HARDSHIP_PURPOSES
    detail: Mapped[str] = mapped_column(sa.String(1000))
    status: Mapped[str] = mapped_column(sa.String(20))  # HARDSHIP_STATUSES
    approval_id: Mapped[int | None] = mapped_column(sa.ForeignKey("approval.id"))
    # Over the budget: paid only when an admin overrode it, with why.
    over_budget_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    over_budget_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_on: Mapped[date | None] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # A hash of the payment form's one-time token: the same form sent twice pays once.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    case = relationship("Case")
    requested_by = relationship("Staff", foreign_keys=[requested_by_id])
    over_budget_by = relationship("Staff", foreign_keys=[over_budget_by_id])
    approval = relationship("Approval")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (sa.CheckConstraint("amount_pence > 0", name="amount_positive"),)


# --- young people's group sessions (spec 3.8) -----------------------------------------------


class GroupSession(db.Model):
    """One group support session for young people, run by a team."""

    __tablename__ = "group_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), index=True)
    held_on: Mapped[date] = mapped_column(sa.Date, index=True)
    place: Mapped[str] = mapped_column(sa.String(200))
    facilitator_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    topic: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.String(2000))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # A hash of the new-session form's one-time token: the same form sent twice is one session
    # (each counts in the group return).
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    team = relationship("Team")
    facilitator = relationship("Staff", foreign_keys=[facilitator_id])
    attendance: Mapped[list[GroupAttendance]] = relationship(back_populates="session")

    __mapper_args__ = {"version_id_col": version}


class GroupAttendance(db.Model):
    """A young person (by their case) at a group session: attended or not."""

    __tablename__ = "group_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("group_session.id"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    attended: Mapped[bool] = mapped_column(sa.Boolean)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[GroupSession] = relationship(back_populates="attendance")
    case = relationship("Case")

    __table_args__ = (sa.UniqueConstraint("session_id", "case_id", name="uq_group_attendance"),)


# --- volunteers (spec 3.12, 10) -------------------------------------------------------------


class CaseVolunteer(db.Model):
    """A volunteer assigned to a case, until they step down."""

    __tablename__ = "case_volunteer"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    role_note: Mapped[str | None] = mapped_column(sa.String(500))
    assigned_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stepped_down_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stepped_down_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    step_down_reason: Mapped[str | None] = mapped_column(sa.String(500))
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    case = relationship("Case")
    volunteer = relationship("Staff", foreign_keys=[volunteer_id])
    assigned_by = relationship("Staff", foreign_keys=[assigned_by_id])
    stepped_down_by = relationship("Staff", foreign_keys=[stepped_down_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The volunteers a case has now, and a volunteer's cases now (their whole view).
        sa.Index("ix_case_volunteer_volunteer_current", "volunteer_id", "stepped_down_at"),
    )


# --- complaints (spec 9) --------------------------------------------------------------------

COMPLAINT_CHANNELS = {
    "phone": "Telephone",
    "email": "Email",
    "letter": "Letter",
    "web": "Web form",
    "in_person": "In person",
    "via_partner": "Through a partner agency or the PCC",
}
COMPLAINT_OUTCOMES = {
    "upheld": "Upheld",
    "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld",
}


class Complaint(db.Model):
    """A complaint about the service, linked to a case or not, investigated and decided."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The team that handles it (the case's team when linked to a case).
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    received_on: Mapped[date] = mapped_column(sa.Date, index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))  # COMPLAINT_CHANNELS
    about: Mapped[str] = mapped_column(sa.Text)
    investigation: Mapped[str | None] = mapped_column(sa.Text)
    investigated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # COMPLAINT_OUTCOMES
    outcome_on: Mapped[date | None] = mapped_column(sa.Date)
    action_taken: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # A hash of the recording form's one-time token: the same form sent twice is one
    # complaint (each counts in the quarterly return).
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    team = relationship("Team")
    case = relationship("Case")
    investigated_by = relationship("Staff", foreign_keys=[investigated_by_id])
    recorded_by = relationship("Staff", foreign_keys=[recorded_by_id])

    __mapper_args__ = {"version_id_col": version}
