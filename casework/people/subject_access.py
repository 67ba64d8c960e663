"""Subject-access export: everything Waypoint holds about one person, as JSON (UK GDPR Article 15).

A person is their own record (casework.people.models.Person) with every referral and case that
belongs to them, including those of anyone merged into them. The export carries the person's
details, each referral's details with its deadlines, contact attempts, first conversation,
messages and key dates, each case with its deadlines, key dates and notes (restricted ones
too: the restriction is about staff, not the person), and a record of when their records were
viewed or changed and by which role. Staff are named by role only: the
export is for the person, and staff identities are not their personal data. Waypoint's internal
matching keys are left out. Producing an export is itself audited.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from casework.audit import AuditEvent, Origin, record_event
from casework.cases.models import Case
from casework.cases.notes_models import CaseNote
from casework.contact.models import ContactAttempt, InitialContact, KeyDate
from casework.errors import NotFound
from casework.messages.models import OutboundMessage
from casework.obligations.models import Obligation
from casework.people.case_records import CASE_RECORDS
from casework.people.models import Person
from casework.people.records import person_ids
from casework.referrals.models import SOURCES, PartnerAgency, Referral
from casework.staff.models import ROLES, Staff
from casework.support.models import GroupAttendance

# Referral columns that are Waypoint's own machinery, not information about the person.
INTERNAL = {
    "dedupe_key",
    "match_name_dob",
    "queue_group",
    "next_due_at",
    "risk_score",
    "import_batch_id",
    "allocated_to_id",
    "partner_agency_id",
    "person_id",
    "entered_by_id",
}
# Columns of the related records that identify staff or other records rather than the person.
LEFT_OUT = {
    "id",
    "referral_id",
    "case_id",
    "obligation_id",
    "recorded_by_id",
    "posted_by_id",
    "dedupe_key",
}
PERSON_INTERNAL = {"id", "merged_into_id", "version"}
NOTE_LEFT_OUT = {"id", "case_id", "author_id", "edited_by_id", "version"}
CASE_INTERNAL = {"id", "person_id", "team_id", "caseworker_id", "opened_by_id", "version"}
MESSAGE_FIELDS = ("kind", "channel", "recipient", "subject", "body", "status", "sent_at")


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(record, skip: set[str]) -> dict:
    return {
        column.key: _plain(getattr(record, column.key))
        for column in sa.inspect(record).mapper.column_attrs
        if column.key not in skip
    }


def _case_records(session, case_ids: list[int]) -> dict[str, dict[int, list[dict]]]:
    """Every record the cases gathered (casework.people.case_records), per kind and case, each
    without Waypoint's ids and staff ids (staff are not the person's data); a record about an
    agency (consent to share, an onward referral) names it: recipients are the person's to know."""
    gathered: dict[str, dict[int, list[dict]]] = {}
    names = dict(session.execute(sa.select(PartnerAgency.id, PartnerAgency.name)).all())
    for record in CASE_RECORDS:
        rows = session.execute(
            sa.select(record.model, record.case_id)
            .where(record.belongs(case_ids))
            .order_by(*record.order)
        )
        found = gathered.setdefault(record.key, {})
        for row, case_id in rows:
            skip = {c.key for c in row.__table__.columns if c.key == "id" or c.key.endswith("_id")}
            columns = _columns(row, skip | {"version"})
            if "agency_id" in skip:
                columns["agency"] = names.get(row.agency_id)
            if isinstance(row, GroupAttendance):  # which session: its day and topic
                columns["held_on"] = row.session.held_on.isoformat()
                columns["topic"] = row.session.topic
            found.setdefault(case_id, []).append(columns)
    return gathered


def person_referrals(session, reference: str) -> tuple[int, list[Referral]]:
    """The person behind a referral reference (the one they were merged into, if they were),
    and every referral that belongs to them."""
    found = session.scalar(
        sa.select(Referral).where(Referral.reference == (reference or "").strip().upper())
    )
    if found is None:
        raise NotFound(reference)
    person = session.get(Person, found.person_id)
    while person.merged_into_id is not None:
        person = session.get(Person, person.merged_into_id)
    referrals = session.scalars(
        sa.select(Referral)
        .where(Referral.person_id == person.id)
        .order_by(Referral.received_at, Referral.id)
    ).all()
    return person.id, list(referrals)


