"""Referrals as records: the referral, the partner agency that made it, the police download batch
and upload job it came in, and the words for sources and contact methods.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import casework.cases.models  # noqa: F401  (registers Case, which relationships below name)
from casework.db import UTCDateTime, db
from casework.partners.models import PartnerAgency  # noqa: F401  (its home before the registry)

if TYPE_CHECKING:  # relationships name their classes; the mapper registry resolves them
    from casework.cases.models import Case
    from casework.obligations.models import Obligation
    from casework.people.models import Person

SOURCES = {"police": "Police download", "partner": "Partner agency", "self": "Self-referral"}
# How a self-referral entered by staff reached the service (spec 3.6).
SELF_ROUTES = {
    "phone": "by phone",
    "email": "by email",
    "community_event": "at a community event",
}


def source_words(source: str, self_route: str | None = None) -> str:
    """Where a referral came from in words: "Self-referral by phone", "Police download"."""
    words = SOURCES.get(source, source)
    return f"{words} {SELF_ROUTES[self_route]}" if self_route in SELF_ROUTES else words


CONTACT_METHOD_LABELS = {
    "HOME_PHONE": "Home telephone",
    "MOBILE_PHONE": "Mobile telephone",
    "WORK_PHONE": "Work telephone",
    "EMAIL": "Email",
    "IN_PERSON": "In person",
    "POST": "Post",
    "SMS": "SMS text",
}


class ImportBatch(db.Model):
    """One imported file: what it was, when, and what became of every line."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported: Mapped[int] = mapped_column(sa.Integer)
    duplicates: Mapped[int] = mapped_column(sa.Integer)
    rejected: Mapped[int] = mapped_column(sa.Integer)
    rejections: Mapped[list] = mapped_column(sa.JSON)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Referrals that may show domestic abuse, as SQL can tell from the stored text: every one that
# does (the pathway, the police flag, a priority reason triage gave), and perhaps a few that do
# not (SQLite's LIKE ignores case), which Python then rules out. Literal SQL, not bound values:
# SQLite uses the partial index below only for a query carrying this same condition with the
# same literal values (a bound value never matches). Bare column names: for queries on
# referral alone.
MAY_SHOW_DOMESTIC_ABUSE_SQL = (
    "pathway = 'domestic_abuse'"
    " OR CAST(flags AS TEXT) LIKE '%DOMESTIC_ABUSE%'"
    " OR CAST(priority_reasons AS TEXT) LIKE '%\"domestic abuse%'"
)


