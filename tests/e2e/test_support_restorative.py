"""Restorative justice in a sensitive (domestic violence) case, in a real browser: a team leader
records the victim's request from the case's Support tab (first refused for missing answers),
chooses an experienced facilitator and asks for the exceptional circumstances to be approved; a
second team leader approves it on Approvals, then records a session and the outcome. Every page
passes axe (WCAG 2.2 AA); screenshots go to /tmp/rj-*.png."""

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
LONDON = ZoneInfo("Europe/London")


def _shot(page, name: str) -> None:
    page.screenshot(path=f"/tmp/rj-{name}.png", full_page=True)


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


def _answer(page, legend: str, answer: str) -> None:
    page.get_by_role("group", name=legend).get_by_label(answer, exact=True).check()


def test_a_sensitive_restorative_request_is_approved_and_completed(
    app, live_server, browser, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    today = now.astimezone(LONDON).date()
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Grant")
    second = create_staff_record("team_leader", team=team, name="Pat Moore")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    create_staff_record(
        "caseworker", team=team, name="Zoe Adams", specialisms=["restorative_justice"]
    )
    opened = now - timedelta(days=30)
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            forename="Aisha",
            surname="Rahman",
            offence="Assault occasioning actual bodily harm",
            flags="DOMESTIC_ABUSE",
            occurred_on=(opened - timedelta(days=2)).date().isoformat(),
        ),
        at=opened,
    )

    context, page = _sign_in(browser, live_server, leader)
    page.goto(f"{live_server}/cases/{case.id}")
    page.get_by_role("navigation", name="Case").get_by_role(
        "link", name="Support", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Restorative justice")).to_be_visible()
    expect(
        page.get_by_text("No restorative justice has been asked for on this case.")
    ).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "1-support-tab")

    page.get_by_role("link", name="Record a request for restorative justice").click()
    expect(page.get_by_text("Domestic violence (from the police referral)")).to_be_visible()
    page.get_by_role("button", name="Save").click()  # nothing answered
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the victim asked for restorative contact"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether the offender has admitted guilt"
    )
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    _shot(page, "2-request-errors")

    _date(page, "When did the victim ask for restorative contact?", today - timedelta(days=10))
    _answer(page, "Has the offender admitted guilt?", "Yes")
    _answer(page, "Has the offender accepted responsibility for the harm caused?", "Yes")
    page.get_by_label("Indirect: shuttle mediation").check()
    page.get_by_label("Exceptional circumstances").fill(
        "Aisha asked for it herself, with her IDVA. He is in custody and has pleaded guilty. "
        "Letters only, passed on by the facilitator."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile("Restorative justice request recorded.")
    )
    expect(page.get_by_text("It cannot go ahead yet.")).to_be_visible()
    expect(
        page.get_by_text(
            "This is a case of domestic violence, so a team leader must approve the "
            "exceptional circumstances"
        )
    ).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Choose the facilitator").click()
    page.get_by_label("Facilitator").select_option(label="Zoe Adams (restorative justice)")
    _answer(page, "Is the facilitator experienced and skilled enough for a sensitive case?", "Yes")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save the facilitator").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Facilitator saved: Zoe Adams."))

    page.get_by_role("button", name="Ask a team leader to approve").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile("A team leader of the case's team has been asked to approve")
    )
    expect(
        page.get_by_text("Waiting for a team leader's decision (asked by Lee Grant")
    ).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "3-waiting-for-approval")
    context.close()

    context, page = _sign_in(browser, live_server, second)
    page.get_by_role("link", name="Approvals (1 pending)").click()
    page.get_by_role(
        "link", name=f"Restorative justice in a case of domestic violence ({case.reference})"
    ).click()
    expect(page.get_by_text("Aisha asked for it herself, with her IDVA.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Approve").check()
    _shot(page, "4-approval")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile(": approved."))

    page.goto(f"{live_server}/cases/{case.id}/support")
    expect(page.get_by_text("Nothing: it may go ahead")).to_be_visible()
    page.get_by_role("link", name=re.compile("Indirect: shuttle mediation")).click()
    expect(page.get_by_text("Approved by Pat Moore")).to_be_visible()
    expect(page.get_by_text("Everything it needs is recorded: it may go ahead.")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Record a session").click()
    _date(page, "Date of the session", today + timedelta(days=1))
    page.get_by_label("Note (optional)").fill("First letter from him passed on to Aisha.")
    page.get_by_role("button", name="Record the session").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The date the session was held cannot be in the future"
    )
    assert axe_violations(page) == []
    _date(page, "Date of the session", today)
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Session of .* recorded."))
    expect(page.get_by_text("Sessions under way")).to_be_visible()

    page.get_by_role("link", name="Record the outcome").click()
    page.get_by_label("Completed with an outcome agreement").check()
    _date(page, "Date of the outcome", today)
    page.get_by_label("Note (optional)").fill("He will keep away from her street.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile("Outcome recorded: Completed with an outcome agreement.")
    )
    expect(page.get_by_text("First letter from him passed on to Aisha.")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "5-completed")

    page.get_by_role("navigation", name="Case").get_by_role(
        "link", name="Support", exact=True
    ).click()
    expect(page.locator("#restorative ~ .app-table-scroll table")).to_contain_text("Completed")
    assert axe_violations(page) == []
    _shot(page, "6-support-tab-completed")
    context.close()
