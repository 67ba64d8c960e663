"""Closing a case that needs a team leader's approval, in a real browser: the caseworker asks
(first refused by the gate), the team leader approves from Approvals, the case shows closed, and
the team leader reopens it. Every page passes axe (WCAG 2.2 AA)."""

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case_for_notes, create_complete_assessment, set_closure_approval
from tests.police import police_row

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("CLOSURE_SHOTS_DIR", "/tmp/wt-closure-shots")


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _sign_in(browser, live_server, staff):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)
    return context, page


def test_a_closure_is_requested_approved_and_reopened(
    app, live_server, browser, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    set_closure_approval(team)
    opened = now - timedelta(days=60)
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            forename="Aisha",
            surname="Rahman",
            occurred_on=(opened - timedelta(days=1)).date().isoformat(),
        ),
        at=opened,
    )
    create_complete_assessment(case, worker=worker, held_on=(opened + timedelta(days=5)).date())

    context, page = _sign_in(browser, live_server, worker)
    page.goto(f"{live_server}/cases/{case.id}/closure")
    expect(page.get_by_role("heading", name="Closure", exact=True)).to_be_visible()
    expect(
        page.get_by_text("A reassessment is needed (this case has a needs assessment)")
    ).to_be_visible()
    expect(page.get_by_text("A team leader approves closures in this team")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "1-closure-tab")

    page.get_by_label("Support complete").check()
    page.get_by_role("button", name="Ask to close this case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Hold a reassessment before closing"
    )
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    _shot(page, "2-refused-by-the-gate")

    page.get_by_label("Other (give the reason in words)").check()
    page.get_by_role("button", name="Ask to close this case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Give the reason for closing the case in words"
    )
    page.get_by_label("Declined further support").check()
    page.get_by_role("button", name="Ask to close this case").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(
            "Closure requested: a team leader of the team or an admin will approve or refuse it."
        )
    )
    expect(page.get_by_role("heading", name="Closure waiting for approval")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw the closure request")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "3-waiting-for-approval")
    page.get_by_role("link", name="Summary").click()
    expect(page.get_by_text("Closure waiting for approval")).to_be_visible()
    assert axe_violations(page) == []
    context.close()

    context, page = _sign_in(browser, live_server, leader)
    page.get_by_role("link", name="Approvals (1 pending)").click()
    expect(page.get_by_role("heading", name="Approvals")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "4-approvals-list")
    page.get_by_role("link", name=f"Close case {case.reference}").click()
    expect(page.get_by_text("Declined further support")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save decision").click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose whether to approve or refuse the request"
    )
    assert axe_violations(page) == []
    page.get_by_label("Approve").check()
    _shot(page, "5-decision")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(f"Close case {case.reference}: approved.")
    )
    expect(page.get_by_text("Nothing is waiting for a decision.")).to_be_visible()
    page.get_by_role("link", name="Decided").click()
    expect(page.get_by_role("cell", name=re.compile("Approved by Lee Leader"))).to_be_visible()
    assert axe_violations(page) == []

    page.goto(f"{live_server}/cases/{case.id}")
    expect(
        page.get_by_text(re.compile(r"Closed on .* \(Declined further support\)"))
    ).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "6-closed-summary")
    page.get_by_role("link", name="Closure", exact=True).click()
    page.get_by_role("button", name="Reopen this case").click()  # no reason
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for reopening")
    assert axe_violations(page) == []
    page.get_by_label("Why is the case reopening?").fill("Aisha asked for help again")
    page.get_by_role("button", name="Reopen this case").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Case reopened."))
    expect(page.get_by_text("Reopened by Lee Leader")).to_be_visible()
    expect(page.get_by_text("Aisha asked for help again")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "7-reopened")
    context.close()
