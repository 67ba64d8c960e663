"""A team leader signs in with a real browser; the admin then sees it in the audit trail."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def sign_in_with_keyboard(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.keyboard.press("Enter")


def test_team_leader_signs_in_and_the_audit_trail_shows_it(
    live_server, page, create_team_record, create_staff_record, tmp_path
):
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Tara Leader")
    create_staff_record("caseworker", team=team, name="Sam Okafor")
    admin = create_staff_record("admin", name="Alex Admin")

    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    sign_in_with_keyboard(page, live_server, leader.email)
    page.wait_for_url(f"{live_server}/queue")
    assert page.get_by_role("heading", level=1).inner_text() == "Triage queue"
    page.get_by_role("link", name="My team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("City victim team")
    expect(page.get_by_role("link", name="Sam Okafor", exact=True)).to_be_visible()
    # The module script runs once the page has parsed: wait for it rather than race it (polled
    # from Playwright's side: a string predicate polled in the page is eval, which the CSP
    # refuses when the first check comes too early).
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    assert script_errors == []
    page.screenshot(path=str(tmp_path / "team.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/login")
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    sign_in_with_keyboard(page, live_server, admin.email)
    page.wait_for_url(f"{live_server}/admin/staff")
    page.get_by_role("link", name="Audit trail").click()
    page.get_by_label("Staff email contains").fill(leader.email)
    # The audit trail's own button, not the staff search in the header.
    page.get_by_role("main").get_by_role("button", name="Search").click()
    rows = page.locator("tbody tr")
    texts = rows.all_inner_texts()
    assert any("auth.sign_in" in t and leader.email in t for t in texts), texts
    assert any("auth.sign_out" in t for t in texts), texts


def test_wrong_password_shows_an_error_summary_in_the_browser(
    live_server, page, create_staff_record
):
    staff = create_staff_record("caseworker")
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password", exact=True).fill("not my password at all")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "Enter a correct email address and password" in summary.inner_text()
    assert page.title().startswith("Error: ")


def test_caseworker_sets_up_two_step_verification_and_signs_in_with_a_code(
    live_server, axe_page, create_staff_record
):
    from datetime import UTC, datetime

    from casework.staff import totp
    from tests.e2e.conftest import axe_violations

    staff = create_staff_record("caseworker")
    page = axe_page
    sign_in_with_keyboard(page, live_server, staff.email)
    page.wait_for_url(f"{live_server}/caseload")
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url(f"{live_server}/account")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Set up two-step verification").click()
    page.wait_for_url(f"{live_server}/account/two-step")
    assert axe_violations(page) == []
    secret = page.locator("#setup-key").inner_text().replace(" ", "")
    step = totp.step_at(datetime.now(UTC))
    page.get_by_label("Security code").fill(totp.code_for(secret, step))
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.get_by_text("Two-step verification is on.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/login")

    sign_in_with_keyboard(page, live_server, staff.email)
    page.wait_for_url(f"{live_server}/login/code*")
    assert axe_violations(page) == []
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    assert "Enter the 6-digit security code" in page.locator(".govuk-error-summary").inner_text()
    # The code used to set it up cannot be used again: the app's next code can.
    page.get_by_label("Security code").fill(totp.code_for(secret, step + 1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server}/caseload")


def test_administrator_finds_the_subject_access_page_and_its_errors(
    live_server, axe_page, create_staff_record
):
    from tests.e2e.conftest import axe_violations

    admin = create_staff_record("admin")
    page = axe_page
    sign_in_with_keyboard(page, live_server, admin.email)
    page.wait_for_url(f"{live_server}/admin/staff")
    page.get_by_role("link", name="Subject access").click()
    page.wait_for_url(f"{live_server}/admin/subject-access")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Download everything held about this person").click()
    assert "Enter a Waypoint reference" in page.locator(".govuk-error-summary").inner_text()
    assert axe_violations(page) == []
    # A staff member's page, with the two-step verification section.
    page.goto(f"{live_server}/admin/staff/{admin.id}")
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    assert axe_violations(page) == []
