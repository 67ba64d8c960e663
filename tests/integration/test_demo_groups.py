"""The demo's group sessions and complaints: seeded by ``demo seed`` through the real services,
on the first day of a financial quarter (every session that day) and in the middle of one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

import casework.models  # noqa: F401  (every model, before the support models are configured)
from casework.db import db
from casework.support.models import Complaint, GroupAttendance, GroupSession
from casework.support.monitoring_quarter import quarter_of


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 4, 1, 9, 0, tzinfo=UTC),  # 1 April: quarter 1 starts today
        datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
    ],
)
def test_demo_seed_has_group_sessions_attended_by_a_young_person_and_two_complaints(
    app, runner, moment
):
    with time_machine.travel(moment, tick=False):
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        assert "Demo group sessions and complaints:" in result.output
    db.session.rollback()
    sessions = list(db.session.scalars(sa.select(GroupSession)))
    assert len(sessions) == 4
    today = moment.date()
    held = [s for s in sessions if s.held_on <= today]
    assert len(held) == 3 and all(s.held_on in quarter_of(today) for s in held)
    attended = list(db.session.scalars(sa.select(GroupAttendance).where(GroupAttendance.attended)))
    assert attended and all(a.case.person.forename == "Kai" for a in attended)
    outcomes = sorted(str(c.outcome) for c in db.session.scalars(sa.select(Complaint)))
    assert outcomes == ["None", "upheld"]
    upheld = db.session.scalar(sa.select(Complaint).where(Complaint.outcome == "upheld"))
    assert upheld.action_taken
