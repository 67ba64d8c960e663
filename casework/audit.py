"""The append-only audit trail: who did what to which record, when and from where.

Rows are only ever inserted. The ORM refuses to update or delete them, and the migration adds
database triggers that refuse it too, so nothing in the application can rewrite history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import UTCDateTime, db, utcnow


@dataclass(frozen=True)
class Origin:
    """Where an action came from: the web request's address and browser, or a command."""

    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def command_line(cls, command: str) -> Origin:
        return cls(ip=None, user_agent=f"cli:{command}")


class AuditEvent(db.Model):
    """One row of the append-only audit trail: who did or saw what, when, from where."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    actor_email: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(16), default="ok")
    record_type: Mapped[str | None] = mapped_column(sa.String(32))
    record_id: Mapped[str | None] = mapped_column(sa.String(64))
    person_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(256))
    detail: Mapped[str | None] = mapped_column(sa.Text)

    # A record's rows, newest first: a case's timeline and access log read a page and its
    # count from this index alone (the action tells a view from a change); it also serves
    # every lookup by (record_type, record_id).
    __table_args__ = (
        sa.Index("ix_audit_event_record_at", "record_type", "record_id", "at", "action"),
    )

    @property
    def detail_dict(self) -> dict:
        return json.loads(self.detail) if self.detail else {}


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise PermissionError("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise PermissionError("audit events cannot be deleted")


def record_event(
    session,
    *,
    action: str,
    origin: Origin,
    actor=None,
    actor_email: str | None = None,
    outcome: str = "ok",
    record_type: str | None = None,
    record_id: object = None,
    person_id: int | None = None,
    detail: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add one audit row to the session; the caller's transaction commits it with the change."""
    row = AuditEvent(
        at=at or utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None) or actor_email,
        action=action,
        outcome=outcome,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        person_id=person_id,
        ip=(origin.ip or None) and origin.ip[:64],
        user_agent=(origin.user_agent or None) and origin.user_agent[:256],
        detail=json.dumps(detail, sort_keys=True, default=str) if detail else None,
    )
    session.add(row)
    return row


def record_refusal(
    session, action: str, *, origin: Origin, actor=None, detail: dict | None = None
) -> None:
    """Audit a refused request (a role that may not see a page, a forged cookie, a missing
    CSRF token, an unsigned webhook) in a transaction of its own."""
    record_event(
        session, action=action, outcome="failed", actor=actor, origin=origin, detail=detail
    )
    session.commit()


def record_referral_events(
    session,
    action: str,
    referrals: list[tuple[int, int]],
    *,
    origin: Origin,
    at: datetime,
    actor=None,
    details: list[dict] | dict | None = None,
) -> None:
    """One audit row per (referral id, person id), written in one statement, for the work that
    touches thousands of referrals at once (imports, retention); same rows as record_event."""
    from casework.bulk import Same, bulk_insert

    def encode(detail):
        return json.dumps(detail, sort_keys=True, default=str) if detail else None

    bulk_insert(
        session,
        AuditEvent.__table__,
        {
            "at": Same(at),
            "actor_id": Same(getattr(actor, "id", None)),
            "actor_email": Same(getattr(actor, "email", None)),
            "action": Same(action),
            "outcome": Same("ok"),
            "record_type": Same("referral"),
            "record_id": [str(rid) for rid, _ in referrals],
            "person_id": [person for _, person in referrals],
            "ip": Same((origin.ip or None) and origin.ip[:64]),
            "user_agent": Same((origin.user_agent or None) and origin.user_agent[:256]),
            "detail": [encode(d) for d in details]
            if isinstance(details, list)
            else Same(encode(details)),
        },
    )


def audit_referral(
    session,
    referral,
    action: str,
    *,
    actor,
    origin: Origin,
    at: datetime,
    detail: dict | None = None,
) -> AuditEvent:
    """An audit row about a referral, filed under the person it is about."""
    return record_event(
        session,
        action=action,
        actor=actor,
        origin=origin,
        record_type="referral",
        record_id=referral.id,
        person_id=referral.person_id or referral.id,
        detail=detail,
        at=at,
    )


def audit_case(
    session, case, action: str, *, actor, origin: Origin, at: datetime, detail: dict | None = None
) -> AuditEvent:
    """An audit row about a case (its notes, assessments, plan), filed under its person."""
    return record_event(
        session,
        action=action,
        actor=actor,
        origin=origin,
        record_type="case",
        record_id=case.id,
        person_id=case.person_id,
        detail=detail,
        at=at,
    )


# Every kind of record the trail names, with its words: the audit search offers each, and the
# trail shows the words (a record type not listed shows as stored).
RECORD_TYPES = {
    "advice_contact": "Advice line contact",
    "advice_feedback": "Advice line feedback",
    "advice_guidance": "Advice line guidance wording",
    "advice_line_setting": "Advice line settings",
    "advice_resource": "Advice line resource",
    "approval": "Approval request",
    "case": "Case",
    "complaint": "Complaint",
    "group_session": "Group session",
    "hardship_budget": "Hardship fund budget",
    "hardship_setting": "Hardship fund settings",
    "hsb_monthly": "HSB monthly report",
    "import_batch": "Police download",
    "import_job": "Upload job",
    "letter_template": "Letter wording",
    "message": "Message",
    "message_template": "Message template",
    "onward_referral": "Onward referral",
    "partner_agency": "Partner agency",
    "person": "Person",
    "possible_match": "Possible match",
    "practice_evidence": "Evidence of practice",
    "referral": "Referral",
    "restorative_justice": "Restorative justice request",
    "staff": "Staff",
    "team": "Team",
}


@dataclass(frozen=True)
class AuditSearch:
    """What an admin asks of the trail; every part is optional."""

    staff_email: str | None = None
    person_id: int | None = None
    reference: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search_events(search: AuditSearch, *, page: int, per_page: int):
    """Audit rows matching ``search``, newest first, one page at a time. A referral reference
    finds every row about the person behind it, under any of their referrals."""
    query = sa.select(AuditEvent)
    if search.reference:
        from casework.errors import NotFound, ValidationError
        from casework.people.subject_access import person_referrals

        try:
            person, _ = person_referrals(db.session, search.reference)
        except NotFound:
            raise ValidationError({"reference": "No referral has this reference"}) from None
        query = query.where(AuditEvent.person_id == person)
    if search.staff_email:
        query = query.where(
            sa.func.lower(AuditEvent.actor_email).contains(search.staff_email.strip().lower())
        )
    if search.person_id is not None:
        query = query.where(AuditEvent.person_id == search.person_id)
    if search.record_type:
        query = query.where(AuditEvent.record_type == search.record_type)
    if search.record_id:
        query = query.where(AuditEvent.record_id == search.record_id.strip())
    if search.action:
        query = query.where(AuditEvent.action == search.action)
    if search.since:
        query = query.where(AuditEvent.at >= search.since)
    if search.until:
        query = query.where(AuditEvent.at < search.until)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
