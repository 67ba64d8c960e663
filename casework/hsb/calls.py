"""The advice line's telephone calls: who the line rings (advisors on duty with a phone), a call
arriving through the voice webhook, its outcome from the status callback, a call an advisor logs
by hand, going on and off duty, and an advisor's phone number.

Each provider event is applied once (``WebhookReceipt``: ``voice:<CallSid>`` for the call
arriving, ``voice-status:<CallSid>`` for its outcome): a repeated or replayed delivery, even with
a different outcome, changes nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from casework.audit import AuditEvent, Origin, record_event
from casework.db import made_by_key, made_once, refuse_stale
from casework.errors import NotFound, ValidationError
from casework.hsb.callbacks import callback_of
from casework.hsb.contacts import (
    Professional,
    create_contact,
    logged_key,
    logged_too_long_ago,
)
from casework.hsb.intake import (
    MAX_AUTHORITY,
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_ROLE,
    check_version,
    stale,
)
from casework.hsb.models import CALL_OUTCOMES, REGIONS, SETTING_TYPES, AdviceContact
from casework.messages.opt_outs import claim_webhook_event
from casework.obligations import breaches, lifecycle
from casework.people.contact_details import MAX_EMAIL, normalise_email, normalise_phone
from casework.staff.models import Staff
from triage import hsb as rules

RECORDINGS = "https://api.twilio.com/"
MISSED_STATUSES = ("no-answer", "busy", "failed", "canceled")
LONGEST_CALL = timedelta(hours=12)
LIMITS = (  # the same lengths as every other way a professional's details come in
    ("professional_name", "The caller's name", MAX_NAME),
    ("professional_role", "Their role", MAX_ROLE),
    ("organisation", "The organisation", MAX_ORGANISATION),
    ("local_authority", "The local authority", MAX_AUTHORITY),
    ("email", "The email address", MAX_EMAIL),
)


# --- who the line rings ---------------------------------------------------------------------


def advisors_on_duty(session) -> list[Staff]:
    """Active HSB advisors on duty who have a phone number: the line rings each of them."""
    return list(
        session.scalars(
            sa.select(Staff)
            .where(
                Staff.active.is_(True),
                Staff.role == "hsb_advisor",
                Staff.on_duty.is_(True),
                Staff.phone.is_not(None),
                Staff.phone != "",
            )
            .order_by(Staff.name)
        )
    )


def set_on_duty(session, staff, on_duty: bool, *, origin: Origin, now: datetime) -> Staff:
    """The signed-in advisor goes on or off duty; going on duty needs a phone number on their
    staff record (the line rings it). Audited."""
    if on_duty and staff.role != "hsb_advisor":
        raise ValidationError({"on_duty": "Only HSB advisors go on duty for the line"})
    if on_duty and not staff.phone:
        raise ValidationError(
            {
                "on_duty": "You cannot go on duty without a phone number on your staff record. "
                "Ask an administrator to add it."
            }
        )
    if staff.on_duty != on_duty:
        staff.on_duty = on_duty
        staff.updated_at = now
        record_event(
            session,
            action="advice_line.on_duty" if on_duty else "advice_line.off_duty",
            origin=origin,
            actor=staff,
            record_type="staff",
            record_id=staff.id,
            detail={"phone_end": (staff.phone or "")[-3:]},
            at=now,
        )
    session.commit()
    return staff


def set_staff_phone(
    session, staff_id: int, raw: str | None, *, actor, origin: Origin, now: datetime
) -> Staff:
    """An administrator sets (or clears) the phone number the line rings for an advisor: a UK
    number, stored in E.164. Clearing it takes the advisor off duty. Audited when it changes."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(staff_id)
    phone, problem = normalise_phone(raw)
    if problem:
        raise ValidationError(
            {"phone": "Enter a UK phone number, like 07700 900123 or 020 7946 0123"}
        )
    if phone != staff.phone:
        staff.phone = phone
        if phone is None:
            staff.on_duty = False
        staff.updated_at = now
        record_event(
            session,
            action="staff.phone_set" if phone else "staff.phone_cleared",
            origin=origin,
            actor=actor,
            record_type="staff",
            record_id=staff.id,
            detail={"phone_end": (phone or "")[-3:]},
            at=now,
        )
    session.commit()
    return staff


# --- the voice webhook -----------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingCall:
    """What the voice webhook answers: the numbers to dial (empty: take a voicemail)."""

    contact: AdviceContact | None
    numbers: tuple[str, ...]
    open: bool


