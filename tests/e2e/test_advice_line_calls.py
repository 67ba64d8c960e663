"""The advice line's calls in a real browser: an advisor goes on duty (the page says which number
the line rings), logs a missed call by hand (first refused without saying what happened), sees it
at the top of the queue with its callback due, opens it, records the callback, and sees it leave
the queue for the list of open contacts off it. Every page passes axe (WCAG 2.2 AA)."""

import os
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from casework.audit import Origin
from casework.db import db, utcnow
from casework.hsb.calls import receive_call
from scheduling.service_calendars import hsb_calendar
from tests.e2e.conftest import axe_violations, sign_in

pytestmark = pytest.mark.e2e
EMPTY = "No callbacks are owed and no new contacts are waiting"


def _shot(page, name: str) -> None:
    page.screenshot(path=os.path.join("/tmp", f"advice-calls-{name}.png"), full_page=True)


def test_an_advisor_logs_a_missed_call_and_calls_back(
    app, live_server, browser, create_team_record, create_staff_record
):
    team = create_team_record("HSB advice line", service="hsb")
    advisor = create_staff_record("hsb_advisor", team=team, name="Hana Advisor")
    advisor.phone = "+447700900461"
    db.session.commit()

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, advisor, landing="/advice-line")

    # The queue: empty, off duty, saying which number going on duty would ring.
    page.goto(f"{live_server}/advice-line")
    expect(page.get_by_text(EMPTY)).to_be_visible()
    expect(page.get_by_text("calls to the line will ring 07700 900461")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Go on duty").click()
    expect(page.get_by_text("You are on duty.", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Go off duty")).to_be_visible()
    _shot(page, "1-on-duty")
    assert axe_violations(page) == []

    # Log a missed call by hand: refused first without saying what happened.
    page.get_by_role("link", name="Log a call").click()
    page.get_by_label("Caller's name").fill("Priya Shah")
    page.get_by_label("Organisation").fill("Hillside Academy")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_role("button", name="Log call").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="Select whether the call was answered, missed or a voicemail")
    ).to_be_visible()
    _shot(page, "2-log-call-refused")
    assert axe_violations(page) == []
    page.get_by_label("Not answered").check()
    page.get_by_label("Region").select_option(label="Yorkshire and the Humber")
    page.get_by_role("button", name="Log call").click()
    expect(page.get_by_text("Call logged as contact")).to_be_visible()
    expect(page.get_by_role("heading", name="Priya Shah")).to_be_visible()
    expect(page.get_by_text("Due in", exact=False).first).to_be_visible()
    assert axe_violations(page) == []

    # It heads the queue, with its callback due.
    page.get_by_role("link", name="Advice line", exact=True).first.click()
    first_row = page.locator("table.govuk-table tbody tr").first
    expect(first_row).to_contain_text("Priya Shah, Hillside Academy")
    expect(first_row).to_contain_text("Due in")
    _shot(page, "3-queue")
    assert axe_violations(page) == []

    # Open it and record the callback: spoke to the professional.
    first_row.get_by_role("link").click()
    page.get_by_label("Spoke to the professional").check()
    page.get_by_label("Short note (optional)").fill("Talked through the traffic light tool.")
    _shot(page, "4-callback-form")
    page.get_by_role("button", name="Record callback").click()
    expect(page.get_by_text("Callback recorded. The callback is done.")).to_be_visible()
    expect(page.get_by_text("in time", exact=False)).to_be_visible()
    expect(page.get_by_text("Talked through the traffic light tool.")).to_be_visible()
    _shot(page, "5-callback-done")
    assert axe_violations(page) == []

    # It has left the queue, but is still open: the queue links to it until it is closed.
    page.get_by_role("link", name="Advice line", exact=True).first.click()
    expect(page.get_by_text(EMPTY)).to_be_visible()
    _shot(page, "6-queue-empty")
    page.get_by_role("link", name="1 open contact off the queue").click()
    expect(page.get_by_role("heading", name="Open contacts off the queue")).to_be_visible()
    row = page.locator("table.govuk-table tbody tr").first
    expect(row).to_contain_text("Priya Shah, Hillside Academy")
    expect(row).to_contain_text("Record the advice")
    _shot(page, "6b-open-off-queue")
    assert axe_violations(page) == []
    # On a phone the table scrolls inside its own box; the page itself does not run off.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    _shot(page, "6c-open-off-queue-phone")
    assert axe_violations(page) == []
    context.close()


def test_a_ringing_call_is_owed_its_callback_until_its_outcome_comes(
    app, live_server, browser, create_team_record, create_staff_record
):
    """A call rang the advisors on duty and the phone system has not reported its outcome
    (still ringing, or the report was lost): the queue lists it with its callback due and
    "Outcome not known yet", and its page says why a callback is owed. The advisor who took
    it says it was answered, and the callback is withdrawn."""
    team = create_team_record("HSB advice line", service="hsb")
    advisor = create_staff_record("hsb_advisor", team=team, name="Hana Advisor")
    advisor.phone, advisor.on_duty = "+447700900461", True
    db.session.commit()
    calendar = hsb_calendar(app.config)
    open_at = utcnow()
    while not calendar.is_open_at(open_at):  # the last moment the line was open
        open_at -= timedelta(minutes=30)
    rung = receive_call(
        db.session,
        "CA" + "7" * 32,
        "07700 900123",
        calendar=calendar,
        now=open_at,
        origin=Origin.command_line("test"),
    )
    assert rung.numbers == ("+447700900461",)

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, advisor, landing="/advice-line")
    row = page.locator("table.govuk-table tbody tr").first
    expect(row).to_contain_text("Caller 07700 900123")
    expect(row).to_contain_text("Outcome not known yet")
    expect(row).not_to_contain_text("New, no callback owed")
    _shot(page, "7-ringing-on-queue")
    assert axe_violations(page) == []
    row.get_by_role("link").click()
    expect(page.get_by_text("has not said yet whether this call was answered")).to_be_visible()
    expect(page.get_by_text("Telephone (outcome not known yet)")).to_be_visible()
    expect(page.get_by_role("button", name="Record callback")).to_be_visible()
    _shot(page, "8-ringing-contact")
    assert axe_violations(page) == []

    # The phone system never reports it: the advisor who took it says it was answered.
    page.get_by_role("button", name="It was answered").click()
    expect(
        page.get_by_text("Recorded: the call was answered, so no callback is owed.")
    ).to_be_visible()
    expect(page.get_by_text("No callback is owed any more.")).to_be_visible()
    expect(page.get_by_text("Telephone (answered)", exact=True)).to_be_visible()
    _shot(page, "9-said-answered")
    assert axe_violations(page) == []
    context.close()
