"""Staff, their teams and their signed-in sessions: the records, and the words for roles,
specialisms and services.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.db import UTCDateTime, db

ROLES = {
    "caseworker": "Caseworker",
    "team_leader": "Team leader",
    "hsb_advisor": "HSB advisor",
    "analyst": "Analyst",
    "admin": "Administrator",
    "volunteer": "Volunteer",
}


SPECIALISMS = {
    "children_young_people": "Children and young people",
    "restorative_justice": "Restorative justice",
    "hate_crime": "Hate crime",
    "domestic_abuse": "Domestic abuse",
    "sexual_violence": "Sexual violence",
    "fraud_cyber": "Fraud and cyber crime",
    "bereaved": "Bereaved by crime",
    "mental_health": "Mental health",
}


SERVICES = {"victim": "Victim service", "hsb": "HSB advice line"}


class Team(db.Model):
    """A team of the victim service or of the HSB advice line."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    service: Mapped[str] = mapped_column(sa.String(16), default="victim")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    members: Mapped[list[Staff]] = relationship(back_populates="team")


class Staff(db.Model):
    """A staff member's account: role, team, specialisms, sign-in state and two-step key."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(20), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"), index=True)
    specialisms: Mapped[list] = mapped_column(sa.JSON, default=list)
    npa: Mapped[str | None] = mapped_column(sa.String(100))
    gender: Mapped[str | None] = mapped_column(sa.String(20))
    languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The HSB line: the advisor's telephone (E.164), which the line dials while they are on duty.
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    on_duty: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-step verification (staff/totp.py): the shared secret, when it was turned on, and
    # the last time step used, so no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))  # sealed: staff/sealed.py
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    team: Mapped[Team | None] = relationship(back_populates="members")

    @property
    def two_step_on(self) -> bool:
        return self.totp_enabled_at is not None

    # Flask-Login protocol. The id Flask-Login keeps in the cookie is the session token,
    # not the staff id, so ending the session server-side really signs the person out.
    session_token = None

    @property
    def is_authenticated(self) -> bool:
        return self.session_token is not None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def specialism_labels(self) -> list[str]:
        return [SPECIALISMS.get(s, s) for s in self.specialisms or []]


class StaffSession(db.Model):
    """One signed-in browser. Only a hash of its token is stored."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(sa.String(32))
    ip: Mapped[str | None] = mapped_column(sa.String(64))

    staff: Mapped[Staff] = relationship()

    # The scheduler ends idle and expired sessions every minute: it reads open ones only.
    __table_args__ = (sa.Index("ix_staff_session_open", "ended_at", "last_seen_at"),)
