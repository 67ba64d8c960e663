"""The demo's restorative justice: an ordinary request completed with a session and an outcome
agreement, and a domestic violence one (from the police flag) waiting for a team leader's
approval, made through the real services; seeding again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from casework.approvals import requests as approvals
from casework.db import db
from casework.demo.restorative import seed_demo_restorative
from casework.support.models import RestorativeJustice
from casework.support.restorative import KIND
from tests.factories import create_case_for_notes
from tests.police import police_row

# Wednesday 25 November 2026, 15:00 GMT; the cases opened 40 days before.
NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)


def test_demo_restorative_shows_a_completed_and_a_waiting_request(
    app, create_team_record, create_staff_record
):
    team = create_team_record("City victims")
    leader = create_staff_record("team_leader", team=team)
    worker = create_staff_record("caseworker", team=team)
    # The team's restorative justice facilitator, for the sensitive request.
    specialist = create_staff_record(
        "caseworker", team=team, name="Chris Lowe", specialisms=["restorative_justice"]
    )
    cases = [
        create_case_for_notes(
            caseworker=worker,
            team_leader=leader,
            row=police_row(
                crime_reference=f"LC-20261015-07{n:02d}",
                forename=f"Demo{n}",
                surname="Person",
                occurred_on="2026-10-10",
                mobile_phone=f"07700 9001{n:02d}",
                **({"flags": "DOMESTIC_ABUSE"} if n == 1 else {}),
            ),
            at=NOW - timedelta(days=40),
        )
        for n in range(2)
    ]
    words = seed_demo_restorative(db.session, now=NOW)
    assert words.startswith("Demo restorative justice: 1 completed")
    db.session.rollback()
    done, waiting = db.session.scalars(
        sa.select(RestorativeJustice).order_by(RestorativeJustice.id)
    ).all()
    assert done.case_id == cases[0].id
    assert (done.status, done.outcome, len(done.sessions)) == ("completed", "agreement", 1)
    assert waiting.case_id == cases[1].id
    assert waiting.status == "awaiting_approval"
    assert waiting.sensitive_from_police == ["domestic_violence"]
    # Its facilitator was chosen first (the approval covers them): the team's specialist.
    assert waiting.facilitator_id == specialist.id and waiting.facilitator_experienced
    assert waiting.approval.detail["facilitator_id"] == specialist.id
    assert approvals.pending_for_case(db.session, cases[1].id, KIND).id == waiting.approval_id

    assert seed_demo_restorative(db.session, now=NOW) == "Demo restorative justice: already there"
    assert db.session.scalar(sa.select(sa.func.count(RestorativeJustice.id))) == 2
