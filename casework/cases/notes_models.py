"""Case notes: what happened on a case, in the worker's words (issue "People and cases", part 6).

A note records one contact (its mode from triage.contact_modes) or an event with no contact, when
it happened, and who wrote it. For 24 hours its author or a team leader may edit it; after that it
is never edited, only corrected by an appended amendment, so what was written stays readable.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db


class CaseNote(db.Model):
    """One note on a case: its mode (or no contact), when it happened, its text and author.
    A restricted note's text is read only by the case's caseworker, team leaders and admins."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("support_case.id"))
    # One of triage.contact_modes.CONTACT_MODES, or "none" for a note that records no contact.
    mode: Mapped[str] = mapped_column(sa.String(16))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(sa.Text)
    restricted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who last edited it (within its first 24 hours), when that was not its author.
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # A hash of the form's one-time token (and its author), so the same form sent twice (a
    # double click, a resend after a slow response) writes one note; none for a note written
    # another way.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    case = relationship("Case")
    author = relationship("Staff", foreign_keys=[author_id])
    edited_by = relationship("Staff", foreign_keys=[edited_by_id])
    amendments: Mapped[list[CaseNoteAmendment]] = relationship(
        back_populates="note", order_by="CaseNoteAmendment.id"
    )

    __mapper_args__ = {"version_id_col": version}

    # A case's notes, newest first, one page at a time.
    __table_args__ = (sa.Index("ix_case_note_case_happened", "case_id", "happened_at", "id"),)


class CaseNoteAmendment(db.Model):
    """A correction appended to a note after its 24 hours; it is never edited itself."""

    __tablename__ = "case_note_amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("case_note.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    note: Mapped[CaseNote] = relationship(back_populates="amendments")
    author = relationship("Staff")
