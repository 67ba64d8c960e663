"""A member of the public refers themselves using only the keyboard; axe finds no violations."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.db import db
from casework.referrals.models import Referral
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.e2e


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching ``selector`` has focus, as a keyboard user would."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def test_self_referral_with_keyboard_only_and_no_axe_violations(live_server, axe_page):
    page = axe_page
    page.goto(f"{live_server}/refer")
    assert axe_violations(page) == []

    tab_to(page, "#forename")
    page.keyboard.type("Robin")
    tab_to(page, "#surname")
    page.keyboard.type("Sample")
    tab_to(page, "input[name=concerns][value=HATE_CRIME]")
    page.keyboard.press("Space")
    tab_to(page, "#account")
    page.keyboard.type("Shouted at in the street because of my religion")
    tab_to(page, "input[name=contact_method][value=MOBILE_PHONE]")
    page.keyboard.press("Space")
    tab_to(page, "#phone")
    page.keyboard.type("07700 900123")
    tab_to(page, "input[name=safe_to_voicemail][value=yes]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=safe_to_text][value=yes]")
    page.keyboard.press("ArrowDown")  # within a radio group, arrows move and select
    tab_to(page, "#submit")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server}/refer/confirmation")
    expect(page.get_by_role("heading", name="Referral sent")).to_be_visible()
    assert axe_violations(page) == []
    db.session.rollback()
    referral = db.session.scalars(sa.select(Referral)).one()
    assert referral.reference in page.locator(".govuk-panel__body").inner_text()
    assert referral.priority_reasons == ["hate crime"]
    assert referral.safe_to_text is False


def test_errors_are_summarised_and_linked_and_pass_axe(live_server, axe_page):
    page = axe_page
    page.goto(f"{live_server}/refer")
    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    # GOV.UK Frontend moves focus to the summary once its script has run.
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter a first name").click()
    assert page.evaluate("document.activeElement.id") == "forename"
    assert axe_violations(page) == []
