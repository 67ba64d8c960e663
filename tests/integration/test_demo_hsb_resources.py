"""The demo's HSB resource directory and evidence of local practice: added once, after the
demo's staff, with a hidden retired resource whose counts are kept."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

import casework.models  # noqa: F401  (every model)
from casework.db import db
from casework.demo.hsb_resources import seed_demo_hsb_resources
from casework.hsb.models import AdviceResource, PracticeEvidence, ResourceGiven

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def test_the_demo_directory_and_evidence_are_added_once(app, runner):
    with time_machine.travel(NOW, tick=False):
        # demo seed adds the directory after the line's contacts, so the counts show.
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        assert "Demo HSB resources: 10 directory entries (1 hidden)" in result.output
        again = seed_demo_hsb_resources(db.session, NOW)
        assert again.startswith("Demo HSB resources: 0 directory entries")
    db.session.rollback()
    resources = list(db.session.scalars(sa.select(AdviceResource)))
    assert len(resources) == 10
    [hidden] = [r for r in resources if r.hidden]
    assert hidden.hidden_reason
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(ResourceGiven.resource_id == hidden.id))
        >= 1
    )
    # Given only where advice was given (never on a missed call), when it was given.
    for given in db.session.scalars(sa.select(ResourceGiven)):
        assert given.contact.advised_at is not None and given.contact.outcome != "missed"
        assert given.given_at == given.contact.advised_at
    fictional = [r for r in resources if "fictional" in r.title.lower()]
    assert len(fictional) == 2 and all(r.region for r in fictional)
    assert all(r.region is None for r in resources if r not in fictional)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PracticeEvidence)) == 4


def test_without_the_demo_staff_nothing_is_added(app):
    assert "skipped" in seed_demo_hsb_resources(db.session, NOW)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdviceResource)) == 0
