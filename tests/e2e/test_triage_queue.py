"""A team leader works the queue in a real browser: open a referral, allocate it, record a call."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.audit import Origin
from casework.contact import ContactAttempt
from casework.db import db
from casework.police_import import import_police_download
from casework.referral import Referral
from scheduling.calendars import victim_calendar
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.police import SAMPLE

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_team_leader_allocates_and_records_a_call(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    import_police_download(
        db.session,
        (ROOT / SAMPLE).read_bytes(),
        filename="d.csv",
        received_at=now - timedelta(hours=3),
        calendar=victim_calendar(app.config),
        origin=Origin(),
        now=now,
    )
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team)
    create_staff_record(
        "caseworker",
        team=team,
        name="Sam Okafor",
        specialisms=("hate_crime", "children_young_people"),
    )
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/queue")
    assert "6 open referrals" in page.locator("caption").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Tomasz Wiśniewski").click()
    expect(page.get_by_role("heading", name="Tomasz Wiśniewski")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Sam Okafor").check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("Allocated to Sam Okafor.")).to_be_visible()

    page.get_by_role("group", name="How").get_by_label("Telephone call").check()
    page.get_by_label("No answer", exact=True).check()
    page.get_by_role("button", name="Record attempt").click()
    expect(page.get_by_text("Attempt recorded.")).to_be_visible()
    db.session.rollback()
    referral = db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == "LC-20261120-0063")
    ).one()
    assert referral.allocated_to.name == "Sam Okafor"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactAttempt)) == 1
