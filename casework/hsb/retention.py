"""Retention and subject access for professionals' advice contacts (issue 16, deliverable 10).

Advice contacts are kept for the line's ``retention_years`` (a setting, default 2) from when
they were received; then the professional's details are removed and the anonymous advice is
kept for the monthly monitoring: channel, times, setting type, region, local authority, kind,
age, traffic light, continuum, tags, outcome and scores stay; name, role, organisation, email,
phone and every free text go. Their follow-up sessions lose their joining details and notes,
their feedback its comments and follow-up notes, and the emails sent to them their recipient
and words (one still waiting is never sent).

A professional's subject-access request finds their contacts by exact email or phone.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import phonenumbers
import sqlalchemy as sa

from casework import access
from casework.audit import Origin, record_event
from casework.csv_cells import safe_cell
from casework.errors import NotFound, ValidationError
from casework.hsb.contacts import line_settings
from casework.hsb.models import (
    CALL_OUTCOMES,
    CHANNELS,
    CONFIDENCE_QUESTIONS,
    AdviceCallback,
    AdviceContact,
    AdviceFeedback,
    AdviceLineSetting,
    AdviceSession,
)
from casework.messages.models import OutboundMessage
from casework.people.retention import ANONYMISED, cutoff

PERSONAL = (
    "professional_name",
    "professional_role",
    "organisation",
    "email",
    "phone",
    "request_text",
    "what_happened",
    "advice_given",
    "refer_reason",
)
BATCH = 500


# Asked every minute, so built once: building a statement costs more than running it.
_RECEIVED_BEFORE = (
    sa.select(AdviceContact.id)
    .where(
        AdviceContact.anonymised_at.is_(None),
        AdviceContact.received_at < sa.bindparam("before"),
    )
    .order_by(AdviceContact.id)
)


# The one figure the retention sweep needs of the line's settings, read every minute: a plain
# column, not the settings row loaded as an object.
_RETENTION_YEARS = sa.select(AdviceLineSetting.retention_years).where(AdviceLineSetting.id == 1)


def expired_contacts(session, *, now: datetime, years: int) -> list[int]:
    """Contacts received before the cutoff whose details are still held."""
    return list(session.scalars(_RECEIVED_BEFORE, {"before": cutoff(now, years)}))


def anonymise_expired_contacts(session, *, now: datetime, origin: Origin = Origin()) -> int:
    """Remove the professional's details from every contact past the line's retention years,
    in one transaction; returns how many. Each is audited (ids only)."""
    years = session.scalar(_RETENTION_YEARS)
    if years is None:  # no settings row yet (a database made with create_all)
        years = line_settings(session).retention_years
    ids = expired_contacts(session, now=now, years=years)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        session.execute(
            sa.update(AdviceContact)
            .where(AdviceContact.id.in_(chunk))
            .values(
                {
                    **dict.fromkeys(PERSONAL),
                    "anonymised_at": now,
                    "updated_at": now,
                    "version": AdviceContact.version + 1,
                }
            )
            .execution_options(synchronize_session=False)
        )
        session.execute(
            sa.update(AdviceCallback)
            .where(AdviceCallback.contact_id.in_(chunk))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            sa.update(AdviceSession)
            .where(AdviceSession.contact_id.in_(chunk))
            .values(joining_details=None, notes=None, version=AdviceSession.version + 1)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            sa.update(AdviceFeedback)
            .where(AdviceFeedback.contact_id.in_(chunk))
            .values(comments=None, follow_up_notes=None)
            .execution_options(synchronize_session=False)
        )
        mine = OutboundMessage.advice_contact_id.in_(chunk)
        session.execute(
            sa.update(OutboundMessage)
            .where(mine, OutboundMessage.status == "queued")
            .values(
                status="failed", error="not sent: the personal details were removed (retention)"
            )
            .execution_options(synchronize_session=False)
        )
        session.execute(
            sa.update(OutboundMessage)
            .where(mine)
            .values(recipient=ANONYMISED, subject=None, body="", attachment=None)
            .execution_options(synchronize_session=False)
        )
        for contact_id in chunk:
            record_event(
                session,
                action="advice_contact.anonymised",
                origin=origin,
                record_type="advice_contact",
                record_id=contact_id,
                detail={"retention_years": int(years)},
                at=now,
            )
    session.commit()
    return len(ids)


# --- subject access ---------------------------------------------------------------------------


def _lookup(text: str) -> tuple[str, str]:
    """("email", address) or ("phone", E.164) from what was typed; ValidationError if neither."""
    typed = (text or "").strip()
    if "@" in typed:
        if len(typed) > 254:
            raise ValidationError({"contact": "Enter an email address of 254 characters or fewer"})
        return "email", typed
    try:
        number = phonenumbers.parse(typed, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(
            {"contact": "Enter the professional's email address or UK telephone number"}
        )
    return "phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


CONTACT_FIELDS = (
    "channel",
    "call_outcome",
    "received_at",
    "started_at",
    "ended_at",
    "replied_at",
    "professional_name",
    "professional_role",
    "setting_type",
    "organisation",
    "local_authority",
    "region",
    "email",
    "phone",
    "request_text",
    "confidence_identify_before",
    "confidence_respond_before",
    "kind",
    "child_age",
    "incident_setting",
    "what_happened",
    "traffic_light",
    "continuum",
    "risk_of_significant_harm",
    "meets_threshold",
    "refer_to",
    "refer_reason",
    "concern_tags",
    "ideology",
    "influencer",
    "policy_topics",
    "advice_given",
    "outcome",
    "advised_at",
)
CSV_FIELDS = (
    "id",
    "channel",
    "call_outcome",
    "received_at",
    "professional_name",
    "professional_role",
    "organisation",
    "email",
    "phone",
    "request_text",
    "advice_given",
    "outcome",
    "sessions",
    "resources_given",
    "feedback_satisfaction",
    "feedback_comments",
)


def professional_contacts(
    session, typed: str, *, actor, origin: Origin, now: datetime
) -> tuple[str, list[AdviceContact]]:
    """The advice contacts held with exactly this email (case ignored) or phone number, oldest
    first; an administrator's task. Audited with the count, never what was typed."""
    if getattr(actor, "role", None) not in (None, "admin"):
        access.refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="advice_contact",
            record_id=None,
            now=now,
        )
    kind, value = _lookup(typed)
    column = AdviceContact.email if kind == "email" else AdviceContact.phone
    match = sa.func.lower(column) == value.lower() if kind == "email" else column == value
    found = list(
        session.scalars(
            sa.select(AdviceContact)
            .where(match)
            .order_by(AdviceContact.received_at, AdviceContact.id)
        )
    )
    record_event(
        session,
        action="advice_contact.subject_access_search",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        detail={"by": kind, "found": len(found)},
        at=now,
    )
    session.commit()
    return kind, found


