"""The advice line in a real browser: a designated safeguarding lead asks for advice through
/professionals (first refused: no way to reach them), then an advisor opens the contact, records
case advice as red on the traffic light, is prompted to advise a referral, records it, and sees
the advice on the contact's page. Every page passes axe (WCAG 2.2 AA)."""

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    page.screenshot(path=os.path.join("/tmp", f"hsbadvice-{name}.png"), full_page=True)


def test_a_professional_asks_and_an_advisor_records_red_advice_with_a_referral(
    app, live_server, browser, create_team_record, create_staff_record
):
    team = create_team_record("HSB advice line", service="hsb")
    advisor = create_staff_record("hsb_advisor", team=team, name="Robin Advisor")

    # The professional, not signed in.
    public = browser.new_context(bypass_csp=True).new_page()
    public.set_default_timeout(15_000)
    public.goto(f"{live_server}/professionals")
    expect(public.get_by_text("Do not give a child’s name").first).to_be_visible()
    assert axe_violations(public) == []
    public.get_by_label("Your name").fill("Morgan Ellis")
    public.get_by_label("Your role").fill("Designated safeguarding lead")
    public.get_by_label("Type of setting").select_option(label="Secondary school")
    public.get_by_label("Organisation or setting").fill("Northfield Academy")
    public.get_by_label("Region").select_option(label="East Midlands")
    public.get_by_label("Case or incident", exact=False).first.check()
    public.get_by_label("What do you need advice about?").fill(
        "A 13-year-old pressured a younger pupil into sending images."
    )
    public.get_by_role("button", name="Send").click()
    expect(public.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        public.get_by_role("link", name="Enter an email address or a phone number")
    ).to_be_visible()
    assert axe_violations(public) == []
    _shot(public, "1-professional-refused")
    public.get_by_label("Email address").fill("m.ellis@northfield.example.org")
    public.get_by_role(
        "group", name="How confident are you in identifying harmful sexual behaviour?"
    ).get_by_label("2 –").check()
    public.get_by_role("button", name="Send").click()
    expect(public.get_by_role("heading", name="Request sent")).to_be_visible()
    expect(public.get_by_text("within 4 hours of the line opening").first).to_be_visible()
    assert axe_violations(public) == []
    _shot(public, "2-professional-sent")

    import sqlalchemy as sa

    from casework.db import db
    from casework.hsb.models import AdviceContact

    db.session.rollback()
    contact_id = db.session.scalar(sa.select(AdviceContact.id))

    # The advisor.
    page = browser.new_context(bypass_csp=True).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(advisor.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)
    page.goto(f"{live_server}/advice-line/contacts/{contact_id}")
    expect(page.get_by_role("heading", name="Morgan Ellis")).to_be_visible()
    expect(page.get_by_text("m.ellis@northfield.example.org")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "3-contact")

    page.get_by_role("link", name="Record the advice").click()
    page.get_by_label("Advice on a case or incident").check()
    page.get_by_label("Child’s age in years").fill("13")
    page.get_by_label("Setting where it happened").select_option(label="Secondary school")
    page.get_by_label("What happened").fill(
        "Repeated pressure on a younger pupil to send images, with threats."
    )
    page.get_by_label("Red", exact=True).check()
    expect(page.get_by_text("Follow the setting's safeguarding procedures now")).to_be_visible()
    page.get_by_label("Abusive", exact=True).check()
    page.get_by_role(
        "group", name="Is there a risk of significant harm to any child?"
    ).get_by_label("Yes").check()
    page.get_by_role("group", name="Does it meet the local authority’s threshold?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Image sharing").check()
    page.get_by_role("textbox", name="Advice given").fill(
        "Follow the school's safeguarding procedures today and refer to children's social care."
    )
    page.get_by_role("button", name="Save the advice").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("Advise a referral").first).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "4-advice-prompted")
    page.get_by_label("Local authority children's social care").check()
    page.get_by_role("button", name="Save the advice").click()
    expect(page.get_by_text("Advice saved.")).to_be_visible()
    advice = page.locator("#advice ~ dl").first
    expect(advice.get_by_text("13 years")).to_be_visible()
    expect(advice.get_by_text("Red", exact=True)).to_be_visible()
    expect(advice.get_by_text("Local authority children's social care")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "5-advice-recorded")

    # A word redacted from what was asked; then the pages to log an email and the guidance.
    page.get_by_role("link", name="Redact text").click()
    assert axe_violations(page) == []
    page.get_by_label("What they asked").check()
    page.get_by_label("Replace the words I type with [redacted]").check()
    page.get_by_label("Words to remove").fill("younger pupil")
    _shot(page, "6-redact")
    page.get_by_role("button", name="Redact the text").click()
    expect(page.get_by_text("Text redacted.")).to_be_visible()
    expect(
        page.get_by_text("A 13-year-old pressured a [redacted] into sending images.")
    ).to_be_visible()
    page.get_by_role("link", name="Log an email", exact=True).click()
    expect(page.get_by_role("heading", name="Log an email")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "7-log-email")
    page.goto(f"{live_server}/advice-line/guidance")
    expect(page.get_by_text("Wording: Waypoint's own.")).to_be_visible()
    assert axe_violations(page) == []
