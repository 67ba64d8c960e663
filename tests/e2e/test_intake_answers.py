"""Safe contact and "About you" on /refer, and a staff-entered referral, in a real browser;
axe finds no violations on the forms, their errors, or the pages that show the answers."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.db import db
from casework.people.models import Person
from casework.referrals.models import Referral
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.e2e


def test_refer_asks_safe_contact_and_about_you_and_stores_the_answers(live_server, axe_page):
    page = axe_page
    page.goto(f"{live_server}/refer")
    expect(page.get_by_role("heading", name="About you (optional)")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Sample")
    page.get_by_label("Call my mobile").check()
    page.get_by_label("Telephone number").fill("07700 900123")
    page.locator("input[name=safe_to_voicemail][value=no]").check()
    page.locator("input[name=safe_to_text][value=yes]").check()
    page.locator("input[name=safe_to_email][value=no]").check()
    page.locator("input[name=safe_to_post][value=no]").check()
    page.get_by_label("Only on certain days").check()
    page.get_by_label("Safe from (24-hour time)").fill("18:00")
    page.get_by_label("Safe until (24-hour time)").fill("17:00")
    page.locator("input[name=sex][value=female]").check()
    page.get_by_label("What is your ethnic group?").select_option("asian_bangladeshi")
    page.locator("input[name=religion][value=prefer_not_to_say]").check()
    page.get_by_role("button", name="Send referral").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Select at least one day")).to_be_visible()
    page.screenshot(path="/tmp/intake-refer-errors.png", full_page=True)
    assert axe_violations(page) == []

    page.get_by_label("Tuesday").check()
    page.get_by_label("Thursday").check()
    page.get_by_label("Safe from (24-hour time)").fill("17:00")
    page.get_by_label("Safe until (24-hour time)").fill("19:30")
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_url(f"{live_server}/refer/confirmation")
    db.session.rollback()
    person = db.session.scalars(sa.select(Person)).one()
    assert (person.safe_to_email, person.safe_to_post) == (False, False)
    assert person.safe_windows == [{"days": [1, 3], "start": "17:00", "end": "19:30"}]
    assert (person.sex, person.ethnic_group, person.religion) == (
        "female",
        "asian_bangladeshi",
        "prefer_not_to_say",
    )
    assert person.sexual_orientation is None


def test_a_caseworker_records_a_community_event_referral(
    live_server, axe_page, create_team_record, create_staff_record
):
    worker = create_staff_record("caseworker", team=create_team_record("City victim team"))
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(worker.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/**")
    page.get_by_role("link", name="Record a referral").click()
    expect(page.get_by_role("heading", name="Record a self-referral")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("At a community event").check()
    page.get_by_role("button", name="Record referral").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_role("link", name="Enter a first name")).to_be_visible()
    assert axe_violations(page) == []

    event = page.get_by_role("group", name="Date of the community event")
    received = page.get_by_role("group", name="Date received")
    page.get_by_label("Name of the community event").fill("Braunstone summer fair")
    for part in ("Day", "Month", "Year"):
        event.get_by_label(part).fill(received.get_by_label(part).input_value())
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Fairgoer")
    page.get_by_label("Call their mobile").check()
    page.get_by_label("Telephone number").fill("07700 900777")
    page.locator("input[name=safe_to_voicemail][value=no]").check()
    page.locator("input[name=safe_to_text][value=yes]").check()
    page.locator("input[name=safe_to_post][value=no]").check()
    page.locator("input[name=safe_days][value=weekdays]").check()
    page.get_by_label("Safe from (24-hour time)").fill("10:00")
    page.get_by_label("Safe until (24-hour time)").fill("14:00")
    page.locator("input[name=sexual_orientation][value=prefer_not_to_say]").check()
    page.get_by_role("button", name="Record referral").click()

    expect(page.get_by_role("heading", name="Jo Fairgoer")).to_be_visible()
    expect(page.get_by_text("Self-referral at a community event").first).to_be_visible()
    expect(page.get_by_text("weekdays 10:00 to 14:00")).to_be_visible()
    page.screenshot(path="/tmp/intake-entered-referral.png", full_page=True)
    assert axe_violations(page) == []
    db.session.rollback()
    referral = db.session.scalars(sa.select(Referral)).one()
    assert (referral.self_route, referral.event_name) == (
        "community_event",
        "Braunstone summer fair",
    )
    assert referral.allocated_to_id == worker.id

    page.get_by_role("link", name="Triage queue").first.click()
    expect(page.get_by_text("Self-referral at a community event")).to_be_visible()
    assert axe_violations(page) == []


def test_the_first_conversation_asks_what_the_police_did_not(
    live_server, axe_page, create_team_record, create_staff_record
):
    from datetime import UTC, datetime, timedelta

    from tests.factories import create_referrals
    from tests.police import police_row

    now = datetime.now(UTC)
    create_referrals(police_row(gender="F", ethnicity="W2"), received=now - timedelta(hours=1))
    leader = create_staff_record("team_leader", team=create_team_record("City victim team"))
    rid = db.session.scalar(sa.select(Referral.id))
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/queue")
    page.goto(f"{live_server}/referrals/{rid}/record/conversation")
    expect(page.get_by_role("heading", name="Record the first conversation")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Initial contact only").check()
    page.locator("input[name=safe_to_post][value=yes]").check()
    page.locator("input[name=safe_days][value=any]").check()
    page.get_by_label("Safe from (24-hour time)").fill("09:00")
    page.get_by_label("Safe until (24-hour time)").fill("12:00")
    page.locator("input[name=disability][value=prefer_not_to_say]").check()
    page.screenshot(path="/tmp/intake-conversation.png", full_page=True)
    page.get_by_role("button", name="Record conversation").click()
    expect(page.get_by_text("Conversation recorded.")).to_be_visible()
    expect(page.get_by_text("any day 09:00 to 12:00")).to_be_visible()
    assert axe_violations(page) == []
    db.session.rollback()
    person = db.session.scalars(sa.select(Person)).one()
    assert (person.safe_to_post, person.disability, person.ethnic_group) == (
        True,
        "prefer_not_to_say",
        "white_irish",
    )
