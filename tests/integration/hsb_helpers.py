"""Shared helpers for the HSB advice line's resource, session and evidence tests."""

from __future__ import annotations

from datetime import UTC, datetime

from casework.audit import Origin
from casework.db import db, utcnow
from casework.hsb.contacts import Professional, create_contact
from casework.hsb.models import AdviceResource
from scheduling.service_calendars import hsb_calendar
from tests.conftest import csrf_token


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


def callback_form(client, contact_id, **fields):
    """Post the contact page's callback form (spoke, 09:55 on 23 November 2026, a note), with
    ``fields`` changed; the version is read from the page, as a browser would send it."""
    path = f"/advice-line/contacts/{contact_id}"
    page = client.get(path).get_data(as_text=True)
    version = page.split('name="callback-version" type="hidden" value="')[1].split('"')[0]
    data = {
        "callback-version": version,
        "callback-made_day": ["23", "11", "2026"],
        "callback-made_at": "09:55",
        "callback-result": "spoke",
        "callback-note": "Talked through the traffic light tool.",
        "csrf_token": csrf_token(client, path),
    }
    data.update({f"callback-{k}": v for k, v in fields.items()})
    return client.post(f"{path}/callbacks", data=data)
