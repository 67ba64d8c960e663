"""In a real browser: a caseworker works their caseload (overdue first, calls, markers) and picks
up a referral; a team leader opens "My team", a caseworker's caseload, and reassigns a case,
which the new caseworker then sees as new to them."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.db import db
from casework.people.models import Person
from casework.referrals.models import Referral
from scheduling.service_calendars import victim_calendar
from tests.e2e.conftest import axe_violations
from tests.e2e.test_cases import sign_in
from tests.factories import create_case, create_referrals
from tests.police import police_row

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("WAYPOINT_SHOTS", "/tmp/wt-caseloads-shots"))


def shot(page, name: str) -> None:
    """A full-page screenshot to look at (not compared: people read them)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def by_ref(crime_reference: str) -> Referral:
    return db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == crime_reference)
    ).one()


def a_service_morning_last_week(app) -> datetime:
    """10:00 UTC on a service day, followed by another, a week or more ago. Priya's email was due
    at that day's close and Jack's call (under 18: within 24 hours) the next morning, so both
    are overdue and Priya's is first whatever day the suite runs. ("Three days ago" made
    Jack's first whenever it fell on a Saturday evening: his 24 hours ran out on Sunday,
    before her email was due on Monday.)"""
    calendar = victim_calendar(app.config)
    day = calendar.local_date(datetime.now(UTC)) - timedelta(days=7)
    while not (calendar.is_service_day(day) and calendar.is_service_day(day + timedelta(days=1))):
        day -= timedelta(days=1)
    return calendar.close_of(day).replace(hour=10, minute=0)


@pytest.fixture
def team(app, create_team_record, create_staff_record):
    """A team with a leader and two caseworkers; Sam holds two referrals (one overdue) and a
    case; one referral waits unallocated."""
    team = create_team_record("City victim team")
    people = {
        "leader": create_staff_record("team_leader", team=team, name="Lee Leader"),
        "sam": create_staff_record("caseworker", team=team, name="Sam Okafor"),
        "ria": create_staff_record("caseworker", team=team, name="Ria Patel"),
        "team": team,
    }
    received = a_service_morning_last_week(app)
    occurred_on = (received - timedelta(days=1)).date().isoformat()
    create_referrals(
        police_row(
            occurred_on=occurred_on,
            crime_reference="LC-E1",
            forename="Priya",
            surname="Shah",
            contact_method="EMAIL",
            email="priya@example.test",
            mobile_phone="07700 900201",
        ),
        police_row(
            occurred_on=occurred_on,
            crime_reference="LC-E2",
            forename="Jack",
            surname="Young",
            date_of_birth="2011-04-04",
            mobile_phone="07700 900202",
        ),
        police_row(
            occurred_on=occurred_on,
            crime_reference="LC-E3",
            forename="Carla",
            surname="Case",
            mobile_phone="07700 900203",
        ),
        police_row(
            occurred_on=occurred_on,
            crime_reference="LC-E4",
            forename="Una",
            surname="Waiting",
            mobile_phone="07700 900204",
        ),
        received=received,
        now=received,
    )
    for ref in ("LC-E1", "LC-E2"):
        by_ref(ref).allocated_to_id = people["sam"].id
    person = db.session.get(Person, by_ref("LC-E2").person_id)
    person.safe_to_text, person.safe_to_voicemail = False, False
    db.session.commit()
    people["case"] = create_case(
        by_ref("LC-E3").id, caseworker=people["sam"], leader=people["leader"]
    )
    return people


def test_caseworker_works_their_caseload_and_picks_up_a_referral(app, live_server, axe_page, team):
    page = axe_page
    # The team leader lets caseworkers pick up referrals.
    sign_in(page, live_server, team["leader"], "/queue")
    page.get_by_role("link", name="My team").click()
    page.get_by_role("link", name="Change caseload settings").click()
    expect(page.get_by_role("heading", name="Caseload settings")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "01-team-settings")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Caseload settings saved.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, team["sam"], "/caseload")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Priya Shah")
    expect(rows.nth(0)).to_contain_text("Overdue by")
    expect(rows.nth(1)).to_contain_text("Jack Young")
    expect(rows.nth(1)).to_contain_text("Not safe to text")
    expect(rows.nth(1)).to_contain_text("Under 18")
    expect(rows.nth(1)).to_contain_text("0 of 3 made")
    expect(rows.nth(2)).to_contain_text("Carla Case")
    # The team leader opened Carla's case last week before anyone called her: the first call
    # is still owed, and overdue.
    expect(rows.nth(2)).to_contain_text("First telephone call")
    expect(rows.nth(2)).to_contain_text("Overdue by")
    assert axe_violations(page) == []
    shot(page, "02-caseload")

    page.get_by_label("Deadline", exact=True).select_option("overdue")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(3)
    shot(page, "03-caseload-overdue-only")

    page.get_by_role("link", name="Triage queue").click()
    page.get_by_role("button", name="Pick up Una Waiting").click()
    expect(page.get_by_text("is now yours")).to_be_visible()
    expect(page.get_by_role("heading", name="Una Waiting", level=1)).to_be_visible()
    page.get_by_role("link", name="My caseload").click()
    expect(page.locator("tbody tr")).to_have_count(4)
    assert axe_violations(page) == []


def test_team_leader_reassigns_a_case_and_the_new_caseworker_sees_it(
    app, live_server, axe_page, team
):
    page = axe_page
    sign_in(page, live_server, team["leader"], "/queue")
    page.get_by_role("link", name="My team").click()
    sam_row = page.locator("table").first.locator("tbody tr", has_text="Sam Okafor")
    expect(sam_row).to_contain_text("3 overdue")  # Priya's message, Jack's and Carla's calls
    assert axe_violations(page) == []
    shot(page, "04-my-team")
    sam_row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Sam Okafor’s caseload")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "05-sams-caseload-for-the-leader")

    page.get_by_role("link", name="Carla Case").click()
    page.get_by_role("link", name="Reassign case").click()
    expect(page.get_by_role("heading", name="Reassign the case")).to_be_visible()
    page.get_by_role("button", name="Reassign case").click()
    expect(page.get_by_role("alert")).to_contain_text("Select the caseworker")
    assert axe_violations(page) == []
    shot(page, "06-reassign-errors")
    page.get_by_label("New caseworker").select_option(label="Ria Patel")
    page.get_by_label("Why is the case being reassigned?").fill("Sam is on leave for two weeks")
    page.get_by_role("button", name="Reassign case").click()
    expect(page.get_by_text("Case reassigned.")).to_be_visible()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Ria Patel")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, team["ria"], "/caseload")
    row = page.locator("tbody tr", has_text="Carla Case")
    expect(row).to_contain_text("New to you")
    expect(row).to_contain_text("Sam is on leave for two weeks")
    assert axe_violations(page) == []
    shot(page, "07-new-to-you")
