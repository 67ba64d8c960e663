"""The HSB line's monthly monitoring in a real browser: an analyst opens it from the Reports
page, sees the charts with their tables, picks a month and downloads the CSV; a professional
answers the feedback link. Every page passes axe (WCAG 2.2 AA)."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from casework.audit import Origin
from casework.db import db
from casework.hsb.feedback import request_feedback
from casework.hsb.monthly import last_full_month
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.hsb_report_factories import make_contact

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    page.screenshot(path=os.path.join("/tmp", f"hsb-report-{name}.png"), full_page=True)


def _month_of_contacts(month) -> None:
    """A handful of contacts in ``month``: answered and missed calls on weekdays, an email and
    a chat, with advice tagged."""
    start = month.start().astimezone(UTC)
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    at = monday.replace(hour=10)
    make_contact(
        received_at=at,
        duration=timedelta(minutes=12),
        traffic_light="amber",
        concern_tags=["online"],
        name="Hidden Name",
    )
    make_contact(received_at=at + timedelta(hours=4), call_outcome="missed")
    make_contact(received_at=at + timedelta(days=1, hours=4), call_outcome="missed")
    make_contact(received_at=at + timedelta(days=2, hours=1), call_outcome="voicemail")
    make_contact(
        "email",
        at + timedelta(days=3),
        replied_at=at + timedelta(days=3, hours=2),
        traffic_light="red",
        setting_type="primary",
    )
    make_contact("chat", at + timedelta(days=8), concern_tags=["peer_on_peer"])


def _sign_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)


def test_an_analyst_sees_the_months_charts_and_downloads_the_csv(
    app, live_server, browser, create_staff_record
):
    month = last_full_month(datetime.now(UTC))
    _month_of_contacts(month)
    analyst = create_staff_record("analyst", name="Ana Lyst")

    context = browser.new_context(bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server, analyst.email)
    page.goto(f"{live_server}/reports")
    page.get_by_role("link", name="HSB advice line monthly monitoring").click()
    expect(page.get_by_role("heading", name=f"HSB advice line, {month.label}")).to_be_visible()
    expect(page.get_by_role("img", name="Contacts by channel")).to_be_visible()
    expect(page.get_by_role("img", name="When calls were not answered")).to_be_visible()
    expect(
        page.get_by_role("table", name="Contacts by channel (the chart’s figures)")
    ).to_be_visible()
    expect(page.get_by_text("Hidden Name")).to_have_count(0)
    _shot(page, "1-month")
    assert axe_violations(page) == []

    # The month before: nothing received.
    earlier = month.previous()
    page.get_by_label("Month", exact=True).select_option(earlier.code)
    page.get_by_role("button", name="Show this month").click()
    expect(page.get_by_text(f"No contacts were received in {earlier.label}.")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Month", exact=True).select_option(month.code)
    page.get_by_role("button", name="Show this month").click()
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download these figures as a CSV file").click()
    download = waiting.value
    assert download.suggested_filename == f"hsb-monthly-{month.code}.csv"
    with open(download.path(), encoding="utf-8") as saved:
        text = saved.read()
    assert "Contacts,Total,6" in text and "Hidden Name" not in text
    context.close()


def test_a_professional_answers_the_feedback_link_once(app, live_server, browser):
    contact = make_contact(advised=True, confidence_before=(3, 3))
    _, link = request_feedback(
        db.session,
        contact.id,
        actor=None,
        origin=Origin.command_line("test"),
        now=datetime.now(UTC),
        base_url=live_server,
    )
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(link)
    expect(page.get_by_role("heading", name="Your feedback on the HSB advice line")).to_be_visible()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role(
        "group", name="How confident are you in identifying harmful sexual behaviour?"
    ).get_by_label("Confident", exact=True).check()
    page.get_by_role(
        "group", name="How confident are you in responding to harmful sexual behaviour?"
    ).get_by_label("Very confident").check()
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_label("Is there anything you would like to tell us? (optional)").fill(
        "Very helpful"
    )
    _shot(page, "2-feedback")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(link)
    expect(
        page.get_by_role("heading", name="This link has been used or has expired")
    ).to_be_visible()
    assert axe_violations(page) == []
    context.close()


def test_a_team_leader_follows_up_negative_feedback_and_sets_the_charge(
    app, live_server, browser, create_team_record, create_staff_record
):
    from casework.hsb.feedback import FeedbackAnswers, answer_feedback
    from scheduling.service_calendars import hsb_calendar

    contact = make_contact(advised=True, confidence_before=(4, 4), name="Robin Unhappy")
    now = datetime.now(UTC)
    _, link = request_feedback(
        db.session,
        contact.id,
        actor=None,
        origin=Origin.command_line("test"),
        now=now - timedelta(hours=2),
        base_url=live_server,
    )
    answer_feedback(
        db.session,
        link.rsplit("/", 1)[1],
        FeedbackAnswers(3, 4, 2, "Nobody called back"),
        calendar=hsb_calendar(app.config),
        origin=Origin.command_line("test"),
        now=now - timedelta(hours=1),
    )
    leader = create_staff_record(
        "team_leader", team=create_team_record("HSB line", service="hsb"), name="Lee Lead"
    )
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server, leader.email)

    page.goto(f"{live_server}/advice-line/contacts/{contact.id}")
    expect(page.get_by_text("Nobody called back")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_server}/advice-line/feedback")
    expect(page.get_by_text("due in")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name=f"Contact {contact.id}: Robin Unhappy").click()
    page.get_by_role("button", name="Record the follow-up").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("How was the feedback followed up?").fill("Called Robin; apologised")
    _shot(page, "3-follow-up")
    page.get_by_role("button", name="Record the follow-up").click()
    expect(page.get_by_text("Follow-up recorded.")).to_be_visible()
    expect(page.get_by_text("No negative feedback is waiting for a follow-up.")).to_be_visible()

    page.goto(f"{live_server}/advice-line/settings")
    assert axe_violations(page) == []
    page.get_by_label("Charge per contact").fill("45.00")
    page.get_by_label("Years a professional's details are kept").fill("3")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    _shot(page, "4-settings")
    assert axe_violations(page) == []
    context.close()
