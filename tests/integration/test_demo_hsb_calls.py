"""The demo's advice line calls: made once, through the real services, with their callbacks."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.demo.hsb_calls import seed_demo_hsb_calls
from casework.hsb.callbacks import open_callback
from casework.hsb.models import AdviceContact
from casework.staff.models import Staff
from scheduling.calendar import HSB_LINE_HOURS, Calendar

LINE = Calendar(hours=HSB_LINE_HOURS)


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 23, 15, tzinfo=UTC),  # Monday afternoon, open
        datetime(2026, 11, 28, 11, tzinfo=UTC),  # Saturday, closed
        datetime(2026, 11, 24, 8, 10, tzinfo=UTC),  # just after opening
    ],
)
def test_the_demo_calls(app, create_staff_record, now):
    advisor = create_staff_record("hsb_advisor", email="hsb.advisor@waypoint.example")
    summary = seed_demo_hsb_calls(db.session, now, calendar=LINE)
    assert summary.startswith("HSB calls: 4 calls")
    assert seed_demo_hsb_calls(db.session, now, calendar=LINE) == "HSB calls: already made"
    db.session.rollback()
    assert db.session.get(Staff, advisor.id).phone == "+447700900461"
    answered, missed, voicemail, overdue = db.session.scalars(
        sa.select(AdviceContact).order_by(AdviceContact.id)
    ).all()
    assert answered.call_outcome == "answered" and open_callback(answered) is None
    assert answered.advisor_id == advisor.id and answered.ended_at > answered.started_at
    assert missed.call_outcome == "missed" and open_callback(missed).due_at > now
    assert voicemail.out_of_hours and voicemail.call_outcome == "voicemail"
    assert len(voicemail.obligations) == 1
    assert open_callback(overdue).due_at < now
    for contact in (answered, missed, voicemail, overdue):
        assert contact.received_at <= now
