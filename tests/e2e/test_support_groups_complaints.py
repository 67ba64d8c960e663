"""Group sessions and complaints in a real browser: a team leader records a group session,
records a young person's attendance and sees it on the young person's Support tab; then records
a complaint about the case from that tab and decides it (first refused: upheld needs the action
taken); then records a session for next week and cancels it. Every page passes axe (WCAG 2.2
AA)."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case_for_notes
from tests.police import police_row

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    page.screenshot(path=os.path.join("/tmp", f"groups-{name}.png"), full_page=True)


def _fill_date(scope, day) -> None:
    scope.get_by_label("Day").fill(str(day.day))
    scope.get_by_label("Month").fill(str(day.month))
    scope.get_by_label("Year").fill(str(day.year))


def test_a_session_with_a_young_persons_attendance_and_a_complaint_decided(
    app, live_server, browser, create_team_record, create_staff_record
):
    from scheduling.service_calendars import victim_calendar

    now = datetime.now(UTC)
    today = now.astimezone(victim_calendar(app.config).tz).date()
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    opened = now - timedelta(days=10)
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            forename="Kai",
            surname="Young",
            date_of_birth=f"{today.year - 14}-01-15",
            occurred_on=(opened - timedelta(days=1)).date().isoformat(),
        ),
        at=opened,
    )
    case_id, reference = case.id, case.reference

    context_ = browser.new_context(bypass_csp=True)
    page = context_.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)

    # The group sessions page, from the navigation; empty at first.
    page.get_by_role("link", name="Group sessions", exact=True).first.click()
    expect(page.get_by_text("No group sessions are recorded yet.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Record a group session").click()
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert axe_violations(page) == []
    _fill_date(page.get_by_role("group", name="Date of the session"), today)
    page.get_by_label("Where is it held?").fill("Braunstone youth centre")
    page.get_by_label("Facilitator").select_option(label="Sam Okafor")
    page.get_by_label("Topic").fill("Feeling safe online")
    _shot(page, "1-new-session")
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("heading", name="Feeling safe online")).to_be_visible()
    assert axe_violations(page) == []

    # Attendance: Kai, under 18 on the day.
    page.get_by_label("Young person").select_option(label=f"Kai Young ({reference})")
    page.get_by_role("group", name="Did they attend?").get_by_label("Attended").check()
    page.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_text("Attendance recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name=f"Kai Young ({reference})")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "2-session")

    # The young person's Support tab lists the session.
    page.get_by_role("link", name="Kai Young").click()
    expect(page).to_have_url(f"{live_server}/cases/{case_id}/support")
    expect(page.get_by_role("link", name="Feeling safe online")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "3-support-tab")

    # A complaint about the case, recorded from the tab, then decided.
    page.get_by_role("link", name="Record a complaint about this case").click()
    expect(page.get_by_label("Case reference (optional)")).to_have_value(reference)
    _fill_date(page.get_by_role("group", name="Date received"), today)
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("What is the complaint about?").fill("Nobody called back when promised.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record the complaint").click()
    expect(page.get_by_text("Complaint recorded.")).to_be_visible()
    page.get_by_label("Investigator").select_option(label="Lee Leader")
    page.get_by_label("Investigation notes").fill("The call-back was not diarised.")
    page.get_by_label("Upheld", exact=True).check()
    _fill_date(page.get_by_role("group", name="Date of the outcome"), today)
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_role("link", name="Enter the action taken to put things right")
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Action taken").fill("Apologised; call-backs now go in the diary.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Complaint saved.")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "4-complaint")

    page.goto(f"{live_server}/cases/{case_id}/support")
    expect(page.get_by_role("cell", name=f"Upheld, {today:%-d %B %Y}")).to_be_visible()
    page.goto(f"{live_server}/complaints")
    assert axe_violations(page) == []
    _shot(page, "5-complaints")
    page.goto(f"{live_server}/complaints/return")
    expect(page.get_by_text("Apologised; call-backs now go in the diary.")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "6-return")

    # A session planned for next week that will not take place is cancelled.
    page.goto(f"{live_server}/groups/new")
    _fill_date(page.get_by_role("group", name="Date of the session"), today + timedelta(days=7))
    page.get_by_label("Where is it held?").fill("Braunstone youth centre")
    page.get_by_label("Facilitator").select_option(label="Sam Okafor")
    page.get_by_label("Topic").fill("Coping with court")
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_text("This session has not been held yet.")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/fix15b-planned-session.png", full_page=True)
    page.get_by_role("button", name="Cancel this session").click()
    expect(page.get_by_text("Group session cancelled: Coping with court")).to_be_visible()
    expect(page.get_by_role("link", name="Coping with court")).to_have_count(0)
    expect(page.get_by_role("link", name="Feeling safe online")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path="/tmp/fix15b-cancelled.png", full_page=True)
    context_.close()
