"""An administrator records a caseworker's police vetting and DBS check in a real browser, meets
an error, and sees the vetting due to expire; axe on each page."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casework.audit import Origin
from casework.db import db, utcnow
from casework.staff.vetting import get_vetting, local_today
from casework.staff.vetting_records import record_police_vetting
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/wt-vetting-shots")


def fill_date(page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_admin_records_vetting_and_sees_what_expires(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    team = create_team_record("City victims")
    admin = create_staff_record("admin", name="Alex Admin")
    nia = create_staff_record("caseworker", team=team, name="Nia New", vetted=False)
    chris = create_staff_record("caseworker", team=team, name="Chris Lowe")
    today = local_today(utcnow())
    record_police_vetting(
        db.session,
        chris.id,
        level="NPPV2",
        granted_on=today - timedelta(days=1000),
        expires_on=today + timedelta(days=20),
        version=get_vetting(db.session, chris.id).version,
        actor=None,
        origin=Origin.command_line("test"),
        now=utcnow(),
    )
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/admin/staff")

    # The expiring list, from the navigation: Chris's vetting expires in 20 days.
    page.get_by_role("link", name="Vetting due to expire").click()
    expect(page.get_by_role("heading", name="Vetting due to expire")).to_be_visible()
    expect(page.get_by_role("row", name="Chris Lowe")).to_contain_text("In 20 days")
    shot(page, "expiring-before")
    assert axe_violations(page) == []

    # Nia's staff page: nothing recorded, so not received.
    page.goto(f"{live_server}/admin/staff/{nia.id}")
    expect(page.get_by_text("Vetting not received")).to_be_visible()
    expect(page.get_by_text("No police vetting recorded")).to_be_visible()
    shot(page, "staff-unvetted")
    assert axe_violations(page) == []

    # Police vetting, first with an expiry before the grant: refused, with the reason.
    page.get_by_role("link", name="Record police vetting").click()
    page.get_by_label("NPPV 2").check()
    fill_date(page, "Date granted", today - timedelta(days=700))
    fill_date(page, "Expiry date", today - timedelta(days=800))
    page.get_by_role("button", name="Save police vetting").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The expiry date must be after the date it started"
    )
    shot(page, "police-error")
    assert axe_violations(page) == []
    fill_date(page, "Expiry date", today + timedelta(days=30))
    page.get_by_role("button", name="Save police vetting").click()
    expect(page.get_by_text("Police vetting saved for Nia New.")).to_be_visible()
    expect(page.get_by_text("No DBS check recorded")).to_be_visible()

    # The DBS check: now received, with a warning that the police vetting expires soon.
    page.get_by_role("link", name="Record DBS check").click()
    page.get_by_label("Enhanced with barred lists (children and adults)").check()
    fill_date(page, "Certificate issue date", today - timedelta(days=100))
    page.get_by_label("Last 4 digits of the certificate number").fill("4321")
    fill_date(page, "Recheck date", today + timedelta(days=900))
    shot(page, "dbs-form")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save DBS check").click()
    expect(page.get_by_text("Vetting received", exact=True)).to_be_visible()
    expect(page.get_by_text("certificate ending 4321")).to_be_visible()
    expect(page.get_by_text("Police vetting expires on")).to_be_visible()
    shot(page, "staff-vetted")
    assert axe_violations(page) == []

    # The expiring list now shows both, soonest first.
    page.get_by_role("link", name="Vetting due to expire").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Chris Lowe")
    expect(rows.nth(1)).to_contain_text("Nia New")
    expect(rows.nth(1)).to_contain_text("In 30 days")
    shot(page, "expiring-after")
    assert axe_violations(page) == []


def test_team_leader_sees_unvetted_workers_left_out_for_a_child(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    from tests.factories import create_referrals
    from tests.police import police_row, referral_by_crime

    team = create_team_record("City victims")
    leader = create_staff_record("team_leader", team=team, name="Tara Leader")
    create_staff_record("caseworker", team=team, name="Vera Vetted")
    create_staff_record("caseworker", team=team, name="Uma Unvetted", vetted=False)
    create_referrals(police_row(crime_reference="LC-20261120-0301", date_of_birth="2012-04-01"))
    child = referral_by_crime("LC-20261120-0301")
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/queue")
    page.goto(f"{live_server}/referrals/{child.id}")
    expect(page.get_by_label("Vera Vetted")).to_be_visible()
    expect(page.get_by_label("Uma Unvetted")).to_have_count(0)
    expect(page.locator("#vetting-left-out")).to_contain_text(
        "1 caseworker is left out: this person is under 18"
    )
    page.locator("#vetting-left-out").scroll_into_view_if_needed()
    shot(page, "referral-left-out")
    assert axe_violations(page) == []
