"""The demo's onward referrals: made through the real services on demo cases, one or more in
each state, with target-hardening referrals both standard and emergency (the agencies built
here; the demo seed wires in the registry's own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from casework.db import db
from casework.demo.onward import seed_onward
from casework.messages.models import OutboundMessage
from casework.obligations.models import Obligation
from casework.onward.models import ONWARD_STATUSES, OnwardReferral, TargetHardening
from scheduling.service_calendars import victim_calendar
from tests.factories import create_case_for_notes, create_registry_agency
from tests.police import police_row

# Wednesday 25 November 2026, 15:00 GMT; the cases opened 40 days before.
NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)


def test_demo_cases_get_onward_referrals_in_every_state(
    app, create_team_record, create_staff_record
):
    team = create_team_record("City victims")
    leader = create_staff_record("team_leader", team=team)
    workers = [create_staff_record("caseworker", team=team) for _ in range(3)]
    cases = [
        create_case_for_notes(
            caseworker=workers[n % 3],
            team_leader=leader,
            row=police_row(
                crime_reference=f"LC-20261120-07{n:02d}",
                forename=f"Demo{n}",
                surname="Person",
                occurred_on="2026-10-10",
                mobile_phone=f"07700 9001{n:02d}",
            ),
            at=NOW - timedelta(days=40),
        )
        for n in range(6)
    ]
    agencies = {
        provides: create_registry_agency(f"Demo {provides}", provides=provides)
        for provides in ("target_hardening", "mental_health", "sexual_violence", "domestic_abuse")
    }
    agencies["no_isa"] = create_registry_agency("Demo drop-in", isa=False)

    made = seed_onward(
        db.session,
        cases,
        agencies,
        staff=leader,
        now=NOW,
        calendar=victim_calendar(app.config),
    )
    db.session.rollback()
    statuses = dict(
        db.session.execute(
            sa.select(OnwardReferral.status, sa.func.count()).group_by(OnwardReferral.status)
        ).all()
    )
    assert set(statuses) == set(ONWARD_STATUSES)
    assert statuses == made
    urgencies = set(db.session.scalars(sa.select(TargetHardening.urgency)))
    assert urgencies == {"standard", "emergency"}
    stopped = db.session.scalars(
        sa.select(OnwardReferral).where(OnwardReferral.status == "stopped")
    ).one()
    assert db.session.get(OutboundMessage, stopped.message_id).status == "not_sent"
    kinds = set(
        db.session.scalars(sa.select(Obligation.kind).where(Obligation.case_id.isnot(None)))
    )
    assert {"onward_follow_up", "th_attendance"} <= kinds
