"""Demonstration calls to the HSB advice line: the demo advisor's phone (Ofcom's drama range, so
the line rings no real phone), an answered call, a missed call whose callback is still due, a
voicemail left outside the line's hours, and a missed call whose callback is overdue. Made through
the real services; once only. The professionals are invented (example.org addresses)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from casework.audit import Origin
from casework.hsb.contacts import Professional, create_contact
from casework.hsb.models import AdviceContact
from casework.staff.models import Staff

ORIGIN = Origin.command_line("demo")
ADVISOR = "hsb.advisor@waypoint.example"
ADVISOR_PHONE = "+447700900461"
SID = "CAdemo{:026d}"
STEP = timedelta(minutes=15)


def _open_before(calendar, moment: datetime) -> datetime:
    """The latest quarter-hour at or before ``moment`` when the line is open."""
    moment = moment.replace(minute=moment.minute // 15 * 15, second=0, microsecond=0)
    while not calendar.is_open_at(moment):
        moment -= STEP
    return moment


def _closed_before(calendar, moment: datetime) -> datetime:
    """The latest quarter-hour at or before ``moment`` when the line is closed."""
    moment = moment.replace(minute=moment.minute // 15 * 15, second=0, microsecond=0)
    while calendar.is_open_at(moment):
        moment -= STEP
    return moment


def _line_hours_ago(calendar, now: datetime, hours: int) -> datetime:
    """An open moment at least ``hours`` of the line's open time before ``now``."""
    moment = _open_before(calendar, now)
    while calendar.service_hours_between(moment, now) < timedelta(hours=hours):
        moment = _open_before(calendar, moment - STEP)
    return moment


def seed_demo_hsb_calls(session, now: datetime, *, calendar) -> str:
    """``demo seed``'s advice line calls, once; a one-line summary of what was made.
    ``calendar``: the line's (``scheduling.service_calendars.hsb_calendar(config)``)."""
    advisor = session.scalar(sa.select(Staff).where(Staff.email == ADVISOR))
    if advisor is None:
        return "HSB calls: no demo advisor, nothing made"
    if advisor.phone is None:
        advisor.phone = ADVISOR_PHONE
        advisor.updated_at = now
    if session.scalar(sa.select(AdviceContact.id).where(AdviceContact.call_sid == SID.format(1))):
        session.commit()
        return "HSB calls: already made"
    answered_at = _line_hours_ago(calendar, now, 14)
    missed_at = _open_before(calendar, now - timedelta(minutes=30))
    voicemail_at = _closed_before(calendar, now - timedelta(hours=1))
    overdue_at = _line_hours_ago(calendar, now, 6)
    calls = [
        (
            answered_at,
            "answered",
            advisor,
            Professional(
                professional_name="Priya Shah",
                professional_role="Designated safeguarding lead",
                setting_type="secondary",
                organisation="Hillside Academy",
                local_authority="Leeds",
                region="yorkshire_humber",
                email="p.shah@hillside.example.org",
                phone="+447700900123",
            ),
        ),
        (
            missed_at,
            "missed",
            None,
            Professional(
                professional_name="Tom Edwards",
                professional_role="Early years practitioner",
                setting_type="early_years",
                organisation="Little Acorns Nursery",
                region="west_midlands",
                phone="+447700900134",
            ),
        ),
        (voicemail_at, "voicemail", None, Professional(phone="+447700900145")),
        (
            overdue_at,
            "missed",
            None,
            Professional(
                professional_name="Grace Oduya",
                professional_role="Social worker",
                setting_type="social_work",
                local_authority="Nottinghamshire",
                region="east_midlands",
                phone="+441164960156",
            ),
        ),
    ]
    for number, (received_at, outcome, taken_by, who) in enumerate(calls, start=1):
        create_contact(
            session,
            channel="telephone",
            received_at=received_at,
            calendar=calendar,
            now=received_at,
            origin=ORIGIN,
            actor=taken_by,
            professional=who,
            call_outcome=outcome,
            call_sid=SID.format(number),
            started_at=received_at if outcome == "answered" else None,
            ended_at=received_at + timedelta(minutes=18) if outcome == "answered" else None,
        )
    session.commit()
    return (
        f"HSB calls: {len(calls)} calls (answered, missed, out-of-hours voicemail, overdue "
        f"callback); the demo advisor's phone is 07700 900461"
    )