def subject_access_export(session, reference: str, *, actor, origin: Origin, now: datetime) -> dict:
    """Everything held about the person behind ``reference``; an administrator's task."""
    if getattr(actor, "role", None) not in (None, "admin"):  # None: the command line
        raise NotFound(reference)
    person, referrals = person_referrals(session, reference)
    ids = [r.id for r in referrals]

    cases = session.scalars(
        sa.select(Case).where(Case.person_id == person).order_by(Case.opened_at, Case.id)
    ).all()
    case_ids = [c.id for c in cases]

    def rows(model, order, owner="referral_id", among=ids):
        found: dict[int, list] = {}
        column = getattr(model, owner)
        for record in session.scalars(sa.select(model).where(column.in_(among)).order_by(order)):
            found.setdefault(getattr(record, owner), []).append(record)
        return found

    case_obligations = rows(Obligation, Obligation.due_at, "case_id", case_ids)
    gathered = _case_records(session, case_ids)
    case_notes = rows(CaseNote, CaseNote.happened_at, "case_id", case_ids)
    case_key_dates = rows(KeyDate, KeyDate.event_on, "case_id", case_ids)

    obligations = rows(Obligation, Obligation.due_at)
    attempts = rows(ContactAttempt, ContactAttempt.attempted_at)
    conversations = rows(InitialContact, InitialContact.held_at)
    messages = rows(OutboundMessage, OutboundMessage.created_at)
    key_dates = rows(KeyDate, KeyDate.event_on)
    agencies = {
        a.id: a.name
        for a in session.scalars(
            sa.select(PartnerAgency).where(
                PartnerAgency.id.in_({r.partner_agency_id for r in referrals} - {None})
            )
        )
    }
    export = {
        "generated_at": now.isoformat(),
        "service": "Waypoint",
        "person": person,
        "details": _columns(session.get(Person, person), PERSON_INTERNAL),
        "cases": [
            {
                **_columns(c, CASE_INTERNAL),
                "deadlines": [_columns(o, LEFT_OUT) for o in case_obligations.get(c.id, [])],
                "key_dates": [_columns(k, LEFT_OUT) for k in case_key_dates.get(c.id, [])],
                "notes": [
                    {
                        **_columns(n, NOTE_LEFT_OUT),
                        "corrections": [
                            {"text": a.text, "at": _plain(a.created_at)} for a in n.amendments
                        ],
                    }
                    for n in case_notes.get(c.id, [])
                ],
                **{key: found.get(c.id, []) for key, found in gathered.items()},
            }
            for c in cases
        ],
        "referrals": [
            {
                **_columns(r, INTERNAL),
                "source": SOURCES.get(r.source, r.source),
                "referred_by_agency": agencies.get(r.partner_agency_id),
                "deadlines": [_columns(o, LEFT_OUT) for o in obligations.get(r.id, [])],
                "contact_attempts": [_columns(a, LEFT_OUT) for a in attempts.get(r.id, [])],
                "first_conversation": [_columns(c, LEFT_OUT) for c in conversations.get(r.id, [])],
                "messages": [
                    {f: _plain(getattr(m, f)) for f in MESSAGE_FIELDS}
                    for m in messages.get(r.id, [])
                ],
                "key_dates": [_columns(k, LEFT_OUT) for k in key_dates.get(r.id, [])],
            }
            for r in referrals
        ],
        "record_of_access": [
            {"at": _plain(at), "action": action, "outcome": outcome, "by": ROLES.get(role, role)}
            for at, action, outcome, role in session.execute(
                sa.select(AuditEvent.at, AuditEvent.action, AuditEvent.outcome, Staff.role)
                .outerjoin(Staff, Staff.id == AuditEvent.actor_id)
                .where(AuditEvent.person_id.in_(person_ids(session, person)))
                .order_by(AuditEvent.at, AuditEvent.id)
            )
        ],
    }
    record_event(
        session,
        action="person.subject_access_export",
        actor=actor,
        origin=origin,
        record_type="person",
        record_id=person,
        person_id=person,
        at=now,
        detail={"referrals": len(referrals), "cases": len(cases)},
    )
    session.commit()
    return export
