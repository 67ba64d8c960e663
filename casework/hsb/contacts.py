"""Advice contacts: recording one from any channel (the voice webhook, the public form, an
advisor logging a call, an email or a chat), opening one with the access check and the audit
trail, and the line's settings row.

A missed call, a voicemail, or any contact outside the line's opening hours gets a D8 callback
(``triage.hsb``) in the same transaction as the contact.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from casework import access
from casework.audit import Origin, record_event
from casework.db import form_key, utcnow
from casework.errors import NotFound
from casework.hsb.models import AdviceContact, AdviceLineSetting
from casework.obligations import lifecycle
from triage import hsb as rules

# How long ago a contact logged by hand may have come in. A year typed wrong (2016 for 2026)
# would otherwise be stored as years old: the retention sweep would remove the professional's
# details within the minute, and its callback would count as missed, telling the team leaders.
LOGGED_WITHIN_DAYS = 30


def logged_too_long_ago(received_at: datetime | None, now: datetime) -> str | None:
    """Why a hand-logged contact's time of arrival is refused as too long ago, or None."""
    if received_at is not None and received_at < now - timedelta(days=LOGGED_WITHIN_DAYS):
        return (
            f"It must have come in within the last {LOGGED_WITHIN_DAYS} days: check the date, "
            "the year above all"
        )
    return None


@dataclass(frozen=True)
class Professional:
    """Who got in touch: the professional, never a child."""

    professional_name: str | None = None
    professional_role: str | None = None
    setting_type: str | None = None
    organisation: str | None = None
    local_authority: str | None = None
    region: str | None = None
    email: str | None = None
    phone: str | None = None

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def logged_key(actor, token: str | None) -> str | None:
    """The key of one hand-logging form (its one-time token, hashed with who sent it)."""
    return form_key(f"advice-log:{actor.id}", token)


def create_contact(
    session,
    *,
    channel: str,
    received_at: datetime,
    calendar,
    now: datetime,
    origin: Origin,
    actor=None,
    professional: Professional = Professional(),
    call_outcome: str | None = None,
    call_sid: str | None = None,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    request_text: str | None = None,
    confidence_before: tuple[int | None, int | None] = (None, None),
    submission_key: str | None = None,
) -> AdviceContact:
    """Record a contact, with its D8 callback when it needs one; audited. The caller commits."""
    out_of_hours = not calendar.is_open_at(received_at)
    contact = AdviceContact(
        channel=channel,
        call_outcome=call_outcome,
        call_sid=call_sid,
        received_at=received_at,
        started_at=started_at,
        ended_at=ended_at,
        out_of_hours=out_of_hours,
        status="new",
        request_text=request_text,
        confidence_identify_before=confidence_before[0],
        confidence_respond_before=confidence_before[1],
        advisor_id=actor.id if actor is not None and call_outcome == "answered" else None,
        recorded_by_id=actor.id if actor is not None else None,
        concern_tags=[],
        policy_topics=[],
        created_at=now,
        updated_at=now,
        submission_key=submission_key,
        **professional.as_dict(),
    )
    session.add(contact)
    session.flush()
    if rules.needs_callback(channel, call_outcome, out_of_hours):
        lifecycle.add(session, contact, rules.callback_due(received_at, calendar), now)
    record_event(
        session,
        action="advice_contact.created",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"channel": channel, "call_outcome": call_outcome, "out_of_hours": out_of_hours},
        at=now,
    )
    return contact


def get_contact(session, contact_id: int, viewer, *, origin: Origin, now: datetime, page: str):
    """The contact, if ``viewer`` may use the advice line; the view audited with the page
    seen. A missing contact and a refused one are the same NotFound (refusals audited)."""
    if not access.can_use_advice_line(viewer):
        access.refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="advice_contact",
            record_id=contact_id,
            now=now,
        )
    contact = session.get(AdviceContact, contact_id)
    if contact is None:
        raise NotFound(contact_id)
    record_event(
        session,
        action="advice_contact.viewed",
        origin=origin,
        actor=viewer,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"page": page},
        at=now,
    )
    session.commit()
    return contact


def line_settings(session) -> AdviceLineSetting:
    """The line's one settings row (the migration writes it)."""
    found = session.get(AdviceLineSetting, 1)
    if found is None:  # a database made with create_all (tests) rather than the migration
        found = AdviceLineSetting(
            id=1, charge_per_contact_pence=0, retention_years=2, updated_at=utcnow()
        )
        session.add(found)
        session.flush()
    return found
