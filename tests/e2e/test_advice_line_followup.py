"""The HSB advice line's follow-up in a real browser: an advisor adds a resource to the
directory (first refused: no title, a web address that is not one), finds it from a contact's
page and gives it, books a follow-up session (first refused: outside the line's hours) and sees
it on the contact's page, then records evidence of local practice. Every page passes axe (WCAG
2.2 AA)."""

import os
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from casework.db import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.integration.hsb_helpers import make_contact

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    page.screenshot(path=os.path.join("/tmp", f"hsbres-{name}.png"), full_page=True)


def test_an_advisor_adds_a_resource_gives_it_and_books_a_session(
    app, live_server, browser, create_staff_record
):
    from casework.hsb.sessions import LONDON, reminder_moment
    from scheduling.service_calendars import hsb_calendar

    calendar = hsb_calendar(app.config)
    # A service day at least three days off whose reminder (09:00 the working day before) is
    # still to come: booked on Christmas Day, Tuesday's was due on Christmas Eve.
    day = calendar.local_date(datetime.now(UTC)) + timedelta(days=3)
    while not calendar.is_service_day(day) or reminder_moment(
        datetime.combine(day, time(10), tzinfo=LONDON), calendar
    ) <= datetime.now(UTC):
        day += timedelta(days=1)
    advisor = create_staff_record("hsb_advisor", name="Alex Advisor")
    contact = make_contact(app, name="Jordan Reed")
    contact_id = contact.id
    db.session.commit()

    context_ = browser.new_context(bypass_csp=True)
    page = context_.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(advisor.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)

    # The directory: empty, then a resource added after a refusal.
    page.goto(f"{live_server}/advice-line/resources")
    expect(page.get_by_text("No resources match")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Add a resource").click()
    page.get_by_label("Web address (optional)").fill("not a web address")
    page.get_by_role("button", name="Save the resource").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the resource's title")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Title").fill("Stop It Now helpline (Lucy Faithfull Foundation)")
    page.get_by_label("Web address (optional)").fill("https://www.stopitnow.org.uk/")
    page.get_by_label("Description (optional)").fill(
        "Confidential advice for anyone worried about a child's sexual behaviour."
    )
    page.get_by_label("Local or regional contact").check()
    page.get_by_label("Designated safeguarding leads").check()
    page.get_by_label("Parents and carers").check()
    page.get_by_label("Topic").select_option(label="Support services")
    _shot(page, "1-new-resource")
    page.get_by_role("button", name="Save the resource").click()
    expect(page.get_by_text("added to the directory")).to_be_visible()
    expect(
        page.get_by_role("link", name="Stop It Now helpline (Lucy Faithfull Foundation)")
    ).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "2-directory")

    # Give it from the contact's page.
    page.goto(f"{live_server}/advice-line/contacts/{contact_id}")
    expect(page.get_by_text("No resources given yet.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Find a resource to give").fill("worried sexual BEHAVIOUR")
    page.get_by_role("button", name="Find resources").click()
    page.get_by_role("button", name="Give Stop It Now helpline (Lucy Faithfull Foundation)").click()
    expect(page.get_by_text("recorded as given")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "3-given")
    page.get_by_role("link", name="Back to the contact").first.click()
    expect(
        page.get_by_role("link", name="Stop It Now helpline (Lucy Faithfull Foundation)")
    ).to_be_visible()

    # Book a follow-up session: outside the hours first.
    page.get_by_role("link", name="Book a follow-up session").click()
    assert axe_violations(page) == []
    group = page.get_by_role("group", name="Date")
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("19:30")
    page.get_by_label("Video call").check()
    page.get_by_label("Joining details").fill("https://meet.example.org/hsb-follow-up")
    page.get_by_role("button", name="Book the session").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="The session must be within the line's hours")
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Start time").fill("10:00")
    _shot(page, "4-book-session")
    page.get_by_role("button", name="Book the session").click()
    expect(page.get_by_text("Session booked for")).to_be_visible()
    sessions = page.locator("#sessions + .app-table-scroll table")
    expect(sessions.get_by_text("Video call")).to_be_visible()
    expect(sessions.get_by_text("Booked")).to_be_visible()
    expect(sessions.get_by_text("Reminder due")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "5-contact-with-session")

    # The session's own page.
    sessions.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Follow-up session")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "6-session")
    # Cancelling is asked first; keeping it changes nothing.
    page.get_by_role("link", name="Cancel the session").click()
    expect(page.get_by_text("emailed a cancellation of this time")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "6b-cancel-asked")
    page.get_by_role("link", name="Keep the session").click()
    expect(page.get_by_role("heading", name="Follow-up session")).to_be_visible()
    expect(page.get_by_text("Booked", exact=True)).to_be_visible()

    # Evidence of local practice from the contact.
    page.goto(f"{live_server}/advice-line/contacts/{contact_id}")
    page.get_by_role("link", name="Record evidence of local practice").click()
    page.get_by_label("Good practice").check()
    page.get_by_label("Training").check()
    page.get_by_label("Summary").fill("The school trains every member of staff on HSB each term.")
    page.get_by_role("button", name="Record the evidence").click()
    expect(page.get_by_text("Evidence of local practice recorded.")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_server}/advice-line/evidence")
    expect(page.get_by_text("trains every member of staff")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "7-evidence")
    context_.close()
