"""The demonstration data `make run` seeds: teams, staff with fresh passwords, and synthetic
referrals from all three routes. Never real people."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from casework.audit import Origin
from casework.staff.accounts import StaffDetails, create_staff, create_team, set_password
from casework.staff.models import ROLES, Staff, Team

DEMO_PARTNER_KEY = "demo-partner-0001"


DEMO_TEAMS = [
    ("City victim team", "victim"),
    ("County victim team", "victim"),
    ("HSB advice line", "hsb"),
]


DEMO_STAFF = [
    ("admin@waypoint.example", "Alex Admin", "admin", None, (), None),
    (
        "lead.city@waypoint.example",
        "Tara Leader",
        "team_leader",
        "City victim team",
        (),
        "Leicester East",
    ),
    (
        "lead.county@waypoint.example",
        "Graham Leader",
        "team_leader",
        "County victim team",
        (),
        "Charnwood",
    ),
    (
        "sam.caseworker@waypoint.example",
        "Sam Okafor",
        "caseworker",
        "City victim team",
        ("children_young_people", "hate_crime"),
        "Leicester East",
    ),
    (
        "jo.caseworker@waypoint.example",
        "Jo Patel",
        "caseworker",
        "City victim team",
        # Restorative justice too: a sensitive request's facilitator must hold the specialism.
        ("domestic_abuse", "sexual_violence", "restorative_justice"),
        "Leicester West",
    ),
    (
        "chris.caseworker@waypoint.example",
        "Chris Lowe",
        "caseworker",
        "County victim team",
        ("restorative_justice",),
        "Charnwood",
    ),
    (
        "dee.caseworker@waypoint.example",
        "Dee Marsh",
        "caseworker",
        "County victim team",
        ("children_young_people", "bereaved"),
        "Rutland",
    ),
    ("hsb.advisor@waypoint.example", "Hana Advisor", "hsb_advisor", "HSB advice line", (), None),
    ("hsb.lead@waypoint.example", "Harriet Lowe", "team_leader", "HSB advice line", (), None),
    ("analyst@waypoint.example", "Ravi Analyst", "analyst", None, (), None),
    ("val.volunteer@waypoint.example", "Val Okoro", "volunteer", "City victim team", (), None),
]


def seed_demo_staff(session, now: datetime) -> list[tuple[str, str, str]]:
    """The demo teams and staff, added once; every account gets a fresh password, returned as
    (role, email, password) rows for the operator to read."""
    origin = Origin.command_line("demo seed")
    for name, service in DEMO_TEAMS:
        if not session.scalar(sa.select(Team.id).where(Team.name == name)):
            create_team(session, name=name, service=service, actor=None, origin=origin, now=now)
    teams = {t.name: t.id for t in session.scalars(sa.select(Team))}
    rows = []
    for email, name, role, team, specialisms, npa in DEMO_STAFF:
        password = "demo-" + secrets.token_urlsafe(9)
        staff = session.scalar(sa.select(Staff).where(Staff.email == email))
        if staff is None:
            details = StaffDetails(
                email=email,
                name=name,
                role=role,
                team_id=teams.get(team),
                specialisms=specialisms,
                npa=npa,
            )
            create_staff(session, details, password=password, actor=None, origin=origin, now=now)
        else:
            set_password(session, staff.id, password, actor=None, origin=origin, now=now)
        rows.append((ROLES[role], email, password))
    seed_demo_vetting(session, now)
    return rows


# Demo staff whose vetting expires soon (days from the seed), so "Vetting due to expire" shows
# something; everyone else's is received for years.
DEMO_EXPIRING = {"chris.caseworker@waypoint.example": 25, "hsb.advisor@waypoint.example": 45}


def seed_demo_vetting(session, now: datetime) -> None:
    """Police vetting of each role's level and an enhanced DBS check for every demo account
    without any (through the real services), so the demo allocates (spec 12)."""
    from casework.staff.vetting import get_vetting, local_today
    from casework.staff.vetting_records import (
        record_dbs_check,
        record_induction,
        record_police_vetting,
    )
    from triage.vetting import required_nppv

    origin = Origin.command_line("demo seed")
    today = local_today(now)
    for email, *_ in DEMO_STAFF:
        staff = session.scalar(sa.select(Staff).where(Staff.email == email))
        if staff is None or get_vetting(session, staff.id) is not None:
            continue
        expires = today + timedelta(days=DEMO_EXPIRING.get(email, 3 * 365))
        common = {"actor": None, "origin": origin, "now": now}
        record_police_vetting(
            session,
            staff.id,
            level=required_nppv(staff.role),
            granted_on=expires - timedelta(days=5 * 365),
            expires_on=expires,
            version=0,
            **common,
        )
        record_dbs_check(
            session,
            staff.id,
            level="enhanced_barred",
            issued_on=today - timedelta(days=200),
            certificate_last4=None,
            recheck_on=today + timedelta(days=3 * 365 - 200),
            version=1,
            **common,
        )
        record_induction(
            session, staff.id, completed_on=today - timedelta(days=190), version=2, **common
        )


def seed_demo_referrals(session, calendar, now: datetime) -> dict[str, int]:
    """Referrals from all three routes, once: a police download, self and partner referrals."""
    from casework.demo.generator import police_csv
    from casework.referrals.models import Referral
    from casework.referrals.partner_referral import ReferrerDetails, submit_partner_referral
    from casework.referrals.police_import import import_police_download
    from casework.referrals.self_referral import submit_self_referral
    from casework.referrals.victim_details import VictimDetails
    from triage.deadlines import webchat_slots

    if session.scalar(sa.select(sa.func.count()).select_from(Referral)):
        return {}
    origin = Origin.command_line("demo seed")
    received = now - timedelta(hours=3)
    result = import_police_download(
        session,
        police_csv(40, received_on=received.date()).encode(),
        filename="demo.csv",
        received_at=received,
        calendar=calendar,
        origin=origin,
        now=now,
    )
    people = [
        VictimDetails(
            "Sunita",
            "Demo",
            "MOBILE_PHONE",
            phone="07700 900201",
            safe_to_voicemail=False,
            safe_to_text=True,
            safe_times="Only while he is at work",
            safe_days="weekdays",
            safe_from="09:00",
            safe_until="12:00",
            safe_to_email=False,
            safe_to_post=False,
            concerns=("DOMESTIC_ABUSE",),
            account="My ex keeps messaging me.",
        ),
        VictimDetails(
            "Kai",
            "Demo",
            "EMAIL",
            email="kai.demo@example.org",
            date_of_birth=date(now.year - 15, 4, 1),
            safe_to_voicemail=True,
            safe_to_text=True,
            safe_to_email=True,
            account="Someone at school took my phone.",
        ),
        VictimDetails(
            "Marjorie",
            "Demo",
            "POST",
            address_line_1="4 Demo Street",
            town="Leicester",
            postcode="LE2 1AA",
            safe_to_voicemail=True,
            safe_to_text=False,
            safe_to_post=True,
            account="A man pretending to be from the bank.",
        ),
    ]
    chat_slots = webchat_slots(now, calendar)
    for n, person in enumerate(people):
        webchat = chat_slots[2] if n == 0 and len(chat_slots) > 2 else None
        submit_self_referral(
            session,
            person,
            submission_token=f"demo-self-referral-{n:04}",
            webchat_at=webchat,
            calendar=calendar,
            now=now,
            origin=origin,
        )
    referrer = ReferrerDetails(
        "Demo Housing Association", "Housing", "Harriet Demo", "harriet.demo@example.org"
    )
    submit_partner_referral(
        session,
        referrer,
        VictimDetails(
            "Peter",
            "Demo",
            "HOME_PHONE",
            phone="0116 496 0555",
            safe_to_voicemail=True,
            safe_to_text=False,
            concerns=("PERSISTENTLY_TARGETED",),
            account="Neighbours keep throwing things at his windows",
        ),
        consent=True,
        dedupe_token=DEMO_PARTNER_KEY,
        calendar=calendar,
        now=now,
        origin=origin,
    )
    cases = seed_demo_cases(session, calendar, now)
    seed_demo_message_templates(session, now)
    return {"police": result.imported, "self": len(people), "partner": 1, "cases": cases}


DEMO_MESSAGE_TEMPLATES = (
    (
        "Checking in",
        "sms",
        "",
        "Hello {forename}, it is {caseworker} from the victim service. I will call you at the "
        "time we agreed. Reply STOP to stop texts.",
    ),
    (
        "Your support plan",
        "email",
        "Your support from the victim service ({reference})",
        "Dear {forename},\n\nThank you for talking with me. I will be in touch about your "
        "support plan soon.\n\n{caseworker}\nVictim service",
    ),
)


def seed_demo_message_templates(session, now: datetime) -> None:
    """A text and an email template for staff to send from a case, through the real service."""
    from casework.messages.message_templates import save_template

    origin = Origin.command_line("demo seed")
    for name, channel, subject, body in DEMO_MESSAGE_TEMPLATES:
        save_template(
            session,
            None,
            name=name,
            channel=channel,
            subject=subject,
            body=body,
            version=None,
            actor=None,
            origin=origin,
            now=now,
        )


def seed_demo_cases(session, calendar, now: datetime) -> int:
    """Demo people in support: the City team leader allocates a police referral each to Sam
    and Jo, who call, speak to the person and book a needs assessment (further support),
    through the same services the pages call; then more cases at each stage of support
    (casework.demo.journeys)."""
    from casework.contact.recording import record_attempt, record_conversation
    from casework.referrals.decisions import allocate
    from casework.referrals.models import Referral
    from casework.staff.models import Staff
    from triage.contact import needs_assessment_due

    origin = Origin.command_line("demo seed")
    by_email = {
        s.email: s
        for s in session.scalars(
            sa.select(Staff).where(
                Staff.email.in_(
                    [
                        "lead.city@waypoint.example",
                        "sam.caseworker@waypoint.example",
                        "jo.caseworker@waypoint.example",
                    ]
                )
            )
        )
    }
    leader = by_email.get("lead.city@waypoint.example")
    workers = [
        by_email.get(e)
        for e in ("sam.caseworker@waypoint.example", "jo.caseworker@waypoint.example")
    ]
    if leader is None or None in workers:
        return 0
    from casework.demo.journeys import STAGES, seed_demo_journeys

    adult_on = calendar.local_date(now).replace(year=calendar.local_date(now).year - 19, day=1)
    phoned = session.scalars(
        sa.select(Referral.id)
        .where(
            Referral.source == "police",
            Referral.contact_method == "MOBILE_PHONE",
            Referral.contact_unusable.is_(False),
            sa.or_(Referral.date_of_birth.is_(None), Referral.date_of_birth < adult_on),
        )
        .order_by(Referral.id)
        .limit(len(workers) + len(STAGES))
    ).all()
    phoned, later = phoned[: len(workers)], phoned[len(workers) :]
    spoke_at = now - timedelta(minutes=30)
    day = calendar.local_date(now) + timedelta(days=1)
    day += timedelta(days=1 if day.weekday() == 6 else 0)  # not a Sunday: the service is closed
    booked = min(
        datetime.combine(day, time(10), tzinfo=calendar.tz),
        needs_assessment_due(calendar.local_date(spoke_at), calendar),
    )
    for referral_id, worker in zip(phoned, workers, strict=False):
        allocate(session, referral_id, worker.id, actor=leader, origin=origin, now=now)
        record_attempt(
            session,
            referral_id,
            channel="telephone",
            outcome="spoke",
            at=spoke_at,
            notes=None,
            actor=worker,
            origin=origin,
            now=now,
            calendar=calendar,
        )
        record_conversation(
            session,
            referral_id,
            outcome="further_support",
            key_risks="Lives alone; worried the offender knows the address.",
            held_at=spoke_at,
            booked_at=booked,
            passed_to=None,
            actor=worker,
            origin=origin,
            now=now,
            calendar=calendar,
        )
    return len(phoned) + seed_demo_journeys(session, calendar, now, later)
