"""Shared helpers for the HSB advice line's resource, session and evidence tests."""

from __future__ import annotations

from datetime import UTC, datetime

from casework.audit import Origin
from casework.db import db, utcnow
from casework.hsb.contacts import Professional, create_contact
from casework.hsb.models import AdviceResource
from scheduling.service_calendars import hsb_calendar


def make_contact(app, *, email="dsl@school.example", received_at=None, **fields):
    """An advice contact (a telephone call answered), committed."""
    professional = Professional(
        professional_name=fields.pop("name", "Sam Patel"),
        professional_role="Designated safeguarding lead",
        setting_type="secondary",
        organisation="Northfield Academy",
        local_authority=fields.pop("local_authority", "Leeds"),
        region=fields.pop("region", "yorkshire_humber"),
        email=email,
        phone="+447700900123",
    )
    contact = create_contact(
        db.session,
        channel="telephone",
        call_outcome="answered",
        received_at=received_at or datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        calendar=hsb_calendar(app.config),
        now=utcnow(),
        origin=Origin.command_line("test"),
        professional=professional,
    )
    db.session.commit()
    return contact


def make_resource(staff, **fields) -> AdviceResource:
    """A directory entry, committed."""
    now = utcnow()
    resource = AdviceResource(
        title=fields.pop("title", "NSPCC helpline for professionals"),
        url=fields.pop("url", "https://www.nspcc.org.uk/keeping-children-safe/"),
        description=fields.pop("description", "Advice for anyone worried about a child."),
        kind=fields.pop("kind", "contact"),
        audiences=fields.pop("audiences", ["dsl"]),
        topic=fields.pop("topic", "support_services"),
        region=fields.pop("region", None),
        local_authority=fields.pop("local_authority", None),
        hidden=fields.pop("hidden", False),
        hidden_reason=fields.pop("hidden_reason", None),
        created_by_id=staff.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(resource)
    db.session.commit()
    return resource
