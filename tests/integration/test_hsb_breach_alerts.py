"""A callback the HSB line missed (D8) is told to the line's team leaders, with a link to the
contact; the victim service's team leaders are not told about the line's contacts."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casework.audit import Origin
from casework.db import db
from casework.hsb.contacts import Professional, create_contact
from casework.messages.models import OutboundMessage
from casework.obligations.models import Obligation
from scheduling import sweeps
from scheduling.service_calendars import hsb_calendar
from scheduling.sweeps import context

# Friday 20 November 2026, 19:30 London (GMT): a missed call half an hour before the close, so
# its callback is due four line-hours later, at 11:30 on Monday.
MISSED_AT = datetime(2026, 11, 20, 19, 30, tzinfo=UTC)


@pytest.fixture
def app_overrides(messaging):
    return messaging


def test_a_missed_callback_alerts_the_hsb_team_leaders_only(
    app, create_team_record, create_staff_record
):
    hsb, victim = create_team_record(service="hsb"), create_team_record(service="victim")
    hsb_leader = create_staff_record("team_leader", team=hsb, email="lead@hsb.test")
    create_staff_record("team_leader", team=victim, email="lead@victim.test")
    contact = create_contact(
        db.session,
        channel="telephone",
        call_outcome="missed",
        received_at=MISSED_AT,
        calendar=hsb_calendar(app.config),
        now=MISSED_AT,
        origin=Origin.command_line("test"),
        professional=Professional(phone="+447700900123"),
    )
    db.session.commit()
    callback = db.session.scalars(sa.select(Obligation)).one()
    assert callback.kind == "callback"
    assert callback.due_at == datetime(2026, 11, 23, 11, 30, tzinfo=UTC)

    assert (
        sweeps.mark_breaches(
            db.session, context(app.config), now=datetime(2026, 11, 23, 11, 31, tzinfo=UTC)
        )
        == 1
    )
    alerts = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.kind == "breach_alert")
    ).all()
    assert [a.recipient for a in alerts] == [hsb_leader.email]
    assert f"/advice-line/contacts/{contact.id}" in alerts[0].body
    assert "+447700900123" not in alerts[0].body and "None" not in alerts[0].body
