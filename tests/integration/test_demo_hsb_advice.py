"""The demo's HSB advice contacts: made through the real services, once."""

import sqlalchemy as sa

from casework.db import db, utcnow
from casework.demo.hsb_advice import seed_demo_hsb_advice
from casework.hsb.models import AdviceContact
from scheduling.service_calendars import hsb_calendar


def test_the_demo_advice_contacts_are_seeded_once(app, create_staff_record, create_team_record):
    line = hsb_calendar(app.config)
    assert "no demo advisor" in seed_demo_hsb_advice(db.session, utcnow(), calendar=line)
    create_staff_record(
        "hsb_advisor",
        team=create_team_record("HSB advice line", service="hsb"),
        email="hsb.advisor@waypoint.example",
    )
    assert seed_demo_hsb_advice(db.session, utcnow(), calendar=line).startswith(
        "HSB advice contacts: 3"
    )
    assert "already seeded" in seed_demo_hsb_advice(db.session, utcnow(), calendar=line)
    made = list(db.session.scalars(sa.select(AdviceContact).order_by(AdviceContact.id)))
    assert {c.channel for c in made} == {"web_form", "email"}
    assert all(c.advised_at is not None and not c.out_of_hours for c in made)
    red = [c for c in made if c.traffic_light == "red"]
    assert [c.refer_to for c in red] == ["childrens_social_care"]
    assert [c.kind for c in made].count("policy_advice") == 1
    [radicalised] = [c for c in made if "radicalisation" in c.concern_tags]
    assert radicalised.ideology and radicalised.influencer
