"""Volunteers in a real browser (spec 3.12): a team leader assigns a vetted volunteer to a
child's case; the volunteer signs in, sees only that case and adds a note; the team leader steps
them down and the volunteer no longer sees it. Every page passes axe (WCAG 2.2 AA)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case_for_notes
from tests.police import police_row

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    page.screenshot(path=f"/tmp/volunteers-{name}.png", full_page=True)


def _sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_team_leader_assigns_a_volunteer_who_sees_only_that_case_until_stepped_down(
    app, live_server, browser, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Tara Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    vetted = create_staff_record("volunteer", team=team, name="Val Okoro", vetted=True)
    create_staff_record("volunteer", team=team, name="Una Unvetted")
    opened = now - timedelta(days=40)
    child = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            crime_reference="LC-20261120-0801",
            forename="Kit",
            surname="Young",
            date_of_birth="2012-04-01",
            occurred_on=(opened - timedelta(days=1)).date().isoformat(),
        ),
        at=opened,
    )
    other = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            crime_reference="LC-20261120-0802",
            forename="Omar",
            surname="Other",
            occurred_on=(opened - timedelta(days=1)).date().isoformat(),
        ),
        at=opened,
    )

    lead = browser.new_context(bypass_csp=True).new_page()
    _sign_in(lead, live_server, leader.email)
    lead.wait_for_url(re.compile(r".*/queue$"))
    lead.goto(f"{live_server}/cases/{child.id}/support")
    section = lead.locator("#volunteers")
    expect(section).to_have_text("Volunteers")
    expect(lead.get_by_text("No volunteer is working with this person.")).to_be_visible()
    assert axe_violations(lead) == []
    lead.get_by_role("button", name="Assign a volunteer").click()
    expect(lead.get_by_role("heading", name="Assign a volunteer")).to_be_visible()
    # The unvetted volunteer is refused for a child, with why, and nothing changes.
    lead.get_by_label("Una Unvetted").check()
    lead.get_by_role("button", name="Assign volunteer").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text(
        "Una Unvetted cannot work with this person (under 18) until their vetting is received"
    )
    assert axe_violations(lead) == []
    _shot(lead, "1-refused-unvetted")
    lead.get_by_label("Val Okoro").check()
    lead.get_by_label("What will they do? (optional)").fill("Weekly befriending calls")
    lead.get_by_role("button", name="Assign volunteer").click()
    expect(lead.get_by_role("alert")).to_contain_text("Val Okoro is now a volunteer on this case.")
    expect(lead.get_by_text("Weekly befriending calls")).to_be_visible()
    assert axe_violations(lead) == []
    _shot(lead, "2-support-tab")

    vol = browser.new_context(bypass_csp=True).new_page()
    _sign_in(vol, live_server, vetted.email)
    vol.wait_for_url(re.compile(r".*/my-cases$"))
    expect(vol.get_by_role("heading", name="My cases")).to_be_visible()
    expect(vol.get_by_role("link", name="Kit Young")).to_be_visible()
    expect(vol.get_by_text("Omar Other")).to_have_count(0)
    expect(vol.get_by_role("link", name="Triage queue")).to_have_count(0)
    assert axe_violations(vol) == []
    _shot(vol, "3-my-cases")
    vol.get_by_role("link", name="Kit Young").click()
    expect(vol.get_by_role("heading", name="Your part")).to_be_visible()
    tabs = vol.locator(".govuk-service-navigation, nav[aria-label='Case']").last
    expect(tabs.get_by_role("link")).to_have_text(["Summary", "Support", "Notes"])
    assert axe_violations(vol) == []
    _shot(vol, "4-volunteer-case")
    vol.get_by_role("button", name="Add a note").click()
    expect(vol.get_by_text("Restricted: only the case's")).to_have_count(0)
    vol.get_by_label("Telephone").check()
    vol.get_by_label("Note", exact=True).fill(
        "Rang Kit's mum; Kit is going to the group on Friday."
    )
    assert axe_violations(vol) == []
    vol.get_by_role("button", name="Save note").click()
    expect(vol.get_by_role("alert")).to_have_text(re.compile("Note added."))
    expect(vol.get_by_text("going to the group on Friday")).to_be_visible()
    assert axe_violations(vol) == []
    _shot(vol, "5-volunteer-notes")
    assert vol.goto(f"{live_server}/cases/{other.id}").status == 404

    lead.get_by_role("link", name="Step down Val Okoro").click()
    lead.get_by_label("Why are they stepping down?").fill("Moving away from the area")
    assert axe_violations(lead) == []
    _shot(lead, "6-step-down")
    lead.get_by_role("button", name="Step down").click()
    expect(lead.get_by_role("alert")).to_contain_text("Val Okoro has stepped down")
    expect(lead.get_by_text("Moving away from the area")).to_be_visible()

    assert vol.goto(f"{live_server}/cases/{child.id}").status == 404
    vol.goto(f"{live_server}/my-cases")
    expect(vol.get_by_text("You are not volunteering on any case at the moment.")).to_be_visible()
    expect(vol.get_by_text("Kit Young")).to_have_count(0)
    assert axe_violations(vol) == []
    _shot(vol, "7-stepped-down")
