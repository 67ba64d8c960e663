"""People as records: one human being however many times referred (``Person.id`` is the id of
their first referral, so the audit trail's ``person_id`` finds them), the matching keys that
link referrals to people, and possible repeat-victim matches waiting for a person to decide.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import casework.cases.models  # noqa: F401  (registers Case, which relationships below name)
from casework.db import UTCDateTime, db

if TYPE_CHECKING:  # relationships name their classes; the mapper registry resolves them
    from casework.cases.models import Case
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
    # For the offer of a second person a referral matches as certainly: the keys it rests on,
    # each as a short hash (never the phone or email itself), so that a later download can
    # tell new evidence from evidence already put to a team leader. None for other matches.
    evidence: Mapped[list | None] = mapped_column(sa.JSON)
    # Deliberately not indexed: nearly every match is pending, so an index on status only
    # tempted SQLite's planner away from the referral_id index (4 ms instead of 0.1 ms).
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    referral: Mapped[Referral] = relationship(foreign_keys=[referral_id])
    earlier: Mapped[Referral] = relationship(foreign_keys=[earlier_referral_id])

    __table_args__ = (sa.UniqueConstraint("referral_id", "earlier_referral_id"),)


# The details a person owns, copied from the referral that first brought them to the service.
PERSON_FIELDS = (
    "forename",
    "surname",
    "date_of_birth",
    "dob_problem",
    "gender",
    "ethnicity",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "address_needs_checking",
    "home_phone",
    "mobile_phone",
    "work_phone",
    "email",
    "safe_to_voicemail",
    "safe_to_text",
    "safe_times",
    "safe_windows",
    "safe_to_email",
    "safe_to_post",
    "preferred_worker_gender",
    "preferred_language",
    # The nine protected characteristics (triage.equality): None is not asked yet.
    "age_band",
    "disability",
    "gender_reassignment",
    "marital_status",
    "pregnancy_maternity",
    "ethnic_group",
    "religion",
    "sex",
    "sexual_orientation",
)


class Person(db.Model):
    """One human being the service supports, with their identity and safe-contact rules."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    forename: Mapped[str] = mapped_column(sa.String(100))
    surname: Mapped[str] = mapped_column(sa.String(100))
    # Indexed, like the postcode, phones and email below, for staff search (/search).
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date, index=True)
    dob_problem: Mapped[str | None] = mapped_column(sa.String(100))
    gender: Mapped[str | None] = mapped_column(sa.String(20))
    ethnicity: Mapped[str | None] = mapped_column(sa.String(4))
    address_line_1: Mapped[str | None] = mapped_column(sa.String(200))
    address_line_2: Mapped[str | None] = mapped_column(sa.String(200))
    town: Mapped[str | None] = mapped_column(sa.String(100))
    postcode: Mapped[str | None] = mapped_column(sa.String(10), index=True)
    address_needs_checking: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    home_phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    mobile_phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    work_phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    # How and when it is safe to contact them; None means not asked.
    safe_to_voicemail: Mapped[bool | None] = mapped_column(sa.Boolean)
    safe_to_text: Mapped[bool | None] = mapped_column(sa.Boolean)
    safe_times: Mapped[str | None] = mapped_column(sa.String(200))
    # Windows of days and times (triage.safe_times); None: any time in service hours.
    safe_windows: Mapped[list | None] = mapped_column(sa.JSON)
    safe_to_email: Mapped[bool | None] = mapped_column(sa.Boolean)
    safe_to_post: Mapped[bool | None] = mapped_column(sa.Boolean)
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
    # A person merged into another (a confirmed possible match) points at them until an admin
    # undoes the merge; their referrals and cases have moved.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two people saving the same record at once: the second is told, never overwrites.
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    referrals: Mapped[list[Referral]] = relationship(
        back_populates="person", order_by="Referral.id", foreign_keys="Referral.person_id"
    )
    cases: Mapped[list[Case]] = relationship(
        "casework.cases.models.Case", back_populates="person", order_by="Case.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"


class PersonMerge(db.Model):
    """Two people found to be one (a confirmed possible match): what moved from the merged
    person to the kept one, so that an admin can undo exactly that."""

    __tablename__ = "person_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    merged_person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    possible_match_id: Mapped[int | None] = mapped_column(sa.ForeignKey("possible_match.id"))
    referral_ids: Mapped[list] = mapped_column(sa.JSON)
    case_ids: Mapped[list] = mapped_column(sa.JSON)
    merged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Compared byte by byte on PostgreSQL too, whatever the database's locale, so that a prefix is
# the range ``word >= p AND word < p_next`` (casework.people.search_terms.prefix_end).
_WORD = sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")


class PersonNameWord(db.Model):
    """One word of a person's name, folded (lower case, no accents), so that staff search finds
    a name by the start of any of its words with an index range scan, never a table scan.
    Kept in step with the person by casework.people.name_words."""

    __tablename__ = "person_name_word"

    # The primary key (word, person_id) is the index a prefix search reads; the second index
    # finds a person's own words when their name changes.
    word: Mapped[str] = mapped_column(_WORD, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (
        sa.Index("ix_person_name_word_person_word", "person_id", "word"),
        # On SQLite the table is its primary key's b-tree, with no separate rowid table to
        # write: an import adds two or three words a person.
        {"sqlite_with_rowid": False},
    )
