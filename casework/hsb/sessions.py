"""Tailored follow-up sessions (issue 16, deliverable 5): booked for a contact inside the line's
hours, confirmed to the professional by email with a calendar invitation, reminded the working
day before, then held, missed, rescheduled or cancelled.

The calendar invitation's text is built by ``build_invite`` (the caller passes
``scheduling.messaging.calendar_invite.build_invite``: casework does not import the scheduler).
Emails go through the outbox (``OutboundMessage``, channel email, owned by the advice contact),
so the dispatch sweep sends them with retries. A reminder that has not gone when its session is
cancelled or moved is withdrawn: marked ``not_sent`` with the reason, never deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from casework.audit import Origin, record_event
from casework.errors import NotFound, ValidationError
from casework.hsb.intake import may_use_advice_line
from casework.hsb.models import SESSION_MEANS, AdviceContact, AdviceSession
from casework.messages.models import OutboundMessage
from triage.hsb import previous_working_day

LONDON = ZoneInfo("Europe/London")
DURATIONS = {30: "30 minutes", 45: "45 minutes", 60: "1 hour", 90: "1 hour 30 minutes"}
MAX_JOINING = 500
MAX_NOTES = 2000
REMINDER_AT = time(9, 0)  # London time, the working day before
OUTCOMES = ("held", "missed")
KIND_CONFIRMATION = "hsb_session_invite"
KIND_REMINDER = "hsb_session_reminder"
KIND_CANCELLATION = "hsb_session_cancel"
SUMMARY = "HSB advice line: follow-up session"


@dataclass
class Booking:
    """What booking (or moving) a session did, for the advisor: the session and plain notes
    (no email sent, no reminder)."""

    session: AdviceSession
    notes: list[str] = field(default_factory=list)


def _stale() -> ValidationError:
    return ValidationError(
        {
            "": "Someone changed this session after you opened this page. Nothing has been "
            "saved. The page now shows it as it is: check it, then try again."
        }
    )


def local(moment: datetime) -> datetime:
    """A moment on the UK clock."""
    return moment.astimezone(LONDON)


def describe_when(moment: datetime) -> str:
    """'Monday 26 October 2026 at 10:00' (London time)."""
    shown = local(moment)
    return f"{shown:%A} {shown.day} {shown:%B %Y} at {shown:%H:%M}"


def check_times(
    day: date | None,
    clock: time | None,
    duration: int | None,
    calendar,
    now: datetime,
    errors: dict[str, str],
) -> tuple[datetime, datetime] | None:
    """The session's start and end as UTC moments, when the day is a line open day, the whole
    session is inside its hours, and it starts in the future; else the problems in ``errors``."""
    if duration not in DURATIONS:
        errors["duration"] = "Select how long the session is"
    if day is None:
        errors["day"] = "Enter the session's date"
    if clock is None:
        errors["start_time"] = "Enter the start time, like 14:30"
    if day is None or clock is None or duration not in DURATIONS:
        return None
    if not calendar.is_service_day(day):
        errors["day"] = "The line is closed that day: choose a weekday that is not a bank holiday"
        return None
    starts_at = datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)
    ends_at = starts_at + timedelta(minutes=duration)
    opens, closes = calendar.opening_of(day), calendar.close_of(day)
    if not (opens <= starts_at and ends_at <= closes):
        errors["start_time"] = (
            f"The session must be within the line's hours, {local(opens):%H:%M} to "
            f"{local(closes):%H:%M}, from start to end"
        )
        return None
    if starts_at <= now:
        errors["day"] = "The session must be in the future"
        return None
    return starts_at, ends_at


def _clean_text(value: str | None, limit: int, name: str, what: str, errors) -> str | None:
    value = (value or "").strip() or None
    if value and len(value) > limit:
        errors[name] = f"{what} must be {limit:,} characters or fewer"
    return value


def _organizer(mail_from: str | None) -> str | None:
    address = parseaddr(mail_from or "")[1]
    return address or None


def _invite(
    booked: AdviceSession, method: str, *, now: datetime, mail_from, recipient, build_invite
) -> str:
    ends_at = booked.starts_at + timedelta(minutes=booked.duration_minutes)
    description = f"{SESSION_MEANS[booked.means]} session with an HSB advice line advisor."
    if booked.joining_details:
        description += f"\nHow to join: {booked.joining_details}"
    return build_invite(
        uid=booked.ics_uid,
        sequence=booked.ics_sequence,
        starts_at=booked.starts_at,
        ends_at=ends_at,
        summary=SUMMARY,
        description=description,
        location=booked.joining_details or SESSION_MEANS[booked.means],
        stamp=now,
        method=method,
        organizer=_organizer(mail_from),
        attendee=recipient,
    )


def _queue_email(
    session,
    booked: AdviceSession,
    *,
    kind: str,
    key: str,
    subject: str,
    body: str,
    now: datetime,
    send_after: datetime,
    invite: str | None = None,
) -> OutboundMessage:
    message = OutboundMessage(
        dedupe_key=key,
        advice_contact_id=booked.contact_id,
        kind=kind,
        channel="email",
        recipient=booked.contact.email,
        subject=subject,
        body=body,
        attachment=invite,
        attachment_name="invite.ics" if invite else None,
        attachment_type="text/calendar" if invite else None,
        status="queued",
        attempts=0,
        send_after=send_after,
        next_attempt_at=send_after,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    return message


def _details(booked: AdviceSession) -> str:
    lines = [
        f"When: {describe_when(booked.starts_at)} (UK time), "
        f"{DURATIONS.get(booked.duration_minutes, f'{booked.duration_minutes} minutes')}",
        f"How: {SESSION_MEANS[booked.means]}",
    ]
    if booked.joining_details:
        lines.append(f"Joining details: {booked.joining_details}")
    return "\n".join(lines)


def reminder_moment(starts_at: datetime, calendar) -> datetime:
    """09:00 London time on the working day before the session, as a UTC moment."""
    day = previous_working_day(local(starts_at).date(), calendar)
    return datetime.combine(day, REMINDER_AT, tzinfo=LONDON).astimezone(UTC)


def _confirm_and_remind(
    session, booked: AdviceSession, *, calendar, now, mail_from, build_invite, replaces=None
) -> list[str]:
    """Queue the confirmation with its invitation and the reminder; notes for the advisor."""
    contact = booked.contact
    if not contact.email:
        return [
            "No confirmation or reminder was emailed: the professional has no email address. "
            "Give them the session's details another way."
        ]
    notes = []
    intro = (
        f"Your follow-up session with the HSB advice line has moved from "
        f"{describe_when(replaces.starts_at)}. The new time is below."
        if replaces is not None
        else "Your follow-up session with the HSB advice line is booked."
    )
    _queue_email(
        session,
        booked,
        kind=KIND_CONFIRMATION,
        key=f"hsb-session-{booked.id}-v{booked.version}-invite",
        subject=f"Follow-up session booked: {describe_when(booked.starts_at)}",
        body=f"{intro}\n\n{_details(booked)}\n\nThe calendar invitation is attached.\n",
        now=now,
        send_after=now,
        invite=_invite(
            booked,
            "REQUEST",
            now=now,
            mail_from=mail_from,
            recipient=contact.email,
            build_invite=build_invite,
        ),
    )
    remind_at = reminder_moment(booked.starts_at, calendar)
    if remind_at <= now:
        notes.append(
            "No reminder will be sent: 09:00 on the working day before the session has "
            "already passed."
        )
    else:
        _queue_email(
            session,
            booked,
            kind=KIND_REMINDER,
            key=f"hsb-session-{booked.id}-reminder",
            subject=f"Reminder: your follow-up session on {describe_when(booked.starts_at)}",
            body=f"A reminder of your follow-up session with the HSB advice line.\n\n"
            f"{_details(booked)}\n",
            now=now,
            send_after=remind_at,
        )
    return notes


def _withdraw_reminder(session, booked: AdviceSession, now: datetime, why: str) -> int:
    """The session's reminder, if not yet sent, marked not to be sent (never deleted)."""
    return session.execute(
        sa.update(OutboundMessage)
        .where(
            OutboundMessage.dedupe_key == f"hsb-session-{booked.id}-reminder",
            OutboundMessage.status == "queued",
        )
        .values(status="not_sent", error=why, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def _new_session(
    session, contact, *, starts_at, duration, means, joining, notes, actor, now
) -> AdviceSession:
    booked = AdviceSession(
        contact_id=contact.id,
        starts_at=starts_at,
        duration_minutes=duration,
        means=means,
        joining_details=joining,
        notes=notes,
        status="booked",
        advisor_id=actor.id,
        booked_by_id=actor.id,
        ics_uid=f"{uuid.uuid4().hex}@waypoint",
        ics_sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(booked)
    session.flush()
    booked.contact = contact
    return booked


def _check_overlap(session, contact_id, times, errors, *, moving=None) -> None:
    """A session with this professional already booked at a time the new one overlaps (a
    double click, or a second booking made in another tab) is refused, naming it; the session
    being moved does not count against its new time."""
    if times is None:
        return
    starts_at, ends_at = times
    # The contact's row is locked first, so two bookings sent at once check one after the
    # other and the second sees the first (PostgreSQL; SQLite lets one writer at a time).
    session.execute(
        sa.select(AdviceContact.id).where(AdviceContact.id == contact_id).with_for_update()
    )
    booked = session.scalars(
        sa.select(AdviceSession).where(
            AdviceSession.contact_id == contact_id,
            AdviceSession.status == "booked",
            AdviceSession.starts_at < ends_at,
            AdviceSession.id != (moving or 0),
        )
    )
    for other in booked:
        if other.starts_at + timedelta(minutes=other.duration_minutes) > starts_at:
            errors["start_time"] = (
                "A session with this professional is already booked for "
                f"{describe_when(other.starts_at)}: choose a time that does not overlap it, "
                "or move that session"
            )
            return


def _check_details(means, joining, notes, errors):
    if means not in SESSION_MEANS:
        errors["means"] = "Select how the session will happen"
    joining = _clean_text(joining, MAX_JOINING, "joining_details", "The joining details", errors)
    notes = _clean_text(notes, MAX_NOTES, "notes", "The notes", errors)
    if means in ("video", "in_person") and not joining:
        errors["joining_details"] = (
            "Enter the video link" if means == "video" else "Enter the address"
        )
    return joining, notes


def book_session(
    session,
    contact_id: int,
    *,
    day: date | None,
    start_time: time | None,
    duration: int | None,
    means: str | None,
    joining_details: str | None,
    notes: str | None = None,
    calendar,
    mail_from: str | None,
    build_invite,
    actor,
    origin: Origin,
    now: datetime,
) -> Booking:
    """Book a follow-up session; queue its confirmation (with the calendar invitation) and its
    reminder. A professional without an email still gets the session, with a note saying that
    nothing was emailed. Audited and committed."""
    may_use_advice_line(session, actor, origin, now, contact_id)
    contact = session.get(AdviceContact, contact_id)
    if contact is None:
        raise NotFound(contact_id)
    errors: dict[str, str] = {}
    if contact.anonymised_at is not None:
        raise ValidationError({"": "This contact has been anonymised: no session can be booked"})
    times = check_times(day, start_time, duration, calendar, now, errors)
    _check_overlap(session, contact.id, times, errors)
    joining, notes = _check_details(means, joining_details, notes, errors)
    if errors:
        raise ValidationError(errors)
    booked = _new_session(
        session,
        contact,
        starts_at=times[0],
        duration=duration,
        means=means,
        joining=joining,
        notes=notes,
        actor=actor,
        now=now,
    )
    told = _confirm_and_remind(
        session, booked, calendar=calendar, now=now, mail_from=mail_from, build_invite=build_invite
    )
    record_event(
        session,
        action="advice_session.booked",
        actor=actor,
        origin=origin,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"session_id": booked.id, "starts_at": booked.starts_at.isoformat()},
        at=now,
    )
    session.commit()
    return Booking(booked, told)


def _for_change(session, session_id, expected_version, actor, origin, now) -> AdviceSession:
    booked = session.get(AdviceSession, session_id)
    may_use_advice_line(session, actor, origin, now, booked.contact_id if booked else None)
    if booked is None:
        raise NotFound(session_id)
    if expected_version is None or booked.version != expected_version:
        raise _stale()
    if booked.status != "booked":
        raise ValidationError({"": "This session is no longer booked: nothing changed"})
    return booked


def record_outcome(
    session,
    session_id: int,
    *,
    outcome: str | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> AdviceSession:
    """Record a session as held or missed, once its start time has passed."""
    booked = _for_change(session, session_id, expected_version, actor, origin, now)
    if outcome not in OUTCOMES:
        raise ValidationError({"": "Choose held or missed"})
    if now < booked.starts_at:
        raise ValidationError(
            {"": "A session can be recorded as held or missed only after its start time"}
        )
    booked.status, booked.outcome_at, booked.updated_at = outcome, now, now
    record_event(
        session,
        action=f"advice_session.{outcome}",
        actor=actor,
        origin=origin,
        record_type="advice_contact",
        record_id=booked.contact_id,
        detail={"session_id": booked.id},
        at=now,
    )
    session.commit()
    return booked


def _cancellation(session, booked, *, now, mail_from, build_invite, why: str) -> list[str]:
    """The cancellation invitation (METHOD:CANCEL, the next SEQUENCE), and the reminder
    withdrawn."""
    withdrawn = _withdraw_reminder(session, booked, now, f"not sent: the session was {why}")
    notes = ["Its reminder was withdrawn."] if withdrawn else []
    contact = booked.contact
    if not contact.email:
        return [*notes, "No email was sent: the professional has no email address."]
    booked.ics_sequence += 1
    session.flush()
    what = "has moved" if why == "rescheduled" else "is cancelled"
    _queue_email(
        session,
        booked,
        kind=KIND_CANCELLATION,
        key=f"hsb-session-{booked.id}-v{booked.version}-cancel",
        subject=f"Follow-up session {'moved' if why == 'rescheduled' else 'cancelled'}: "
        f"{describe_when(booked.starts_at)}",
        body=f"Your follow-up session with the HSB advice line on "
        f"{describe_when(booked.starts_at)} {what}. This removes it from your calendar.\n",
        now=now,
        send_after=now,
        invite=_invite(
            booked,
            "CANCEL",
            now=now,
            mail_from=mail_from,
            recipient=contact.email,
            build_invite=build_invite,
        ),
    )
    return notes


def cancel_session(
    session,
    session_id: int,
    *,
    expected_version: int | None,
    mail_from: str | None,
    build_invite,
    actor,
    origin: Origin,
    now: datetime,
) -> Booking:
    """Cancel a booked session: a cancellation invitation to the professional, and its unsent
    reminder withdrawn. Audited and committed."""
    booked = _for_change(session, session_id, expected_version, actor, origin, now)
    booked.status, booked.outcome_at, booked.updated_at = "cancelled", now, now
    notes = _cancellation(
        session, booked, now=now, mail_from=mail_from, build_invite=build_invite, why="cancelled"
    )
    record_event(
        session,
        action="advice_session.cancelled",
        actor=actor,
        origin=origin,
        record_type="advice_contact",
        record_id=booked.contact_id,
        detail={"session_id": booked.id},
        at=now,
    )
    session.commit()
    return Booking(booked, notes)


def reschedule_session(
    session,
    session_id: int,
    *,
    day: date | None,
    start_time: time | None,
    duration: int | None,
    means: str | None,
    joining_details: str | None,
    expected_version: int | None,
    calendar,
    mail_from: str | None,
    build_invite,
    actor,
    origin: Origin,
    now: datetime,
) -> Booking:
    """Move a session: the old one becomes 'rescheduled' (pointing at its replacement), its
    calendar entry cancelled and its reminder withdrawn; a new session is booked with its own
    invitation and reminder. Audited and committed."""
    old = _for_change(session, session_id, expected_version, actor, origin, now)
    errors: dict[str, str] = {}
    times = check_times(day, start_time, duration, calendar, now, errors)
    _check_overlap(session, old.contact_id, times, errors, moving=old.id)
    joining, _ = _check_details(means, joining_details, None, errors)
    if errors:
        raise ValidationError(errors)
    new = _new_session(
        session,
        old.contact,
        starts_at=times[0],
        duration=duration,
        means=means,
        joining=joining,
        notes=old.notes,
        actor=actor,
        now=now,
    )
    old.status, old.replaced_by_id, old.outcome_at, old.updated_at = "rescheduled", new.id, now, now
    notes = _cancellation(
        session, old, now=now, mail_from=mail_from, build_invite=build_invite, why="rescheduled"
    )
    notes += _confirm_and_remind(
        session,
        new,
        calendar=calendar,
        now=now,
        mail_from=mail_from,
        build_invite=build_invite,
        replaces=old,
    )
    record_event(
        session,
        action="advice_session.rescheduled",
        actor=actor,
        origin=origin,
        record_type="advice_contact",
        record_id=old.contact_id,
        detail={
            "session_id": old.id,
            "replaced_by": new.id,
            "starts_at": new.starts_at.isoformat(),
        },
        at=now,
    )
    session.commit()
    return Booking(new, notes)


def sessions_of(session, contact: AdviceContact) -> list[tuple[AdviceSession, str | None]]:
    """The contact's sessions, soonest first, each with its reminder's state in words."""
    found = list(
        session.scalars(
            sa.select(AdviceSession)
            .where(AdviceSession.contact_id == contact.id)
            .order_by(AdviceSession.starts_at, AdviceSession.id)
        )
    )
    keys = [f"hsb-session-{s.id}-reminder" for s in found]
    reminders = (
        {
            m.dedupe_key: m
            for m in session.scalars(
                sa.select(OutboundMessage).where(OutboundMessage.dedupe_key.in_(keys))
            )
        }
        if keys
        else {}
    )
    rows = []
    for s in found:
        message = reminders.get(f"hsb-session-{s.id}-reminder")
        if message is None:
            words = "No reminder (none could be sent in time, or no email address)"
        elif message.status == "queued":
            words = f"Reminder due {describe_when(message.send_after)}"
        elif message.status == "not_sent":
            words = "Reminder withdrawn"
        elif message.status in ("sent", "delivered"):
            words = "Reminder sent"
        else:
            words = f"Reminder {message.status.replace('_', ' ')}"
        rows.append((s, words))
    return rows


def get_session(session, session_id: int, viewer, *, origin: Origin, now: datetime):
    """One session, for its page; NotFound when missing or refused."""
    booked = session.get(AdviceSession, session_id)
    may_use_advice_line(session, viewer, origin, now, booked.contact_id if booked else None)
    if booked is None:
        raise NotFound(session_id)
    return booked