def receive_call(
    session, call_sid: str, caller: str | None, *, calendar, now: datetime, origin: Origin
) -> IncomingCall:
    """A call to the line. Inside opening hours with advisors on duty, their numbers are rung
    and the outcome arrives later; until it does the call owes its D8 callback, so a call whose
    outcome never arrives is still called back. Otherwise the caller may leave a voicemail, and
    the contact is recorded as missed with its D8 callback at once (a voicemail left upgrades
    it). Applied once per CallSid: a repeated delivery finds the contact already recorded."""
    is_open = calendar.is_open_at(now)
    numbers = tuple(s.phone for s in advisors_on_duty(session)) if is_open else ()
    if not call_sid or not claim_webhook_event(session, f"voice:{call_sid}", now):
        session.rollback()
        existing = (
            session.scalar(sa.select(AdviceContact).where(AdviceContact.call_sid == call_sid))
            if call_sid
            else None
        )
        return IncomingCall(existing, numbers, is_open)
    phone, _problem = normalise_phone(caller)
    contact = create_contact(
        session,
        channel="telephone",
        received_at=now,
        calendar=calendar,
        now=now,
        origin=origin,
        professional=Professional(phone=phone),
        call_outcome=None if numbers else "missed",
        call_sid=call_sid[:64],
    )
    session.commit()
    return IncomingCall(contact, numbers, is_open)


def _seconds(raw: str | None) -> int | None:
    try:
        value = int((raw or "").strip())
    except ValueError:
        return None
    return value if 0 <= value <= LONGEST_CALL.total_seconds() else None


def call_outcome_from(form: dict) -> tuple[str | None, int | None]:
    """The outcome a status callback reports, and the seconds it lasted: a recording is a
    voicemail; a dial completed is answered; no answer, busy, failed or cancelled is missed."""
    if form.get("RecordingUrl") or _seconds(form.get("RecordingDuration")):
        return "voicemail", _seconds(form.get("RecordingDuration"))
    status = (form.get("DialCallStatus") or "").strip().lower()
    if status == "completed":
        return "answered", _seconds(form.get("DialCallDuration")) or 0
    if status in MISSED_STATUSES:
        return "missed", None
    return None, None


def _recording(form: dict, outcome: str) -> dict:
    """Where a voicemail's recording is kept at the provider (there is no column for it: the
    audit row holds it, and the contact page shows it)."""
    if outcome != "voicemail":
        return {}
    sid = (form.get("RecordingSid") or "").strip()
    url = (form.get("RecordingUrl") or "").strip()
    return {
        "recording_sid": sid[:64] if re.fullmatch(r"RE[0-9a-fA-F]{32}", sid) else None,
        "recording_url": url[:300] if url.startswith(RECORDINGS) else None,
    }


