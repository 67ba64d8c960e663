"""The partner registry in a real browser: an admin adds an agency with a contact, sees its
partnership review due on the registry, records the review (first refused without a date), and a
caseworker reads the entry without the admin's controls. Every page passes axe (WCAG 2.2 AA)."""

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from casework.partners.registry import months_after
from casework.staff.vetting import local_today
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("PARTNERS_SHOTS_DIR", "/tmp")


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"partners-{name}.png"), full_page=True)


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


def _fill_date(group, day) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_an_admin_keeps_the_registry_and_a_caseworker_reads_it(
    app, live_server, browser, create_team_record, create_staff_record
):
    today = local_today(datetime.now(UTC))
    signed = months_after(today, -6) + timedelta(days=12)  # its review falls in 12 days or so
    team = create_team_record("City victim team")
    admin = create_staff_record("admin", name="Alex Admin")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")

    context, page = _sign_in(browser, live_server, admin)
    page.get_by_role("link", name="Partner agencies").click()
    expect(page.get_by_role("heading", name="Partner agencies")).to_be_visible()
    expect(page.get_by_text("No partnership review is due in the next 30 days.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add an agency").click()
    page.get_by_label("Name of the agency").fill("Juniper Lodge Sexual Violence Service")
    page.get_by_label("Secure email address for referrals").fill("not an address")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the type of agency")
    expect(summary).to_contain_text("Enter the secure email address in the correct format")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    _shot(page, "1-add-agency-errors")
    page.get_by_label("Type of agency").select_option(label="Specialist support service")
    page.get_by_label("Level of partnership").select_option(label="Partner (specialist)")
    page.get_by_label("Onward service it provides").select_option(
        label="Sexual violence specialist service"
    )
    page.get_by_label("Our keyworker for this partnership").fill("Jo Patel")
    _fill_date(page.get_by_role("group", name=re.compile("Date the memorandum")), signed)
    page.get_by_label("An information-sharing agreement is in place").check()
    page.get_by_label("Secure email address for referrals").fill(
        "referrals@juniperlodge.example.org"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Juniper Lodge Sexual Violence Service added to the registry."
    )
    assert axe_violations(page) == []

    page.get_by_role("link", name=re.compile("Add a contact")).click()
    page.get_by_label("Name").fill("Priya Shah")
    page.get_by_label("Role (optional)").fill("Referrals coordinator")
    page.get_by_label("Email address").fill("priya.shah@juniperlodge.example.org")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("alert")).to_contain_text("Priya Shah added as a contact.")
    expect(page.get_by_role("cell", name="Referrals coordinator")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "2-agency-with-contact")

    page.get_by_role("link", name="Partner agencies").first.click()
    due = page.locator("section", has=page.get_by_role("heading", name="Partnership reviews due"))
    expect(due.get_by_role("link", name="Juniper Lodge Sexual Violence Service")).to_be_visible()
    expect(due.get_by_text(re.compile(r"Due in \d+ days"))).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "3-reviews-due")

    due.get_by_role("link", name="Juniper Lodge Sexual Violence Service").click()
    page.get_by_role("button", name="Record the review").click()  # no date
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the review was held"
    )
    assert axe_violations(page) == []
    _fill_date(page.get_by_role("group", name="Date the review was held"), today)
    page.get_by_role("button", name="Record the review").click()
    next_review = months_after(today, 6)
    expect(page.get_by_role("alert")).to_contain_text(
        f"Review recorded. The next is due by {next_review.day} {next_review:%B %Y}."
    )
    assert axe_violations(page) == []
    _shot(page, "4-review-recorded")
    page.get_by_role("link", name="Partner agencies").first.click()
    expect(page.get_by_text("No partnership review is due in the next 30 days.")).to_be_visible()
    context.close()

    context, page = _sign_in(browser, live_server, worker)
    page.get_by_role("link", name="Partner agencies").click()
    expect(page.get_by_role("heading", name="Partnership reviews due")).to_have_count(0)
    expect(page.get_by_role("button", name="Add an agency")).to_have_count(0)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Juniper Lodge Sexual Violence Service").click()
    expect(page.get_by_text("referrals@juniperlodge.example.org")).to_be_visible()
    expect(page.get_by_role("cell", name="Priya Shah")).to_be_visible()
    expect(page.get_by_text("No referral you can see has come from Juniper Lodge")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Edit the entry"))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Remove"))).to_have_count(0)
    assert axe_violations(page) == []
    _shot(page, "5-caseworker-reads")
    context.close()


def test_an_agency_awaiting_its_entry_is_merged_into_the_registry(
    app, live_server, browser, create_staff_record
):
    from flask import current_app

    from casework.audit import Origin
    from casework.db import db
    from casework.demo.partners import seed_partners
    from casework.referrals.partner_referral import ReferrerDetails, submit_partner_referral
    from casework.referrals.victim_details import VictimDetails
    from scheduling.service_calendars import victim_calendar

    now = datetime.now(UTC)
    agencies = seed_partners(db.session, now)
    housing = agencies["Soar Valley Housing Association"]
    reference = submit_partner_referral(
        db.session,
        ReferrerDetails("Soar Valley HA", "Housing", "Harriet Officer", "harriet.o@gmail.com"),
        VictimDetails(
            "Peter",
            "Demo",
            "HOME_PHONE",
            phone="0116 496 0555",
            safe_to_voicemail=True,
            safe_to_text=False,
            account="Neighbours keep throwing things at his windows",
        ),
        consent=True,
        dedupe_token="e2e-merge",
        calendar=victim_calendar(current_app.config),
        now=now,
        origin=Origin.command_line("test"),
    ).reference
    admin = create_staff_record("admin", name="Alex Admin")

    context, page = _sign_in(browser, live_server, admin)
    page.get_by_role("link", name="Partner agencies").click()
    due = page.locator("section", has=page.get_by_role("heading", name="Partnership reviews due"))
    expect(due.get_by_text("Overdue", exact=True)).to_be_visible()
    expect(due.locator(".govuk-tag--red")).to_have_count(1)
    assert axe_violations(page) == []
    _shot(page, "6-demo-registry")
    page.get_by_role("link", name=re.compile("Awaiting a registry entry")).click()
    expect(page.get_by_role("cell", name="harriet.o@gmail.com", exact=False)).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "7-awaiting")
    page.get_by_role("link", name="Soar Valley HA", exact=True).click()
    page.get_by_role("link", name="merge it into a registry agency").click()
    expect(page.get_by_text("1 referral that came from it")).to_be_visible()
    page.get_by_label("Registry agency it really is").select_option(label=housing.name)
    assert axe_violations(page) == []
    _shot(page, "8-merge")
    page.get_by_role("button", name="Merge").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Soar Valley HA merged into {housing.name}.")
    expect(page.get_by_text(f"1 referral you can see came from {housing.name}.")).to_be_visible()
    expect(page.get_by_role("cell", name="Harriet Officer").first).to_be_visible()
    expect(
        page.get_by_text("No information-sharing agreement is in place with this agency")
    ).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "9-merged")
    page.get_by_role("link", name=reference).click()
    referred_by = page.locator(".govuk-summary-list__row", has_text="Referred by")
    referred_by.get_by_role("link", name=housing.name).click()
    expect(page.get_by_role("heading", name=housing.name)).to_be_visible()
    context.close()