class Referral(db.Model):
    """One victim referred once, with what triage decided about them."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    source: Mapped[str] = mapped_column(sa.String(16), index=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    outcome: Mapped[str | None] = mapped_column(sa.String(32))

    crime_reference: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    offence: Mapped[str | None] = mapped_column(sa.String(200))
    crime_group: Mapped[str | None] = mapped_column(sa.String(60))
    occurred_on: Mapped[date | None] = mapped_column(sa.Date)
    account: Mapped[str | None] = mapped_column(sa.Text)

    forename: Mapped[str] = mapped_column(sa.String(100))
    surname: Mapped[str] = mapped_column(sa.String(100))
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    gender: Mapped[str | None] = mapped_column(sa.String(20))
    ethnicity: Mapped[str | None] = mapped_column(sa.String(4))
    address_line_1: Mapped[str | None] = mapped_column(sa.String(200))
    address_line_2: Mapped[str | None] = mapped_column(sa.String(200))
    town: Mapped[str | None] = mapped_column(sa.String(100))
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    home_phone: Mapped[str | None] = mapped_column(sa.String(20))
    mobile_phone: Mapped[str | None] = mapped_column(sa.String(20))
    work_phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_method: Mapped[str] = mapped_column(sa.String(16))
    contact_unusable: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    contact_problems: Mapped[list] = mapped_column(sa.JSON, default=list)
    # A police download's birth date that could not be right (a placeholder, more than 120
    # years ago, in the future, after the offence): stored unknown, with why, for checking.
    dob_problem: Mapped[str | None] = mapped_column(sa.String(100))
    # A postcode given that is not a UK postcode: kept out, and the address flagged.
    address_needs_checking: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )

    # How and when it is safe to contact the person; None means not asked (police route).
    safe_to_voicemail: Mapped[bool | None] = mapped_column(sa.Boolean)
    safe_to_text: Mapped[bool | None] = mapped_column(sa.Boolean)
    safe_times: Mapped[str | None] = mapped_column(sa.String(200))
    # The same, as windows of days and times (triage.safe_times) automatic messages wait for.
    safe_windows: Mapped[list | None] = mapped_column(sa.JSON)
    safe_to_email: Mapped[bool | None] = mapped_column(sa.Boolean)
    # Whether post to the home address is safe; None until asked (police referrals: until the
    # first conversation). Unless yes, a letter the person did not choose is held for a
    # decision when they are flagged for domestic abuse.
    safe_to_post: Mapped[bool | None] = mapped_column(sa.Boolean)
    webchat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preferred_worker_gender: Mapped[str | None] = mapped_column(sa.String(20))
    preferred_language: Mapped[str | None] = mapped_column(sa.String(60))
    # Protected characteristics (Equality Act 2010; triage.equality): None is not asked yet,
    # "prefer_not_to_say" is asked and not said.
    age_band: Mapped[str | None] = mapped_column(sa.String(20))
    disability: Mapped[str | None] = mapped_column(sa.String(20))
    gender_reassignment: Mapped[str | None] = mapped_column(sa.String(20))
    marital_status: Mapped[str | None] = mapped_column(sa.String(20))
    pregnancy_maternity: Mapped[str | None] = mapped_column(sa.String(20))
    ethnic_group: Mapped[str | None] = mapped_column(sa.String(40))
    religion: Mapped[str | None] = mapped_column(sa.String(20))
    sex: Mapped[str | None] = mapped_column(sa.String(20))
    sexual_orientation: Mapped[str | None] = mapped_column(sa.String(20))
    # A self-referral staff took by phone, email or at a community event (spec 3.6): which,
    # the event's name and date, and who entered it. None for every other route.
    self_route: Mapped[str | None] = mapped_column(sa.String(20))
    event_name: Mapped[str | None] = mapped_column(sa.String(200))
    event_on: Mapped[date | None] = mapped_column(sa.Date)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))

    flags: Mapped[list] = mapped_column(sa.JSON, default=list)
    risk_notes: Mapped[str | None] = mapped_column(sa.Text)
    npa: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    officer: Mapped[str | None] = mapped_column(sa.String(100))

    priority: Mapped[str] = mapped_column(sa.String(10))
    priority_reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    risk_score: Mapped[int] = mapped_column(sa.Integer, default=0)
    raised_reason: Mapped[str | None] = mapped_column(sa.String(300))
    pathway: Mapped[str | None] = mapped_column(sa.String(32))
    children_and_young_people: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    repeat_victim: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Every referral belongs to a person (a new one's id is the referral's own). Checked at
    # commit, so a batch can store its referrals before the people they create.
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", deferrable=True, initially="DEFERRED"), index=True
    )
    # The case this referral attached to, if any (DESIGN.md Records).
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("support_case.id"), index=True)
    match_name_dob: Mapped[str | None] = mapped_column(sa.String(200))

    # Queue order (DESIGN.md Triage rules), kept in step with the obligations by the services
    # that change them so the queue's first page is one index scan. queue_group: 0 has a
    # breached obligation, 1 has obligations due, 2 has nothing outstanding; then enhanced
    # before standard, then the earliest unmet due time.
    queue_group: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    allocated_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    partner_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partner_agency.id"))
    referrer_name: Mapped[str | None] = mapped_column(sa.String(200))
    import_batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batch.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the personal details were removed at the end of the retention period.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    obligations: Mapped[list[Obligation]] = relationship(
        back_populates="referral", order_by="Obligation.due_at"
    )
    allocated_to = relationship("Staff", foreign_keys=[allocated_to_id])
    entered_by = relationship("Staff", foreign_keys=[entered_by_id])
    person: Mapped[Person] = relationship(back_populates="referrals", foreign_keys=[person_id])
    case: Mapped[Case | None] = relationship(
        "casework.cases.models.Case", back_populates="referrals"
    )
    partner_agency: Mapped[PartnerAgency | None] = relationship()

    __table_args__ = (
        # The queue's order, so its first page is read straight off this index.
        sa.Index(
            "ix_referral_queue",
            "status",
            "queue_group",
            "priority",
            "next_due_at",
            sa.text("risk_score DESC"),
            "id",
        ),
        # Covers the queue's count and the "who may see it" filter.
        sa.Index("ix_referral_open_allocated", "status", "allocated_to_id"),
        # Repeat-victim matching by name and date of birth reads only this index.
        sa.Index("ix_referral_name_dob_person", "match_name_dob", "person_id"),
        # Closed referrals still holding personal details, by last activity: the retention
        # sweep reads only the expired ones. Partial, so open referrals cost it nothing.
        sa.Index(
            "ix_referral_retention",
            "status",
            "updated_at",
            sqlite_where=sa.text("status = 'closed' AND anonymised_at IS NULL"),
            postgresql_where=sa.text("status = 'closed' AND anonymised_at IS NULL"),
        ),
        # Each person's referrals that may show domestic abuse: what the message sweep asks of
        # hundreds of people at once. Partial, so a repeat victim's other referrals cost nothing.
        sa.Index(
            "ix_referral_domestic_abuse",
            "person_id",
            sqlite_where=sa.text(MAY_SHOW_DOMESTIC_ABUSE_SQL),
            postgresql_where=sa.text(MAY_SHOW_DOMESTIC_ABUSE_SQL),
        ),
    )

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def joins_earlier_person(self) -> bool:
        """Whether this referral belongs to a person first known by an earlier referral."""
        return self.person_id != self.id


class ImportJob(db.Model):
    """An uploaded police download waiting for, or being imported by, the scheduler process.

    The upload is kept on disk at ``path`` until the job ends; the page shows progress.
    """

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    total_lines: Mapped[int] = mapped_column(sa.Integer, default=0)
    processed_lines: Mapped[int] = mapped_column(sa.Integer, default=0)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batch.id"))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    # The spooled upload, and where the upload came from (for the audit trail).
    path: Mapped[str | None] = mapped_column(sa.String(500))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # The scheduler claims queued jobs and fails stuck ones every minute: by status, then age.
    __table_args__ = (sa.Index("ix_import_job_status_updated", "status", "updated_at"),)

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.processed_lines / self.total_lines) if self.total_lines else 0