def voicemail_of(session, contact_id: int) -> dict | None:
    """A voicemail's length and recording at the provider, from the status callback's audit
    row; None when no voicemail came through the webhook."""
    row = session.scalar(
        sa.select(AuditEvent)
        .where(
            AuditEvent.action == "advice_contact.call_outcome",
            AuditEvent.record_type == "advice_contact",
            AuditEvent.record_id == str(contact_id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    try:
        detail = json.loads(row.detail or "{}") if row is not None else {}
    except ValueError:
        return None
    if detail.get("call_outcome") != "voicemail":
        return None
    return {
        "seconds": detail.get("seconds"),
        "recording_sid": detail.get("recording_sid"),
        "recording_url": detail.get("recording_url"),
    }


def apply_call_status(
    session, call_sid: str, form: dict, *, calendar, wording, now: datetime, origin: Origin
) -> AdviceContact | None:
    """The status callback for a call: set its outcome once. A missed call or a voicemail keeps
    the D8 callback it has owed since it arrived (never a second one); an answered call's is
    withdrawn, with any breach recorded while the outcome was unknown (the team leaders told of
    it are told again, in ``wording``). None when nothing changed (an unknown call, an
    unreadable outcome, or a repeated or replayed delivery)."""
    outcome, seconds = call_outcome_from(form)
    if not call_sid or outcome is None:
        return None
    contact = session.scalar(sa.select(AdviceContact).where(AdviceContact.call_sid == call_sid))
    if contact is None:
        return None
    if not claim_webhook_event(session, f"voice-status:{call_sid}", now):
        session.rollback()
        return None
    _set_outcome(session, contact, outcome, calendar=calendar, wording=wording, now=now)
    if outcome == "answered":
        contact.started_at = now - timedelta(seconds=seconds or 0)
        contact.ended_at = now
    record_event(
        session,
        action="advice_contact.call_outcome",
        origin=origin,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"call_outcome": outcome, "seconds": seconds, **_recording(form, outcome)},
        at=now,
    )
    session.commit()
    return contact


def _set_outcome(session, contact: AdviceContact, outcome: str, *, calendar, wording, now) -> None:
    """A rung call's outcome, now known: missed or voicemail owes the D8 callback (the one it
    has owed since it arrived); answered withdraws that one, which never was owed, and recalls
    the alerts of a breach recorded meanwhile."""
    contact.call_outcome = outcome
    contact.updated_at = now
    contact.version += 1
    if rules.needs_callback(contact.channel, outcome, contact.out_of_hours):
        lifecycle.add(session, contact, rules.callback_due(contact.received_at, calendar), now)
    elif (callback := callback_of(contact)) is not None and lifecycle.withdraw(session, callback):
        breaches.recall_alerts(session, callback, wording=wording, why="answered", now=now)


HAND_OUTCOMES = ("answered", "missed")


@refuse_stale(stale)
def record_outcome_by_hand(
    session,
    contact_id: int,
    outcome: str | None,
    *,
    version: int | None,
    actor,
    calendar,
    wording,
    origin: Origin,
    now: datetime,
) -> AdviceContact:
    """An advisor says what happened to a rung call whose outcome the phone system never
    reported: answered (its callback withdrawn; the advisor who says so took it) or not
    answered (its callback stays owed). Taken once, as the provider's report would be: a
    report arriving later changes nothing, and one that came first refuses this. Refused,
    changing nothing, for a contact that is not such a call, or a stale page. Audited."""
    contact = session.get(AdviceContact, contact_id)
    if contact is None:
        raise NotFound(contact_id)
    if contact.channel != "telephone" or not contact.call_sid or contact.call_outcome:
        raise ValidationError({"": "This call's outcome is already recorded"})
    check_version(contact, version)
    if outcome not in HAND_OUTCOMES:
        raise ValidationError({"": "Say whether the call was answered"})
    if not claim_webhook_event(session, f"voice-status:{contact.call_sid}", now):
        session.rollback()
        raise ValidationError({"": "This call's outcome is already recorded"})
    _set_outcome(session, contact, outcome, calendar=calendar, wording=wording, now=now)
    if outcome == "answered" and contact.advisor_id is None:
        contact.advisor_id = actor.id
    record_event(
        session,
        action="advice_contact.call_outcome",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"call_outcome": outcome, "by_hand": True},
        at=now,
    )
    session.commit()
    return contact


# --- a call logged by hand -------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedCall:
    """A call an advisor logs by hand (a line without Twilio)."""

    outcome: str | None
    received_at: datetime | None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    professional: Professional = Professional()


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def log_call(
    session,
    call: LoggedCall,
    *,
    actor,
    calendar,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
) -> AdviceContact:
    """Record a call an advisor took or missed, through ``create_contact`` (so a missed call, a
    voicemail, or a call outside opening hours gets its D8 callback). Refused, storing nothing,
    with a message per field: no outcome, a time in the future, an answered call without its
    start and end or ending before it starts, a phone number or email that cannot be used.
    The same form sent twice (``submission_token``) logs one call."""
    key = logged_key(actor, submission_token)
    if (earlier := made_by_key(session, AdviceContact.submission_key, key)) is not None:
        return earlier
    errors: dict[str, str] = {}
    if call.outcome not in CALL_OUTCOMES:
        errors["outcome"] = "Select whether the call was answered, missed or a voicemail"
    if call.received_at is None:
        errors["received_at"] = "Enter the date and time the call came in"
    elif call.received_at > now:
        errors["received_at"] = "The time the call came in must be now or in the past"
    elif too_old := logged_too_long_ago(call.received_at, now):
        errors["received_at"] = too_old.replace("It must", "The call must")
    started, ended = call.started_at, call.ended_at
    if call.outcome == "answered":
        if started is None:
            errors["started_at"] = "Enter the time the call started"
        if ended is None:
            errors["ended_at"] = "Enter the time the call ended"
    if started is not None and started > now:
        errors["started_at"] = "The time the call started must be now or in the past"
    if started is not None and call.received_at is not None and started < call.received_at:
        errors["started_at"] = "The call cannot start before it came in"
    if ended is not None and ended > now:
        errors["ended_at"] = "The time the call ended must be now or in the past"
    if started is not None and ended is not None and ended <= started:
        errors["ended_at"] = "The call must end after it started"
    elif started is not None and ended is not None and ended - started > LONGEST_CALL:
        errors["ended_at"] = "A call cannot last more than 12 hours"
    if ended is not None and started is None and "started_at" not in errors:
        errors["started_at"] = "Enter the time the call started"
    who = call.professional
    phone, problem = normalise_phone(who.phone)
    if problem:
        errors["phone"] = "Enter a UK phone number, like 07700 900123 or 020 7946 0123"
    email, email_problem = normalise_email(who.email)  # its length first: the pattern backtracks
    if email_problem:
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    for field, what, limit in LIMITS:
        if len(getattr(who, field) or "") > limit:
            errors[field] = f"{what} must be {limit} characters or fewer"
    if who.setting_type and who.setting_type not in SETTING_TYPES:
        errors["setting_type"] = "Select the type of setting from the list"
    if who.region and who.region not in REGIONS:
        errors["region"] = "Select a region from the list"
    if errors:
        raise ValidationError(errors)

    def log() -> AdviceContact:
        contact = create_contact(
            session,
            channel="telephone",
            received_at=call.received_at,
            calendar=calendar,
            now=now,
            origin=origin,
            actor=actor,
            professional=Professional(
                professional_name=_clean(who.professional_name),
                professional_role=_clean(who.professional_role),
                setting_type=who.setting_type or None,
                organisation=_clean(who.organisation),
                local_authority=_clean(who.local_authority),
                region=who.region or None,
                email=email,
                phone=phone,
            ),
            call_outcome=call.outcome,
            started_at=started if call.outcome == "answered" else None,
            ended_at=ended if call.outcome == "answered" else None,
            submission_key=key,
        )
        session.commit()
        return contact

    return made_once(session, AdviceContact.submission_key, key, log)
