"""A team leader searches from the box in the header, opens a result, and meets the empty state
and a query that cannot be searched, in a real browser, with axe on each page."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from casework.db import db
from tests.conftest import PASSWORD, audit_rows
from tests.e2e.conftest import axe_violations
from tests.factories import create_referrals
from tests.police import police_csv, police_row, referral_by_crime

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/wt-search-shots")


def test_team_leader_searches_from_the_header_and_opens_a_result(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    create_referrals(
        police_csv(
            police_row(
                crime_reference="LC-20261120-0001",
                forename="Zoë",
                surname="Brown",
                date_of_birth="1985-03-12",
                mobile_phone="07700 900123",
                postcode="LE2 1HL",
            ),
            police_row(
                crime_reference="LC-20261120-0002",
                forename="Siobhán",
                surname="O'Brien",
                date_of_birth="1979-10-02",
                mobile_phone="07700 900456",
            ),
        )
    )
    leader = create_staff_record("team_leader", team=create_team_record("City victims"))
    zoe = referral_by_crime("LC-20261120-0001")
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/queue")

    # The header's box, on the queue: the search page has its own, holding what was typed.
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "header.png"))
    page.get_by_role("searchbox", name="Search people").fill("zoe br")
    page.get_by_role("search", name="Search people").get_by_role("button").click()
    expect(page.get_by_role("heading", name="Search results")).to_be_visible()
    expect(page.get_by_text("1 person matches this name")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Zoë Brown")).to_be_visible()
    assert "Siobhán" not in page.content()
    page.screenshot(path=str(SHOTS / "results.png"), full_page=True)
    assert axe_violations(page) == []

    box = page.get_by_label("Name, reference, phone number, email, postcode or date of birth")
    expect(box).to_have_value("zoe br")
    expect(page.locator("#header-search-q")).to_have_count(0)

    # The same person by phone, written as people write it.
    box.fill("+44 7700 900123")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("1 person matches this phone number")).to_be_visible()
    page.get_by_role("link", name=f"{zoe.reference} referral of Zoë Brown").click()
    page.wait_for_url(f"{live_server}/referrals/{zoe.id}")
    expect(page.get_by_role("heading", name="Zoë Brown")).to_be_visible()
    db.session.rollback()
    assert [r.record_id for r in audit_rows("search.open")] == [str(zoe.id)]

    # Nobody found: the empty state, searched from the header of the referral's page.
    page.get_by_role("searchbox", name="Search people").fill("nobody")
    page.get_by_role("search", name="Search people").get_by_role("button").click()
    expect(page.get_by_role("heading", name="No people match this name")).to_be_visible()
    page.screenshot(path=str(SHOTS / "empty.png"), full_page=True)
    assert axe_violations(page) == []

    # A query that cannot be searched: the error summary, linked to the box on the page.
    page.goto(f"{live_server}/search?q=31/02/1985")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_role("link", name="That date of birth is not a real date").click()
    expect(page.locator("#search-q")).to_be_focused()
    page.screenshot(path=str(SHOTS / "problem.png"), full_page=True)
    assert axe_violations(page) == []
