"""Factories for the HSB report, feedback and retention tests: advice contacts made through the
real create_contact, with the advice fields another feature records set on the row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app

from casework.audit import Origin
from casework.db import db
from casework.hsb.contacts import Professional, create_contact
from scheduling.service_calendars import hsb_calendar

ORIGIN = Origin.command_line("test")


def make_contact(
    channel: str = "telephone",
    received_at: datetime | None = None,
    *,
    call_outcome: str | None = None,
    duration: timedelta | None = None,
    advised: bool = False,
    confidence_before: tuple[int | None, int | None] = (None, None),
    email: str | None = "dsl@school.example",
    phone: str | None = "+447700900123",
    name: str = "Priya Shah",
    **advice,
):
    """A contact received at ``received_at`` by ``channel``; an answered call lasting
    ``duration``; with the advice recorded when ``advised`` (``advice`` sets any other field)."""
    received_at = received_at or datetime(2026, 11, 18, 10, tzinfo=UTC)
    if channel == "telephone" and call_outcome is None:
        call_outcome = "answered"
    contact = create_contact(
        db.session,
        channel=channel,
        received_at=received_at,
        calendar=hsb_calendar(current_app.config),
        now=received_at,
        origin=ORIGIN,
        professional=Professional(
            professional_name=name,
            professional_role="Designated safeguarding lead",
            setting_type=advice.pop("setting_type", "secondary"),
            organisation="Oakfield Academy",
            local_authority="Leicester",
            region=advice.pop("region", "east_midlands"),
            email=email,
            phone=phone,
        ),
        call_outcome=call_outcome if channel == "telephone" else None,
        started_at=received_at if duration else None,
        ended_at=received_at + duration if duration else None,
        request_text="A pupil shared an image of another pupil",
        confidence_before=confidence_before,
    )
    if advised:
        contact.advised_at = received_at + timedelta(minutes=30)
        contact.kind = advice.pop("kind", "case_advice")
        contact.advice_given = advice.pop("advice_given", "Talk to the DSL network")
        contact.what_happened = advice.pop("what_happened", "Image shared in a group chat")
    for key, value in advice.items():
        setattr(contact, key, value)
    db.session.commit()
    return contact
