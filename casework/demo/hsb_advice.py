"""Demonstration advice contacts on the HSB line: web-form and email contacts from safeguarding
professionals with the advice recorded (one red with a referral to children's social care
advised, one policy advice, one tagged radicalisation), made through the real services. No
child is named: children appear only by age and setting. Emails use the reserved example.org
domain and phone numbers Ofcom's drama ranges."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from casework.audit import Origin
from casework.hsb.advice import AdviceAnswers, record_advice
from casework.hsb.intake import ProfessionalAnswers, log_contact, submit_request
from casework.hsb.models import AdviceContact
from casework.staff.models import Staff

ORIGIN = Origin.command_line("demo")
ADVISOR = "hsb.advisor@waypoint.example"

CONTACTS = (
    {
        "channel": "web_form",
        "days_ago": 6,
        "who": ProfessionalAnswers(
            name="Jo Whitfield",
            role="Designated safeguarding lead",
            setting_type="primary",
            organisation="Hollybank Primary School",
            local_authority="Leicester City",
            region="east_midlands",
            email="jo.whitfield@hollybank.example.org",
            phone="0116 496 0412",
        ),
        "asked": "A 10-year-old has been using force to touch younger pupils at lunchtime. "
        "What should we do today?",
        "about": "case_advice",
        "confidence": (2, 2),
        "advice": AdviceAnswers(
            kind="case_advice",
            child_age=10,
            incident_setting="primary",
            what_happened="Repeated touching of younger pupils using force, at lunchtime, "
            "after being told to stop.",
            traffic_light="red",
            continuum="abusive",
            risk_of_significant_harm=True,
            meets_threshold="yes",
            concern_tags=("peer_on_peer",),
            refer_to="childrens_social_care",
            advice_given="Follow the school's safeguarding procedures today; refer to "
            "children's social care; safety plan for the pupils harmed; record every incident.",
            outcome="advice_given",
        ),
    },
    {
        "channel": "email",
        "days_ago": 4,
        "who": ProfessionalAnswers(
            name="Amir Qureshi",
            role="Deputy headteacher",
            setting_type="secondary",
            organisation="Riverside Academy",
            local_authority="Nottinghamshire",
            region="east_midlands",
            email="a.qureshi@riverside.example.org",
        ),
        "asked": "We are reviewing our HSB policy and staff training. Can you advise on a "
        "whole-school approach?",
        "confidence": (3, 2),
        "advice": AdviceAnswers(
            kind="policy_advice",
            policy_topics=("whole_school", "policy", "staff_training"),
            advice_given="Talked through a whole-school approach: a clear policy, recording, "
            "staff training on the traffic light, and RSHE that covers consent.",
            outcome="advice_given",
        ),
    },
    {
        "channel": "web_form",
        "days_ago": 2,
        "who": ProfessionalAnswers(
            name="Dani Okoro",
            role="Social worker",
            setting_type="social_work",
            organisation="Birmingham Children's Trust",
            local_authority="Birmingham",
            region="west_midlands",
            phone="07700 900517",
        ),
        "asked": "A 15-year-old boy is sharing extreme misogynistic content online and "
        "pressuring girls for images.",
        "about": "case_advice",
        "confidence": (3, 3),
        "advice": AdviceAnswers(
            kind="case_advice",
            child_age=15,
            incident_setting="secondary",
            what_happened="Sharing extreme misogynistic content online and pressuring girls in "
            "his year for images.",
            traffic_light="amber",
            continuum="problematic",
            risk_of_significant_harm=False,
            meets_threshold="unsure",
            concern_tags=("online", "image_sharing", "radicalisation"),
            ideology="mixed",
            influencer="primarily_online",
            advice_given="Discuss with the Prevent lead; work on healthy relationships and "
            "online influences; support for the girls; review in two weeks.",
        ),
    },
)


LONDON = ZoneInfo("Europe/London")


def _received(now: datetime, days_ago: int, calendar) -> datetime:
    """10:30 UK time on the line's open day ``days_ago`` days before ``now``'s (or the one
    before: never a weekend or bank holiday)."""
    day = now.astimezone(LONDON).date() - timedelta(days=days_ago)
    while not calendar.is_open_at(at := datetime.combine(day, time(10, 30), tzinfo=LONDON)):
        day -= timedelta(days=1)
    return at.astimezone(now.tzinfo)


def seed_demo_hsb_advice(session, now: datetime, *, calendar) -> str:
    """``demo seed``'s advice contacts with their advice, once; a one-line summary. The
    contacts arrive at 10:30 on recent weekdays, inside the line's hours."""
    if session.scalar(
        sa.select(sa.func.count())
        .select_from(AdviceContact)
        .where(AdviceContact.organisation == CONTACTS[0]["who"].organisation)
    ):
        return "HSB advice contacts: already seeded"
    advisor = session.scalar(sa.select(Staff).where(Staff.email == ADVISOR))
    if advisor is None:
        return "HSB advice contacts: no demo advisor, none seeded"
    made = 0
    for spec in CONTACTS:
        received = _received(now, spec["days_ago"], calendar)
        if spec["channel"] == "web_form":
            contact = submit_request(
                session,
                answers=spec["who"],
                request_text=spec["asked"],
                about=spec["about"],
                confidence=spec["confidence"],
                calendar=calendar,
                now=received,
                origin=ORIGIN,
            )
        else:
            contact = log_contact(
                session,
                channel="email",
                received_at=received,
                started_at=None,
                ended_at=None,
                replied_at=received + timedelta(minutes=40),
                answers=spec["who"],
                request_text=spec["asked"],
                confidence=spec["confidence"],
                calendar=calendar,
                actor=advisor,
                origin=ORIGIN,
                now=received + timedelta(hours=1),
            )
        record_advice(
            session,
            contact.id,
            answers=spec["advice"],
            expected_version=contact.version,
            actor=advisor,
            origin=ORIGIN,
            now=received + timedelta(hours=2),
        )
        made += 1
    return f"HSB advice contacts: {made} with advice (one red with a referral advised)"