def _contact_export(contact: AdviceContact) -> dict:
    feedback = contact.feedback
    return {
        "id": contact.id,
        **{name: _plain(getattr(contact, name)) for name in CONTACT_FIELDS},
        "channel_words": CHANNELS.get(contact.channel, contact.channel),
        "call_outcome_words": CALL_OUTCOMES.get(contact.call_outcome or "", None),
        "sessions": [
            {
                "starts_at": _plain(s.starts_at),
                "duration_minutes": s.duration_minutes,
                "means": s.means,
                "joining_details": s.joining_details,
                "status": s.status,
            }
            for s in contact.sessions
        ],
        "resources_given": [
            {"title": g.resource.title, "url": g.resource.url, "given_at": _plain(g.given_at)}
            for g in sorted(contact.resources_given, key=lambda g: g.given_at)
        ],
        "callbacks": [
            {
                "kind": o.kind,
                "due_at": _plain(o.due_at),
                "status": o.status,
                "met_at": _plain(o.met_at),
            }
            for o in contact.obligations
        ],
        "callbacks_made": [
            {"made_at": _plain(c.made_at), "result": c.result, "note": c.note}
            for c in contact.callbacks
        ],
        "feedback": None
        if feedback is None
        else {
            "sent_at": _plain(feedback.sent_at),
            "answered_at": _plain(feedback.answered_at),
            "confidence_after": {
                CONFIDENCE_QUESTIONS["identify"]: feedback.confidence_identify_after,
                CONFIDENCE_QUESTIONS["respond"]: feedback.confidence_respond_after,
            },
            "satisfaction": feedback.satisfaction,
            "comments": feedback.comments,
            "followed_up_at": _plain(feedback.followed_up_at),
            "follow_up_notes": feedback.follow_up_notes,
        },
        "emails": [
            {
                "subject": m.subject,
                "body": m.body,
                "status": m.status,
                "sent_at": _plain(m.sent_at),
            }
            for m in contact_messages(contact)
        ],
    }


