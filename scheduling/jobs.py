"""The scheduler's sweeps. Each is short, idempotent and safe to run twice, late or at once.

The database holds the truth: every obligation is a row with its ``due_at``, every message a
row with a unique key. A sweep reads what is due as of ``now`` and acts; a missed run is caught
up by the next, and a repeated or concurrent one finds the work already done.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casework.audit import Origin
from casework.contact.models import ContactAttempt
from casework.messages import outbox
from casework.messages.models import LetterTemplate, OutboundMessage
from casework.messages.opt_outs import is_opted_out
from casework.obligations import lifecycle
from casework.obligations.models import Obligation
from casework.people.matching import MATCH_KEY_LIMIT
from casework.referrals import import_jobs
from casework.referrals.models import Referral
from casework.referrals.police_import import FileError, import_police_download
from casework.staff.models import Staff
from scheduling.messaging.content import DEFAULT_LETTERS, Wording
from scheduling.messaging.senders import SendError

ORIGIN = Origin.command_line("scheduler")
MESSAGE_KINDS = ("initial_message", "home_visit_offer", "final_letter")
APPOINTMENTS = {
    "needs_assessment": "needs assessment",
    "home_visit": "home visit",
    "home_visit_second": "home visit",
    "web_chat": "secure web chat",
}
STUCK_AFTER = timedelta(minutes=15)
BATCH = 500


@dataclass(frozen=True)
class Context:
    """What the sweeps need besides the session: the calendar, the wording and the senders."""

    calendar: object
    wording: Wording
    sms: object
    email: object
    inbox: Path | None = None
    match_key_limit: int = MATCH_KEY_LIMIT
    import_job_stuck: timedelta = timedelta(minutes=30)


def mark_breaches(session, ctx: Context, *, now: datetime) -> int:
    """Mark every obligation whose due time has passed unmet as breached, once, and alert the
    team leaders by email ("dealt with outside timeframes: this should be zero").

    One UPDATE ... RETURNING: concurrent sweeps each get only the rows they changed.
    """
    breached = lifecycle.breach_overdue(session, now)
    if not breached:
        session.commit()
        return 0
    referral_ids = sorted({row.referral_id for row in breached})
    teams, references = {}, {}
    for start in range(0, len(referral_ids), BATCH):
        chunk = referral_ids[start : start + BATCH]
        for rid, reference, team_id in session.execute(
            sa.select(Referral.id, Referral.reference, Staff.team_id)
            .select_from(Referral)
            .outerjoin(Staff, Referral.allocated_to_id == Staff.id)
            .where(Referral.id.in_(chunk))
        ):
            teams[rid], references[rid] = team_id, reference
    leaders = session.execute(
        sa.select(Staff.id, Staff.email, Staff.team_id).where(
            Staff.role == "team_leader", Staff.active.is_(True)
        )
    ).all()
    alerts = []
    for row in breached:
        team = teams.get(row.referral_id)
        for leader in leaders:
            if team is not None and leader.team_id != team:
                continue
            reference = references.get(row.referral_id, "")
            alerts.append(
                {
                    "dedupe_key": f"breach:{row.id}:{leader.id}",
                    "kind": "breach_alert",
                    "channel": "email",
                    "recipient": leader.email,
                    "subject": f"Deadline missed: {reference}",
                    "body": (
                        f"The deadline for '{row.kind.replace('_', ' ')}' on referral "
                        f"{reference} passed at "
                        f"{row.due_at.astimezone(ctx.calendar.tz):%H:%M on %A %-d %B} "
                        f"without being met.\n\nOpen it in Waypoint: /referrals/{row.referral_id}\n"
                    ),
                    "referral_id": row.referral_id,
                    "obligation_id": row.id,
                }
            )
    outbox.queue_messages(session, alerts, now=now, send_after=now)
    session.commit()
    return len(breached)


def _letter_templates(session) -> dict[str, tuple[str, str]]:
    """Each letter's wording: an administrator's edit, or the default."""
    edited = {t.kind: (t.title, t.body) for t in session.scalars(sa.select(LetterTemplate))}
    return {**DEFAULT_LETTERS, **edited}


def _address(referral: Referral) -> str | None:
    if not (referral.address_line_1 and referral.postcode):
        return None
    lines = [
        referral.name,
        referral.address_line_1,
        referral.address_line_2,
        referral.town,
        referral.postcode,
    ]
    return "\n".join(line for line in lines if line)


def _visit_time(referral: Referral, ctx: Context) -> datetime:
    """A specific visit time inside 5 working days: 10:00 on the third working day."""
    day = ctx.calendar.add_working_days(ctx.calendar.local_date(referral.received_at), 3)
    return ctx.calendar.opening_of(day) + timedelta(hours=1)


def queue_contact_messages(session, ctx: Context, *, now: datetime) -> int:
    """Queue the D2 initial message, the D3 home-visit offer and the D1b final letter for
    every open obligation that has none yet, to go inside service hours."""
    has_message = sa.exists().where(OutboundMessage.obligation_id == Obligation.id)
    rows = session.scalars(
        sa.select(Obligation)
        .where(
            # Literal kinds, so SQLite can use the partial index ix_obligation_message_unmet
            # (casework/referral.py lists the same kinds; tests/integration/test_sweep_plans.py).
            Obligation.kind.in_(
                sa.bindparam("message_kinds", MESSAGE_KINDS, expanding=True, literal_execute=True)
            ),
            Obligation.met_at.is_(None),
            Obligation.status.in_(("due", "breached")),
            ~has_message,
        )
        .options(selectinload(Obligation.referral))
        .limit(BATCH)
    ).all()
    send_after = ctx.calendar.next_service_moment(now)
    templates = _letter_templates(session) if rows else {}
    batch: list[dict] = []
    for obligation in rows:
        referral = obligation.referral
        values = {"forename": referral.forename, "reference": referral.reference}
        if obligation.kind == "home_visit_offer":
            visit = _visit_time(referral, ctx)
            values["visit_time"] = f"{visit.astimezone(ctx.calendar.tz):%A %-d %B at %-I%p}"
            for other in referral.obligations:
                if other.kind == "home_visit" and other.booked_at is None:
                    other.booked_at = visit
        if obligation.kind == "final_letter":
            calls = session.scalar(
                sa.select(sa.func.count())
                .select_from(ContactAttempt)
                .where(ContactAttempt.referral_id == referral.id)
            )
            values["attempts"] = f"{calls} time{'s' if calls != 1 else ''}"
        channel, recipient, error = obligation.channel, None, None
        if channel == "sms":
            if referral.safe_to_text is False or is_opted_out(session, referral.mobile_phone):
                channel = "post"
            else:
                recipient = referral.mobile_phone
        if channel == "email":
            recipient = referral.email
        if channel == "post":
            channel, recipient = "letter", _address(referral)
        status = "queued"
        if not recipient:
            status, error = "failed", "no usable contact details for this channel"
            recipient = "-"
        if channel == "sms":
            body, subject = ctx.wording.sms(obligation.kind, **values), None
        elif channel == "email":
            subject, body = ctx.wording.email(obligation.kind, **values)
        else:
            subject, body = ctx.wording.letter(*templates[obligation.kind], **values)
        batch.append(
            {
                "dedupe_key": f"obligation:{obligation.id}",
                "kind": obligation.kind,
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "referral_id": referral.id,
                "obligation_id": obligation.id,
                "status": status,
                "error": error,
            }
        )
    # One insert for the lot; a message another sweep queued meanwhile is skipped by its key.
    outbox.queue_messages(session, batch, now=now, send_after=send_after)
    session.commit()
    return len(batch)


def queue_reminders(session, ctx: Context, *, now: datetime) -> int:
    """SMS reminders of booked appointments, sent the day before inside service hours (or on
    the last service day before it), to people who may be texted and have not opted out."""
    if not ctx.calendar.is_open_at(now):
        return 0
    today = ctx.calendar.local_date(now)
    # Reminders go on the last service day before the appointment, so today's are for
    # appointments from tomorrow up to the end of the next service day: one indexed range.
    tomorrow = datetime.combine(today + timedelta(days=1), time(0), tzinfo=ctx.calendar.tz)
    until = datetime.combine(
        ctx.calendar.next_service_day(today) + timedelta(days=1), time(0), tzinfo=ctx.calendar.tz
    )
    horizon = min(now + timedelta(days=8), until)
    rows = session.scalars(
        sa.select(Obligation)
        .where(
            Obligation.booked_at.is_not(None),
            Obligation.booked_at > now,
            Obligation.booked_at >= tomorrow,
            Obligation.booked_at < horizon,
            Obligation.status == "due",
            Obligation.kind.in_(APPOINTMENTS),
        )
        .options(selectinload(Obligation.referral))
    ).all()
    queued = 0
    for obligation in rows:
        referral = obligation.referral
        appointment_day = ctx.calendar.local_date(obligation.booked_at)
        last_day_before = appointment_day - timedelta(days=1)
        while not ctx.calendar.is_service_day(last_day_before) and last_day_before > today:
            last_day_before -= timedelta(days=1)
        if today != last_day_before:
            continue
        phone = referral.mobile_phone
        if (
            not phone
            or referral.safe_to_text is False
            or referral.status != "open"
            or is_opted_out(session, phone)
        ):
            continue
        when = obligation.booked_at.astimezone(ctx.calendar.tz)
        body = ctx.wording.sms(
            "reminder",
            appointment=APPOINTMENTS[obligation.kind],
            when=f"{when:%A %-d %B at %H:%M}",
            reference=referral.reference,
        )
        queued += outbox.queue_message(
            session,
            dedupe_key=f"reminder:{obligation.id}:{obligation.booked_at.isoformat()}",
            kind="reminder",
            channel="sms",
            recipient=phone,
            body=body,
            now=now,
            send_after=now,
            referral_id=referral.id,
        )
        session.commit()
    return queued


def queue_re_engagement_prompts(session, ctx: Context, *, now: datetime) -> int:
    """On the working day before a court date, sentencing or offender release, prompt the
    caseworker (or, on an unallocated case, the team leaders) to re-engage (D9)."""
    today = ctx.calendar.local_date(now)
    # Only today's prompts: an indexed range of today's due rows, not every future one.
    tomorrow = datetime.combine(today + timedelta(days=1), time(0), tzinfo=ctx.calendar.tz)
    rows = session.execute(
        sa.select(
            Obligation.id,
            Obligation.due_at,
            Referral.id,
            Referral.reference,
            Referral.allocated_to_id,
        )
        .join(Referral, Obligation.referral_id == Referral.id)
        .where(
            Obligation.kind == "re_engagement",
            Obligation.status == "due",
            Obligation.met_at.is_(None),
            Obligation.due_at >= now,
            Obligation.due_at < tomorrow,
        )
    ).all()
    prompts = []
    for obligation_id, due_at, referral_id, reference, allocated_to_id in rows:
        if ctx.calendar.local_date(due_at) != today:
            continue
        staff = session.scalars(
            sa.select(Staff).where(Staff.id == allocated_to_id)
            if allocated_to_id
            else sa.select(Staff).where(Staff.role == "team_leader", Staff.active.is_(True))
        ).all()
        for person in staff:
            prompts.append(
                {
                    "dedupe_key": f"reengage:{obligation_id}:{person.id}",
                    "kind": "re_engagement",
                    "channel": "email",
                    "recipient": person.email,
                    "subject": f"Re-engage before a key date: {reference}",
                    "body": (
                        f"Referral {reference} has a court date, sentencing or offender "
                        f"release coming up. Contact the person today to offer support "
                        f"again.\n\nOpen it in Waypoint: /referrals/{referral_id}\n"
                    ),
                    "referral_id": referral_id,
                    "obligation_id": obligation_id,
                }
            )
    outbox.queue_messages(session, prompts, now=now, send_after=now)
    session.commit()
    return len(prompts)


def dispatch_messages(session, ctx: Context, *, now: datetime) -> dict[str, int]:
    """Send queued SMS and email that are due. Each is claimed first, so however many sweeps
    run at once, each message is sent by exactly one of them."""
    ids = session.scalars(
        sa.select(OutboundMessage.id)
        .where(
            OutboundMessage.status == "queued",
            OutboundMessage.channel.in_(("sms", "email")),
            OutboundMessage.next_attempt_at <= now,
            OutboundMessage.send_after <= now,
        )
        .order_by(OutboundMessage.id)
        .limit(BATCH)
    ).all()
    session.commit()
    done = {"sent": 0, "failed": 0, "retrying": 0}
    session.expunge_all()  # read each claimed message afresh, as the claim left it
    for message_id in outbox.claim_many(session, list(ids), now):
        message = session.get(OutboundMessage, message_id)
        try:
            if message.channel == "sms":
                if is_opted_out(session, message.recipient):
                    raise SendError("the number has opted out of texts (STOP)", retry=False)
                provider_id = ctx.sms.send(message.recipient, message.body)
            else:
                provider_id = ctx.email.send(message.recipient, message.subject or "", message.body)
        except SendError as exc:
            outbox.record_failure(session, message, str(exc), now, retry=exc.retry)
            done["retrying" if message.status == "queued" else "failed"] += 1
        else:
            outbox.record_sent(session, message, provider_id, now)
            _meet(session, message, now)
            done["sent"] += 1
        session.commit()
    return done


def _meet(session, message: OutboundMessage, now: datetime) -> None:
    """A sent initial message or home-visit offer, or a posted letter, meets its obligation."""
    if message.obligation_id is None or message.kind in ("breach_alert", "re_engagement"):
        return
    lifecycle.meet_by_id(session, message.obligation_id, message.referral_id, now)


def flag_stuck_messages(session, *, now: datetime) -> int:
    """A message left 'sending' by a crashed sender may or may not have gone: never resend it
    automatically; mark it failed with an explanation so staff can check."""
    changed = session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.status == "sending", OutboundMessage.claimed_at < now - STUCK_AFTER)
        .values(
            status="failed",
            updated_at=now,
            error="sending was interrupted; check with the provider before resending",
        )
    ).rowcount
    session.commit()
    return changed


def import_inbox(session, ctx: Context, *, now: datetime) -> list[dict]:
    """Import police downloads dropped into the inbox folder; archive them, or keep failures
    in failed/ beside a report of why."""
    if ctx.inbox is None or not ctx.inbox.is_dir():
        return []
    results = []
    for path in sorted(ctx.inbox.glob("*.csv")):
        stamp = now.strftime("%Y%m%dT%H%M%S")
        try:
            result = import_police_download(
                session,
                path.read_bytes(),
                filename=path.name,
                received_at=now,
                calendar=ctx.calendar,
                origin=ORIGIN,
                now=now,
                match_key_limit=ctx.match_key_limit,
            )
        except FileError as exc:
            session.rollback()
            target = ctx.inbox / "failed"
            target.mkdir(exist_ok=True)
            shutil.move(str(path), target / f"{stamp}-{path.name}")
            (target / f"{stamp}-{path.name}.json").write_text(json.dumps({"error": str(exc)}))
            results.append({"file": path.name, "error": str(exc)})
            continue
        target = ctx.inbox / "archive"
        target.mkdir(exist_ok=True)
        shutil.move(str(path), target / f"{stamp}-{path.name}")
        (target / f"{stamp}-{path.name}.json").write_text(json.dumps(result.as_json()))
        results.append({"file": path.name, **result.as_json()})
    return results


def import_uploads(session, ctx: Context, *, now: datetime) -> dict:
    """Import the police downloads uploaded through the web page: first fail any job whose
    scheduler died mid-run (safe to retry), then claim the queued jobs one at a time and
    import each file."""
    stuck = import_jobs.fail_stuck_jobs(
        session, now=now, stuck_after=ctx.import_job_stuck, origin=ORIGIN
    )
    up_to = import_jobs.last_queued_id(session)
    done = []
    while up_to is not None:
        job = import_jobs.claim_next_job(session, now=now, up_to=up_to)
        if job is None:
            break
        done.append(
            import_jobs.run_import_job(
                session,
                job,
                calendar=ctx.calendar,
                now=now,
                match_key_limit=ctx.match_key_limit,
            )
        )
    return {"stuck": stuck, "jobs": done}
