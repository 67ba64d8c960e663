"""SMS reminders of booked appointments (a needs assessment, a home visit, a web chat), the
service day before, to people who may be texted."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casework.messages import outbox
from casework.messages.safe_contact import person_safe_details, plan_message
from casework.obligations.models import Obligation

APPOINTMENTS = {
    "needs_assessment": "needs assessment",
    "home_visit": "home visit",
    "home_visit_second": "home visit",
    "web_chat": "secure web chat",
}


# Asked every minute, so built once: building a statement costs more than running it.
_BOOKED_BETWEEN = (
    sa.select(Obligation)
    .where(
        Obligation.booked_at.is_not(None),
        Obligation.booked_at > sa.bindparam("now"),
        Obligation.booked_at >= sa.bindparam("tomorrow"),
        Obligation.booked_at < sa.bindparam("horizon"),
        Obligation.status == "due",
        Obligation.kind.in_(APPOINTMENTS),
    )
    .options(selectinload(Obligation.referral), selectinload(Obligation.case))
)


def queue_reminders(session, *, wording, calendar, now: datetime) -> int:
    """SMS reminders of booked appointments, sent the day before inside service hours (or on
    the last service day before it), to people who may be texted and have not opted out, at
    the next moment that day inside their safe times (read from the person)."""
    if not calendar.is_open_at(now):
        return 0
    today = calendar.local_date(now)
    # Reminders go on the last service day before the appointment, so today's are for
    # appointments from tomorrow up to the end of the next service day: one indexed range.
    tomorrow = datetime.combine(today + timedelta(days=1), time(0), tzinfo=calendar.tz)
    until = datetime.combine(
        calendar.next_service_day(today) + timedelta(days=1), time(0), tzinfo=calendar.tz
    )
    horizon = min(now + timedelta(days=8), until)
    rows = session.scalars(
        _BOOKED_BETWEEN, {"now": now, "tomorrow": tomorrow, "horizon": horizon}
    ).all()
    queued = 0
    for obligation in rows:
        referral = obligation.referral
        case = obligation.case
        person = case.person if case is not None else referral.person
        appointment_day = calendar.local_date(obligation.booked_at)
        last_day_before = appointment_day - timedelta(days=1)
        while not calendar.is_service_day(last_day_before) and last_day_before > today:
            last_day_before -= timedelta(days=1)
        if today != last_day_before:
            continue
        still_open = case.status == "open" if case is not None else referral.status == "open"
        if not still_open:
            continue
        details = person_safe_details(session, person, referral)
        # A reminder is a text or nothing: never a letter in its place.
        plan = plan_message(
            session,
            details,
            "sms",
            chosen=True,
            calendar=calendar,
            now=now,
            fall_back_to_post=False,
        )
        if plan.status != "queued":
            continue
        # It must go before the appointment: today, inside their safe times, or not at all.
        if calendar.local_date(plan.send_after) != today or plan.send_after >= obligation.booked_at:
            continue
        when = obligation.booked_at.astimezone(calendar.tz)
        reference = case.reference if case is not None else referral.reference
        body = wording.sms(
            "reminder",
            appointment=APPOINTMENTS[obligation.kind],
            when=f"{when:%A %-d %B at %H:%M}",
            reference=reference,
        )
        queued += outbox.queue_message(
            session,
            dedupe_key=f"reminder:{obligation.id}:{obligation.booked_at.isoformat()}",
            kind="reminder",
            channel="sms",
            recipient=plan.recipient,
            body=body,
            now=now,
            send_after=plan.send_after,
            referral_id=referral.id if referral is not None else None,
            case_id=case.id if case is not None else None,
        )
        session.commit()
    return queued
