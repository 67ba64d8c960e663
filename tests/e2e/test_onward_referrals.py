"""Onward referrals in a real browser: a caseworker refers a person to a sexual violence service
by secure email from the case (first refused with clear errors), the scheduler emails it over
STARTTLS to a real local SMTP server, and the outcome is recorded; then an emergency
target-hardening referral is made by phone. Every page passes axe (WCAG 2.2 AA)."""

import os
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from casework.db import db
from scheduling import sweeps
from scheduling.sweeps import context
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case_for_notes, create_registry_agency
from tests.fakes.smtp import SmtpServer
from tests.police import police_row

pytestmark = pytest.mark.e2e
SHOTS = "/tmp"


def _shot(page, name: str) -> None:
    page.screenshot(path=os.path.join(SHOTS, f"onward-{name}.png"), full_page=True)


@pytest.fixture
def tls_smtp(tmp_path):
    server = SmtpServer(tls_folder=tmp_path / "tls")
    yield server
    server.close()


@pytest.fixture
def app_overrides(tls_smtp):
    return {
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": tls_smtp.port,
        "SMTP_CA_FILE": tls_smtp.ca_file,
    }


def _sign_in(browser, live_server, staff):
    context_ = browser.new_context(bypass_csp=True)
    page = context_.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)
    return context_, page


def _last_open_call(now: datetime, tz) -> datetime:
    """10:30 UK time on the latest Monday-Saturday before now (the referring service's hours)."""
    day = now.astimezone(tz).date()
    while True:
        at = datetime.combine(day, time(10, 30), tzinfo=tz)
        if day.weekday() < 6 and at < now:
            return at
        day -= timedelta(days=1)


