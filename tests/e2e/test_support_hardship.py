"""Victim Personal Statement support and the hardship fund in a real browser, from a case's
Support tab: help offered, the statement written and given to court; a payment under the
threshold approved at once (the balance falls) and one above it waiting, then approved by a
second team leader on Approvals; the fund's page. Every page passes axe (WCAG 2.2 AA)."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case_for_notes
from tests.police import police_row

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    page.screenshot(path=f"/tmp/hardship-{name}.png", full_page=True)


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


def _date(page, field: str, day) -> None:
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def test_a_statement_to_court_and_payments_from_the_fund(
    app, live_server, browser, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo("Europe/London")).date()
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    leader2 = create_staff_record("team_leader", team=team, name="Kim Second")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            forename="Aisha",
            surname="Rahman",
            occurred_on=(now - timedelta(days=21)).date().isoformat(),
        ),
        at=now - timedelta(days=20),
    )

    context, page = _sign_in(browser, live_server, worker)
    page.goto(f"{live_server}/cases/{case.id}/support")
    expect(page.get_by_role("heading", name="Victim Personal Statement")).to_be_visible()
    expect(page.get_by_text("has not been offered yet")).to_be_visible()
    expect(page.get_by_text("No payments from the hardship fund")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "1-support-tab")

    # The statement: offered and wanted, then written and given to court.
    page.get_by_role("link", name=re.compile("Record that help was offered")).click()
    _date(page, "offered_on", today - timedelta(days=10))
    page.get_by_label("Wanted help").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile("Victim Personal Statement support saved.")
    )
    page.get_by_role("link", name=re.compile("Update the statement's progress")).click()
    _date(page, "helped_on", today - timedelta(days=5))
    _date(page, "given_on", today - timedelta(days=6))
    page.get_by_label("Court").fill("Leicester Crown Court")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "cannot be before they were helped"
    )
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    _shot(page, "2-statement-refused")
    _date(page, "given_on", today - timedelta(days=1))
    page.get_by_role("button", name="Save").click()
    given = (today - timedelta(days=1)).strftime("%-d %B %Y")
    expect(page.get_by_text(f"{given}, Leicester Crown Court")).to_be_visible()

    # A payment under the threshold: approved at once, the balance falls.
    expect(page.get_by_text("£5,000.00 is left of this year's fund")).to_be_visible()
    page.get_by_role("link", name=re.compile("Request a payment")).click()
    expect(page.get_by_text("£5,000.00 is left of this year's fund")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "3-payment-form")
    page.get_by_label("Amount, in pounds").fill("12.345")
    page.get_by_label("Food and essentials").check()
    page.get_by_label("What it will pay for").fill("Food parcel for the week")
    page.get_by_role("button", name="Request the payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an amount in pounds and pence"
    )
    assert axe_violations(page) == []
    page.get_by_label("Amount, in pounds").fill("45.00")
    page.get_by_role("button", name="Request the payment").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Payment of £45.00 approved."))
    expect(page.get_by_text("£4,955.00 is left of this year's fund")).to_be_visible()

    # Above the threshold: waiting for a team leader.
    page.get_by_role("link", name=re.compile("Request a payment")).click()
    page.get_by_label("Amount, in pounds").fill("250")
    page.get_by_label("Security and locks").check()
    page.get_by_label("What it will pay for").fill("New locks after the break-in")
    page.get_by_role("button", name="Request the payment").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile("Payment of £250.00 waiting for a team leader's approval.")
    )
    expect(page.get_by_text("£4,705.00 is left of this year's fund")).to_be_visible()
    expect(page.get_by_text("Waiting for a team leader's approval", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "4-support-tab-with-payments")
    context.close()

    context, page = _sign_in(browser, live_server, leader2)
    page.get_by_role("link", name="Approvals (1 pending)").click()
    page.get_by_role("link", name=f"Hardship payment of £250.00 for {case.reference}").click()
    expect(page.get_by_text("New locks after the break-in")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Approve").check()
    _shot(page, "5-approval")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("approved"))

    page.get_by_role("link", name="Hardship fund").first.click()
    expect(page.get_by_role("heading", name="Hardship fund", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=case.reference).first).to_be_visible()
    expect(page.get_by_text("£295.00").first).to_be_visible()
    expect(page.get_by_text("£4,705.00")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "6-fund-page")
    page.goto(f"{live_server}/cases/{case.id}/support#hardship")
    expect(page.get_by_text("Approved", exact=True)).to_have_count(2)
    assert axe_violations(page) == []
    _shot(page, "7-support-tab-approved")
    context.close()


def test_the_admin_settings_page_is_accessible(
    app, live_server, browser, create_team_record, create_staff_record
):
    admin = create_staff_record("admin", team=create_team_record("Admins"), name="Ada Admin")
    context, page = _sign_in(browser, live_server, admin)
    page.get_by_role("link", name="Hardship fund").first.click()
    page.get_by_role("link", name="Change the budget or threshold").click()
    page.get_by_label("Budget for the year, in pounds").fill("-5")
    page.get_by_role("button", name="Save the budget").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a budget in pounds")
    assert axe_violations(page) == []
    page.get_by_label("Budget for the year, in pounds").fill("6,000")
    page.get_by_role("button", name="Save the budget").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Budget saved: £6,000.00."))
    assert axe_violations(page) == []
    _shot(page, "8-settings")
    context.close()
