"""A target-hardening referral in a real browser: the caseworker records the contractor's visit
(in time for D7), the outcome (first refused for pence that are not pence), completion, the
12-month answers and an additional need (first refused without consent); then a team leader
reads the quarter's report. Every page passes axe (WCAG 2.2 AA)."""

import os
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case_for_notes
from tests.factories_onward import create_hardening_referral
from tests.police import police_row

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("HARDENING_SHOTS_DIR", "/tmp")
LONDON = ZoneInfo("Europe/London")


def _shot(page, name: str) -> None:
    page.screenshot(path=os.path.join(SHOTS, f"hardening-{name}.png"), full_page=True)


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


def _date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_visit_is_recorded_through_to_completion_and_reported(
    app, live_server, browser, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    opened = now - timedelta(days=30)
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
    referral = create_hardening_referral(case, by=worker, made_at=now - timedelta(days=2))
    attended = (now - timedelta(days=1)).astimezone(LONDON)
    today = now.astimezone(LONDON).date()

    context, page = _sign_in(browser, live_server, worker)
    page.goto(f"{live_server}/cases/{case.id}/onward/{referral.id}/target-hardening")
    expect(page.get_by_role("heading", name="Target hardening", exact=True)).to_be_visible()
    expect(page.get_by_text("Lives alone; the offender knows the address")).to_be_visible()
    expect(page.get_by_text("Not attended yet")).to_be_visible()
    expect(page.get_by_role("link", name="Onward referrals")).to_have_attribute(
        "aria-current", "true"
    )
    assert axe_violations(page) == []
    _shot(page, "1-referral")

    _date(page, "Date the contractor attended", attended.date())
    page.get_by_label("Time the contractor attended (24-hour, UK time)").fill(
        attended.strftime("%H:%M")
    )
    page.get_by_role("button", name="Save the visit").click()
    expect(page.get_by_text("Visit saved.")).to_be_visible()
    expect(page.get_by_text("Attended in time")).to_be_visible()

    page.get_by_label("Level 3: advice, and items fitted by a specialist").check()
    page.get_by_label("Items supplied or fitted (levels 2 and 3)").fill(
        "Door chain; 2 window locks"
    )
    page.get_by_label("Cost of the items, in pounds and pence (levels 2 and 3)").fill("75.5")
    _date(page, "Date the items were fitted or supplied", today)
    page.get_by_label("5: very satisfied").check()
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an amount in pounds and pence, like 125.50"
    )
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    _shot(page, "2-outcome-refused")

    page.get_by_label("Cost of the items, in pounds and pence (levels 2 and 3)").fill("£1,234.50")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_text("Outcome saved.")).to_be_visible()
    expect(page.get_by_text("£1,234.50")).to_be_visible()

    _date(page, "Date the works were completed", today)
    page.get_by_role("button", name="Record completion").click()
    expect(
        page.get_by_text("Completion recorded. The 12-month follow-up is now due.")
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Due by \d"))).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "3-completed")

    page.get_by_role("group", name="Does the person feel safer?").get_by_label("Yes").check()
    page.get_by_role("group", name="Is the person safer?").get_by_label("Not known").check()
    page.get_by_role("button", name="Record the 12-month follow-up").click()
    expect(page.get_by_text("12-month follow-up recorded.")).to_be_visible()

    page.get_by_label("The additional need the contractor fed back").fill("Worried about debts")
    page.get_by_role("button", name="Record the additional need").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("agreed to the contractor")
    page.get_by_label("The person agreed to the contractor feeding this back to us").check()
    page.get_by_role("button", name="Record the additional need").click()
    expect(page.get_by_text("Additional need recorded.")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "4-all-recorded")
    context.close()

    context, page = _sign_in(browser, live_server, leader)
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Target hardening").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Target hardening")
    expect(page.get_by_text("£1,234.50 on 1 property completed")).to_be_visible()
    expect(page.get_by_role("img", name="Completed at each service level")).to_be_visible()
    expect(page.get_by_text("1 of 1")).to_be_visible()
    assert "Rahman" not in page.content()
    assert axe_violations(page) == []
    _shot(page, "5-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures as a CSV file").click()
    assert download.value.suggested_filename.startswith("target-hardening-")
    context.close()