def test_an_emailed_referral_with_its_outcome_and_an_emergency_target_hardening_call(
    app, live_server, browser, create_team_record, create_staff_record, tls_smtp
):
    from scheduling.service_calendars import victim_calendar

    now = datetime.now(UTC)
    tz = victim_calendar(app.config).tz
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    opened = now - timedelta(days=20)
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            forename="Aisha",
            surname="Rahman",
            date_of_birth="1991-07-02",
            occurred_on=(opened - timedelta(days=1)).date().isoformat(),
        ),
        at=opened,
    )
    create_registry_agency(
        "Rape Crisis Leicestershire",
        provides="sexual_violence",
        secure_email="referrals@rapecrisis.example",
    )
    create_registry_agency(
        "SafeHome Contractors", provides="target_hardening", secure_email="th@safehome.example"
    )
    create_registry_agency("Community Drop-in", isa=False)

    context_, page = _sign_in(browser, live_server, worker)
    page.goto(f"{live_server}/cases/{case.id}/onward")
    expect(page.get_by_role("heading", name="Onward referrals", exact=True)).to_be_visible()
    expect(page.get_by_text("No onward referrals have been made for this case.")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "1-empty-tab")

    page.get_by_role("link", name="Make an onward referral").click()
    page.get_by_role("button", name="Make the referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the service you are referring to")
    expect(summary).to_contain_text("Select how the referral is made")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []

    page.get_by_label("Sexual violence specialist service").check()
    page.get_by_label("Agency", exact=True).select_option(
        label="Rape Crisis Leicestershire – Sexual violence specialist service"
    )
    page.get_by_label("Name", exact=True).check()
    page.get_by_label("Why we are referring", exact=True).check()
    page.get_by_label("Why we are referring (shared only when ticked above)").fill(
        "Asked for specialist counselling after the assault"
    )
    page.get_by_label("Secure email").check()
    page.get_by_role("button", name="Make the referral").click()
    expect(summary).to_contain_text("has not consented to share with Rape Crisis Leicestershire")
    assert axe_violations(page) == []
    _shot(page, "2-form-errors")

    page.get_by_label("The person agreed to this referral: record their consent now").check()
    page.get_by_label("Said so in a conversation (phone or in person)").check()
    _shot(page, "3-form-filled")
    page.get_by_role("button", name="Make the referral").click()
    expect(page.get_by_role("alert")).to_contain_text("Referral queued")
    expect(page.get_by_text("Waiting to be emailed").first).to_be_visible()
    assert axe_violations(page) == []

    # The scheduler sends it, in its own process's session.
    with Session(db.engine) as session:
        assert (
            sweeps.dispatch_messages(session, context(app.config), now=datetime.now(UTC))["sent"]
            == 1
        )
    [email] = tls_smtp.messages
    assert tls_smtp.over_tls == [True]
    body = email.get_content()
    assert "Name: Aisha Rahman" in body and "specialist counselling" in body
    assert "1991" not in body and "Test Street" not in body and "+44" not in body

    page.reload()
    expect(page.get_by_text("Sent, waiting for an outcome").first).to_be_visible()
    expect(page.get_by_text("Follow up by")).to_be_visible()
    page.get_by_label("Accepted").check()
    today = datetime.now(UTC).astimezone(tz).date()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Save the outcome").click()
    expect(summary).to_contain_text("Enter a note of what the agency said")
    assert axe_violations(page) == []
    page.get_by_label("What the agency said").fill("Accepted: first session booked")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_role("alert")).to_contain_text("Outcome saved: Accepted.")
    expect(page.get_by_text("Accepted, told us")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "4-referral-with-outcome")

    # An emergency target-hardening referral, by phone.
    page.get_by_role("link", name="All onward referrals").click()
    page.get_by_role("link", name="Make an onward referral").click()
    page.get_by_label("Target hardening (home security)").check()
    page.get_by_label("Agency", exact=True).select_option(
        label="SafeHome Contractors – Target hardening (home security)"
    )
    page.get_by_label("The person agreed to this referral: record their consent now").check()
    page.get_by_label("Said so in a conversation (phone or in person)").check()
    page.get_by_label("Emergency (by phone, attended within 4 hours)").check()
    page.get_by_label("What makes the person vulnerable?").fill("Offender has a key; lives alone")
    page.get_by_label("Secure email").check()
    page.get_by_role("button", name="Make the referral").click()
    expect(summary).to_contain_text("An emergency target-hardening referral is made by phone")
    assert axe_violations(page) == []
    page.get_by_label("Telephone", exact=True).check()
    page.get_by_label("Who did you speak to?").fill("SafeHome duty line")
    called = _last_open_call(datetime.now(UTC), tz)
    fieldset = page.locator("fieldset", has_text="Date of the call")
    fieldset.get_by_label("Day").fill(str(called.day))
    fieldset.get_by_label("Month").fill(str(called.month))
    fieldset.get_by_label("Year").fill(str(called.year))
    page.get_by_label("Time of the call (24-hour, UK time)").fill("10:30")
    page.get_by_role("button", name="Make the referral").click()
    expect(page.get_by_role("alert")).to_contain_text("Referral made by phone.")
    expect(page.get_by_text(re.compile("Emergency .*phoned"))).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "5-emergency-target-hardening")

    page.get_by_role("link", name="All onward referrals").click()
    expect(page.get_by_role("link", name=re.compile("Target hardening visit"))).to_be_visible()
    expect(page.get_by_text("Consent given").first).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "6-tab-with-referrals")

    page.get_by_role(
        "link", name="Withdraw consent to share with Rape Crisis Leicestershire"
    ).click()
    expect(page.get_by_text("Nothing more will be shared with Rape Crisis")).to_be_visible()
    page.get_by_role("button", name="Withdraw consent").click()
    expect(summary).to_contain_text("Select how the person said so")
    assert axe_violations(page) == []
    page.get_by_label("In writing (letter, email or form)").check()
    page.get_by_label("Note (optional)").fill("Emailed us to say no more sharing")
    _shot(page, "7-withdraw-consent")
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Consent to share with Rape Crisis Leicestershire withdrawn"
    )
    expect(page.get_by_text("Consent withdrawn")).to_be_visible()
    expect(
        page.get_by_role("link", name="Record consent to share with Rape Crisis Leicestershire")
    ).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "8-consent-withdrawn")
    context_.close()
