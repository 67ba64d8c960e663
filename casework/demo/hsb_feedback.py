"""Demonstration feedback from professionals on the HSB advice line: two contacts with advice
recorded, each emailed a feedback link and answering it (one pleased and more confident; one
dissatisfied, so a D12 follow-up waits for the team leader), and the line's charge per contact
set to a plausible figure for the monthly monitoring. Made through the real services; run twice,
it adds nothing more."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from casework.audit import Origin
from casework.hsb.contacts import Professional, create_contact, line_settings
from casework.hsb.feedback import FeedbackAnswers, answer_feedback, request_feedback
from casework.hsb.models import AdviceContact

ORIGIN = Origin.command_line("demo")
CHARGE_PENCE = 4500  # £45 a contact
PLEASED = "jo.demo.dsl@school.example"
UNHAPPY = "lee.demo.dsl@college.example"


def _advised_contact(
    session, *, email, name, organisation, received_at, before, calendar, **advice
):
    contact = create_contact(
        session,
        channel="telephone",
        received_at=received_at,
        calendar=calendar,
        now=received_at,
        origin=ORIGIN,
        professional=Professional(
            professional_name=name,
            professional_role="Designated safeguarding lead",
            setting_type=advice.pop("setting_type"),
            organisation=organisation,
            local_authority=advice.pop("local_authority"),
            region=advice.pop("region"),
            email=email,
            phone=None,
        ),
        call_outcome="answered",
        started_at=received_at,
        ended_at=received_at + timedelta(minutes=18),
        request_text="Advice about behaviour between two pupils (no names given).",
        confidence_before=before,
    )
    contact.advised_at = received_at + timedelta(minutes=18)
    contact.status = "closed"
    for key, value in advice.items():
        setattr(contact, key, value)
    session.commit()
    return contact


def seed_demo_hsb_feedback(session, now: datetime, calendar) -> str:
    """Two answered feedbacks (one negative, its D12 follow-up waiting) and the charge per
    contact, once; a one-line summary of what was added. ``calendar``: the line's
    (``scheduling.service_calendars.hsb_calendar``; casework never imports the scheduler)."""
    if session.scalar(sa.select(AdviceContact.id).where(AdviceContact.email == PLEASED)):
        return "HSB feedback: already seeded"
    received = (now - timedelta(days=10)).replace(hour=10, minute=30, second=0, microsecond=0)
    while not calendar.is_open_at(received):
        received -= timedelta(days=1)
    pleased = _advised_contact(
        session,
        email=PLEASED,
        name="Jo Demo",
        organisation="Braunstone Primary School",
        received_at=received,
        before=(2, 2),
        calendar=calendar,
        setting_type="primary",
        local_authority="Leicester",
        region="east_midlands",
        kind="case_advice",
        child_age=7,
        incident_setting="primary",
        what_happened="Repeated sexualised language in the playground.",
        traffic_light="amber",
        continuum="inappropriate",
        concern_tags=["peer_on_peer"],
        advice_given="Talk with the parents; a plan for supervision at play times.",
        outcome="advice_given",
    )
    unhappy = _advised_contact(
        session,
        email=UNHAPPY,
        name="Lee Demo",
        organisation="Soar Valley College",
        received_at=received + timedelta(hours=2),
        before=(3, 4),
        calendar=calendar,
        setting_type="college",
        local_authority="Leicestershire",
        region="east_midlands",
        kind="case_advice",
        child_age=16,
        incident_setting="college",
        what_happened="An image shared in a group chat.",
        traffic_light="red",
        continuum="abusive",
        risk_of_significant_harm=True,
        refer_to="childrens_social_care",
        concern_tags=["online", "image_sharing"],
        advice_given="Refer to children's social care today; do not view the image.",
        outcome="advice_given",
    )
    answers = (
        (pleased, FeedbackAnswers(4, 4, 5, "Clear, practical advice. Thank you."), 2 * 24),
        (unhappy, FeedbackAnswers(3, 3, 2, "I waited a long time for a call back."), 3),
    )
    for contact, answer, hours_ago in answers:
        answered = now - timedelta(hours=hours_ago)
        _, link = request_feedback(
            session,
            contact.id,
            actor=None,
            origin=ORIGIN,
            now=answered - timedelta(hours=6),
            base_url="http://demo.invalid",
        )
        answer_feedback(
            session,
            link.rsplit("/", 1)[1],
            answer,
            calendar=calendar,
            origin=ORIGIN,
            now=answered,
        )
    settings = line_settings(session)
    if not settings.charge_per_contact_pence:
        settings.charge_per_contact_pence = CHARGE_PENCE
        settings.updated_at = now
    session.commit()
    return "HSB feedback: 2 answered (1 negative, its D12 follow-up waiting); charge £45 a contact"
