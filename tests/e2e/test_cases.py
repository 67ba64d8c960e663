"""In a real browser: a team leader opens a case from a referral and goes through its tabs; a
caseworker records a first conversation ending in further support and lands on the case."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.cases.models import Case
from casework.db import db
from casework.people.models import Person
from casework.referrals.models import Referral
from tests.e2e.conftest import axe_violations, sign_in
from tests.factories import create_referrals
from tests.police import police_csv, police_row

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("WAYPOINT_SHOTS", "/tmp/wt-cases-shots"))


def shot(page, name: str) -> None:
    """A full-page screenshot to look at (not compared: people read them)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def referral_for(crime_reference: str, **fields) -> Referral:
    now = datetime.now(UTC)
    create_referrals(
        police_csv(police_row(crime_reference=crime_reference, **fields)),
        received=now - timedelta(hours=2),
        now=now,
    )
    return db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == crime_reference)
    ).one()


def test_team_leader_opens_a_case_and_goes_through_its_tabs(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    create_staff_record("caseworker", team=team, name="Sam Okafor")
    referral = referral_for(
        "LC-20261120-0200",
        forename="Priya",
        surname="Shah",
        flags="DOMESTIC_ABUSE;INTIMIDATED",
        offence="Assault occasioning actual bodily harm",
    )
    person = db.session.get(Person, referral.person_id)
    person.safe_to_voicemail, person.safe_to_text = False, True
    person.safe_times = "Weekdays 10:00 to 12:00 only"
    db.session.commit()

    page = axe_page
    sign_in(page, live_server, leader, "/queue")
    page.get_by_role("link", name="Priya Shah").click()
    expect(page.get_by_role("heading", name="Priya Shah", level=1)).to_be_visible()
    sub_navigation = page.get_by_role("navigation", name="Referral")
    expect(sub_navigation.get_by_role("link", name="Summary")).to_have_attribute(
        "aria-current", "page"
    )
    assert axe_violations(page) == []
    shot(page, "01-referral-summary-team-leader")

    page.get_by_role("link", name="Open a case").click()
    expect(page.get_by_role("heading", name="Open a case")).to_be_visible()
    page.get_by_role("button", name="Open case").click()  # nothing chosen: refused
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select a caseworker in your team")
    expect(summary).to_contain_text("Give the reason for opening a case")
    assert axe_violations(page) == []
    shot(page, "02-open-case-errors")
    page.get_by_label("Caseworker").select_option(label="Sam Okafor")
    page.get_by_label("Why does this person need a case?").fill(
        "Frightened to go home; needs support before a conversation can be arranged"
    )
    page.get_by_role("button", name="Open case").click()

    expect(page.get_by_text("opened.")).to_be_visible()
    db.session.rollback()
    case = db.session.scalars(sa.select(Case)).one()
    assert page.url == f"{live_server}/cases/{case.id}"
    expect(page.get_by_role("heading", name="Priya Shah", level=1)).to_be_visible()
    safe = page.get_by_role("region", name="Safe contact")
    expect(safe).to_contain_text("Do not leave a voicemail")
    expect(safe).to_contain_text("do not post anything to the home address")
    expect(safe).to_contain_text("Weekdays 10:00 to 12:00 only")
    assert axe_violations(page) == []
    shot(page, "03-case-summary")

    tabs = page.get_by_role("navigation", name="Case")
    for name, path, text in [
        ("Contact", "/contact", "Contact history"),
        ("Assessment", "/assessment", "No needs assessment yet"),
        ("Timeline", "/timeline", "Case opened by a team leader"),
        ("Access", "/access", "Who viewed and who changed this case"),
    ]:
        tabs.get_by_role("link", name=name).click()
        page.wait_for_url(f"{live_server}/cases/{case.id}{path}")
        expect(tabs.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
        expect(page.get_by_text(text).first).to_be_visible()
        assert axe_violations(page) == [], name
        shot(page, f"04-case-{name.split()[0].lower()}")

    # The sub-navigation works from the keyboard: tab to a link and press Enter.
    tabs.get_by_role("link", name="Summary").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/cases/{case.id}")
    page.get_by_role("link", name=referral.reference).click()
    banner = page.get_by_role("region", name="Case")
    expect(banner.get_by_role("link", name=case.reference)).to_be_visible()
    shot(page, "05-referral-in-a-case")

    # The referral's own tabs, and an action's short page.
    tabs = page.get_by_role("navigation", name="Referral")
    for name, text in [
        ("Contact", "Contact history"),
        ("Timeline", "Referral received (police download)"),
        ("Access", "Who viewed and who changed this referral"),
    ]:
        tabs.get_by_role("link", name=name).click()
        expect(tabs.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
        expect(page.get_by_text(text).first).to_be_visible()
        assert axe_violations(page) == [], name
        shot(page, f"05-referral-{name.lower()}")
    tabs.get_by_role("link", name="Summary").click()
    page.get_by_role("link", name="Add a key date").click()
    expect(page.get_by_role("heading", name="Add a key date")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "05-referral-key-date")

    # On a phone the tabs wrap and stay links.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/cases/{case.id}/timeline")
    expect(
        page.get_by_role("navigation", name="Case").get_by_role("link", name="Timeline")
    ).to_have_attribute("aria-current", "page")
    assert axe_violations(page) == []
    shot(page, "05-case-timeline-phone")


def test_caseworker_records_further_support_and_lands_on_the_case(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    team = create_team_record("City victim team")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    referral = referral_for("LC-20261120-0201", forename="Tom", surname="Reed")
    referral.allocated_to_id = worker.id
    db.session.commit()

    page = axe_page
    sign_in(page, live_server, worker, "/caseload")
    page.get_by_role("link", name="Tom Reed").click()
    expect(page.get_by_role("heading", name="Tom Reed", level=1)).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "06-referral-summary-caseworker")

    page.get_by_role("link", name="Record a call").click()
    expect(page.get_by_role("heading", name="Record a call")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Spoke to them").check()
    page.get_by_role("button", name="Record call").click()
    expect(page.get_by_text("Call recorded.")).to_be_visible()

    page.get_by_role("link", name="Record the first conversation").click()
    expect(page.get_by_role("heading", name="Record the first conversation")).to_be_visible()
    page.get_by_label("Further support: needs assessment booked").check()
    page.get_by_role("button", name="Record conversation").click()  # no booking: refused
    expect(page.locator(".govuk-error-summary")).to_contain_text("Book the needs assessment")
    assert axe_violations(page) == []
    shot(page, "07-conversation-error")

    page.get_by_label("Key risks and vulnerabilities").fill("Lives alone; worried about repeat")
    page.get_by_label("Further support: needs assessment booked").check()
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    booked = page.get_by_role("group", name="Needs assessment date (for further support)")
    booked.get_by_label("Day").fill(str(tomorrow.day))
    booked.get_by_label("Month").fill(str(tomorrow.month))
    booked.get_by_label("Year").fill(str(tomorrow.year))
    page.get_by_label("Needs assessment time").fill("10:00")
    page.get_by_role("button", name="Record conversation").click()

    expect(page.get_by_text("The needs assessment is booked on this case.")).to_be_visible()
    db.session.rollback()
    case = db.session.scalars(sa.select(Case)).one()
    assert page.url == f"{live_server}/cases/{case.id}"
    assert case.caseworker_id == worker.id
    expect(page.get_by_text("Needs assessment").first).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Case").get_by_role("link", name="Access")
    ).to_have_count(0)
    assert axe_violations(page) == []
    shot(page, "08-case-after-further-support")
    page.get_by_role("navigation", name="Case").get_by_role("link", name="Timeline").click()
    expect(page.get_by_text("First conversation (further support")).to_be_visible()
    expect(page.get_by_text("Case opened after the first conversation")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "09-case-timeline-caseworker")
