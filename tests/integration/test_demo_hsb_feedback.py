"""The demo's professionals' feedback: two answered, one negative with its D12 follow-up
waiting, and the charge per contact; run twice, nothing more is added."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.demo.hsb_feedback import seed_demo_hsb_feedback
from casework.hsb.contacts import line_settings
from casework.hsb.models import AdviceFeedback
from casework.obligations.models import Obligation
from scheduling.service_calendars import hsb_calendar


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 11, 23, 11, tzinfo=UTC), datetime(2026, 12, 27, 9, tzinfo=UTC)],  # a Sunday
)
def test_demo_feedback_is_seeded_once(app, now):
    summary = seed_demo_hsb_feedback(db.session, now, hsb_calendar(app.config))
    assert "2 answered (1 negative" in summary
    assert (
        seed_demo_hsb_feedback(db.session, now, hsb_calendar(app.config))
        == "HSB feedback: already seeded"
    )
    feedbacks = list(db.session.scalars(sa.select(AdviceFeedback).order_by(AdviceFeedback.id)))
    assert [f.negative for f in feedbacks] == [False, True]
    assert all(f.answered_at is not None for f in feedbacks)
    waiting = db.session.scalar(
        sa.select(Obligation).where(Obligation.kind == "feedback_follow_up")
    )
    assert waiting.status == "due" and waiting.due_at > now
    assert line_settings(db.session).charge_per_contact_pence == 4500
