"""A caseworker assesses a person's needs in a real browser: starts the assessment, saves a
draft, completes it, later reassesses, and sees the distance travelled; every page passes axe
(WCAG 2.2 AA)."""

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.db import db
from casework.models import NeedsAssessment, Obligation
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case_for_notes
from tests.police import police_row
from triage.needs import AREAS

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("ASSESS_SHOTS_DIR", "/tmp/wt-assess-shots")


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _score(page, area: str, score: int) -> None:
    page.locator(f'input[name="score_{area}"][value="{score}"]').check()


def _held_on(page, day) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def test_a_caseworker_assesses_reassesses_and_sees_the_distance_travelled(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    opened = now - timedelta(days=200)
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            forename="Aisha",
            surname="Rahman",
            occurred_on=(opened - timedelta(days=1)).date().isoformat(),
        ),
        at=opened,
    )
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(worker.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)

    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_role("heading", name="Assessment", exact=True)).to_be_visible()
    expect(page.get_by_text("No needs assessment yet.")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Assessment", exact=True).click()
    expect(page.get_by_text("No needs assessment yet")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Start the needs assessment").click()
    expect(page.get_by_role("heading", name="Start the needs assessment")).to_be_visible()
    assert axe_violations(page) == []

    # Part way through: a draft keeps what was written.
    _score(page, "personal_safety", 2)
    page.get_by_label("Personal safety: In their own words").fill("I don't feel safe at home.")
    page.locator("#area-personal_safety").get_by_label("Priority for support").check()
    _score(page, "mental_health", 1)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Draft saved."))
    expect(page.locator(".govuk-tag", has_text="Draft")).to_be_visible()
    assert axe_violations(page) == []

    # Completing needs every area: the errors say which.
    page.get_by_role("button", name="Continue the draft assessment").click()
    expect(page.locator('input[name="score_personal_safety"][value="2"]')).to_be_checked()
    page.get_by_role("button", name="Complete assessment").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Family: choose a score from 1 to 5")
    expect(summary).to_contain_text("Enter the date the assessment was held")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    _shot(page, "1-assessment-errors")

    first_day = (opened + timedelta(days=30)).date()
    _held_on(page, first_day)
    page.get_by_label("Face to face").check()
    expect(page.get_by_label("Who held it?")).to_have_value(str(worker.id))
    for area in AREAS:
        if area not in ("personal_safety", "mental_health"):
            _score(page, area, 2)
    page.get_by_role("button", name="Complete assessment").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Needs assessment completed."))
    expect(page.get_by_text("I don't feel safe at home.")).to_be_visible()
    expect(page.get_by_role("link", name="make or update the support plan")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "2-assessment-complete")

    # Later: the reassessment, every area better.
    page.get_by_role("link", name="Assessment", exact=True).click()
    expect(page.get_by_text(re.compile("Next reassessment due by"))).to_be_visible()
    page.get_by_role("button", name="Start a reassessment").click()
    _held_on(page, now.date())
    page.get_by_label("Telephone").check()
    for area in AREAS:
        _score(page, area, 4)
    _score(page, "family", 1)
    page.get_by_role("button", name="Complete assessment").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Needs assessment completed."))

    page.get_by_role("link", name="Assessment", exact=True).click()
    chart = page.get_by_role(
        "img", name="Distance travelled per area, first assessment against latest"
    )
    expect(chart).to_be_visible()
    expect(
        page.get_by_role(
            "img", name="Distance travelled per domain, first assessment against latest"
        )
    ).to_be_visible()
    table = page.get_by_role("table").filter(has_text="Scores per area")
    expect(table.get_by_role("row", name=re.compile("^Mental health 1 4 \\+3"))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("^Family 2 1 -1"))).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "3-distance-travelled")

    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_text(re.compile("Last assessed"))).to_be_visible()
    _shot(page, "4-case-summary")

    db.session.rollback()
    found = db.session.scalars(sa.select(NeedsAssessment).order_by(NeedsAssessment.id)).all()
    assert [a.status for a in found] == ["complete", "complete"]
    assert [a.held_on for a in found] == [first_day, now.date()]
    reassessments = db.session.scalars(
        sa.select(Obligation).where(Obligation.kind == "reassessment").order_by(Obligation.id)
    ).all()
    assert [o.status for o in reassessments] == ["met", "due"]