def contact_messages(contact: AdviceContact) -> list[OutboundMessage]:
    """The emails sent to the professional about this contact, oldest first."""
    from sqlalchemy.orm import object_session

    session = object_session(contact)
    return list(
        session.scalars(
            sa.select(OutboundMessage)
            .where(OutboundMessage.advice_contact_id == contact.id)
            .order_by(OutboundMessage.created_at, OutboundMessage.id)
        )
    )


def professional_export(
    session, typed: str, *, actor, origin: Origin, now: datetime, form: str = "json"
) -> tuple[str, str | dict]:
    """A professional's subject-access export: every contact held under their email or
    phone, as a dict (``form`` json) or CSV text (one row per contact). NotFound when none
    is held. Audited."""
    kind, contacts = professional_contacts(session, typed, actor=actor, origin=origin, now=now)
    if not contacts:
        raise NotFound(kind)
    exported = [_contact_export(c) for c in contacts]
    record_event(
        session,
        action="advice_contact.subject_access_export",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        detail={"by": kind, "contacts": len(contacts), "as": form},
        at=now,
    )
    session.commit()
    if form == "json":
        return kind, {
            "generated_at": now.isoformat(),
            "service": "Waypoint HSB advice line",
            "contacts": exported,
        }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for row in exported:
        feedback = row["feedback"] or {}
        values = {
            **row,
            "sessions": "; ".join(f"{s['starts_at']} {s['status']}" for s in row["sessions"]),
            "resources_given": "; ".join(r["title"] for r in row["resources_given"]),
            "feedback_satisfaction": feedback.get("satisfaction"),
            "feedback_comments": feedback.get("comments"),
        }
        writer.writerow(
            [safe_cell("" if values[f] is None else str(values[f])) for f in CSV_FIELDS]
        )
    return kind, out.getvalue()


# --- the line's settings: retention years, and the charge per contact -------------------------

MAX_CHARGE_PENCE = 1_000_000  # £10,000
RETENTION_RANGE = range(1, 11)


def update_line_settings(
    session,
    *,
    charge: str,
    retention_years: int | None,
    expected: str | None,
    actor,
    origin: Origin,
    now: datetime,
):
    """Set the charge per contact (typed in pounds and pence, £0 to £10,000) and the years a
    professional's details are kept (1 to 10); HSB team leaders and admins. ``expected`` is
    the settings' ``updated_at`` as the form loaded it: a form older than the last change is
    refused, not applied. Audited with the old and new values."""
    from triage.onward import pounds_to_pence

    if not access.can_lead_advice_line(actor):
        access.refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="advice_line_setting",
            record_id=1,
            now=now,
        )
    settings = line_settings(session)
    if expected is not None and expected != settings.updated_at.isoformat():
        raise ValidationError(
            {
                "": "The settings were changed by someone else since you opened this page. "
                "Check them and save again."
            }
        )
    errors = {}
    try:
        pence = pounds_to_pence((charge or "").replace("£", "", 1))
    except ValueError as exc:
        pence, errors["charge"] = None, str(exc)
    if pence is not None and pence > MAX_CHARGE_PENCE:
        errors["charge"] = "Enter a charge per contact no more than £10,000"
    if retention_years not in RETENTION_RANGE:
        errors["retention_years"] = "Enter a number of years between 1 and 10"
    if errors:
        raise ValidationError(errors)
    before = {
        "charge_per_contact_pence": settings.charge_per_contact_pence,
        "retention_years": settings.retention_years,
    }
    settings.charge_per_contact_pence = pence
    settings.retention_years = retention_years
    settings.updated_at = now
    settings.updated_by_id = getattr(actor, "id", None)
    record_event(
        session,
        action="advice_line.settings_changed",
        origin=origin,
        actor=actor,
        record_type="advice_line_setting",
        record_id=1,
        detail={
            "before": before,
            "after": {"charge_per_contact_pence": pence, "retention_years": retention_years},
        },
        at=now,
    )
    session.commit()
    return settings


def current_settings(session):
    """The line's settings as they stand (the settings page)."""
    found = line_settings(session)
    session.commit()
    return found
