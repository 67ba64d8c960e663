"""A team leader works the queue in a real browser: open a referral, allocate it, record a call."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.contact.models import ContactAttempt
from casework.db import db
from casework.referrals.models import Referral
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in
from tests.factories import create_referrals
from tests.police import SAMPLE, police_csv, police_row

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_team_leader_allocates_and_records_a_call(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    create_referrals(
        (ROOT / SAMPLE).read_bytes(),
        received=now - timedelta(hours=3),
        now=now,
    )
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team)
    create_staff_record(
        "caseworker",
        team=team,
        name="Sam Okafor",
        specialisms=("hate_crime", "children_young_people"),
    )
    page = axe_page
    sign_in(page, live_server, leader)
    assert "6 open referrals" in page.locator("caption").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Aisha Rahman").click()  # chose a call on her mobile
    expect(page.get_by_role("heading", name="Aisha Rahman")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Sam Okafor").check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("Allocated to Sam Okafor.")).to_be_visible()

    page.get_by_role("link", name="Record a call").click()
    expect(page.get_by_role("heading", name="Record a call")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("No answer", exact=True).check()
    page.get_by_role("button", name="Record call").click()
    expect(page.get_by_text("Call recorded.")).to_be_visible()
    db.session.rollback()
    referral = db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == "LC-20261120-0042")
    ).one()
    assert referral.allocated_to.name == "Sam Okafor"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactAttempt)) == 1


def test_a_home_visit_is_recorded_without_javascript(
    app, live_server, browser, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    create_referrals(
        police_csv(police_row(contact_method="IN_PERSON", flags="VULNERABLE;REFUSED_PHONE")),
        received=now - timedelta(hours=3),
        now=now,
    )
    referral_id = db.session.scalars(sa.select(Referral.id)).one()
    leader = create_staff_record("team_leader", team=create_team_record())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server}/login")
        page.get_by_label("Email address").fill(leader.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server}/referrals/{referral_id}")
        page.get_by_role("link", name="Record a home visit").click()
        visit = page.get_by_role("form", name="Record a home visit")
        expect(page.get_by_role("form", name="Record a call")).to_have_count(0)
        visit.get_by_label("Visited", exact=True).check()
        visit.get_by_role("button", name="Record home visit").click()
        expect(page.get_by_role("alert")).to_have_text(re.compile("Home visit recorded."))
    finally:
        context.close()
    db.session.rollback()
    [attempt] = db.session.scalars(sa.select(ContactAttempt)).all()
    assert (attempt.channel, attempt.outcome) == ("home_visit", "visited")


def test_team_leader_sees_two_people_on_record_may_be_one_and_confirms_it(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    """Alex Example is on record twice, each time with a different mobile; a new referral
    gives both. It joins the first record and offers the second: confirming makes them one."""
    now = datetime.now(UTC)
    create_referrals(police_row(crime_reference="LC-1", mobile_phone="07700 900001"), now=now)
    create_referrals(police_row(crime_reference="LC-2", mobile_phone="07700 900002"), now=now)
    create_referrals(
        police_row(crime_reference="LC-3", mobile_phone="07700 900001", home_phone="07700 900002"),
        now=now,
    )
    first, second, third = (
        db.session.scalars(sa.select(Referral).where(Referral.crime_reference == ref)).one()
        for ref in ("LC-1", "LC-2", "LC-3")
    )
    leader = create_staff_record("team_leader", team=create_team_record("City victim team"))
    page = axe_page
    sign_in(page, live_server, leader)
    expect(page.get_by_text("Possibly on record twice")).to_have_count(1)
    page.goto(f"{live_server}/referrals/{third.id}")
    expect(page.get_by_text("Repeat victim", exact=True)).to_be_visible()
    offer = page.locator(".govuk-inset-text").filter(has_text="May be the same person as")
    expect(offer).to_contain_text(second.reference)
    expect(offer).to_contain_text("matched on name and date of birth and phone")
    expect(page.get_by_role("heading", name="Possibly on record twice")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Same person").click()
    expect(page.get_by_text("May be the same person as")).to_have_count(0)
    expect(
        page.get_by_text("Match confirmed: one person, marked as a repeat victim.")
    ).to_be_visible()
    db.session.expire_all()
    assert {db.session.get(Referral, r.id).person_id for r in (first, second, third)} == {first.id}
