"""A caseworker makes a case's support plan in a real browser from its needs assessment (keeping
one proposed action, editing one, dropping one), adds an action, marks one done, records a review
and a plan for reducing support; every page passes axe (WCAG 2.2 AA)."""

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.db import db
from casework.obligations.models import Obligation
from casework.plans.models import PlanAction, PlanReview, ResiliencePlan
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case_for_notes, create_complete_assessment
from tests.police import police_row

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("PLANS_SHOTS_DIR", "/tmp/wt-plans-shots")


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _date(page, name: str, day) -> None:
    boxes = page.locator(f'input[name="{name}"]')
    boxes.nth(0).fill(str(day.day))
    boxes.nth(1).fill(str(day.month))
    boxes.nth(2).fill(str(day.year))


def test_a_caseworker_makes_works_and_reviews_a_support_plan(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    today = now.date()
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    create_staff_record("caseworker", team=team, name="Cleo Colleague")
    opened = now - timedelta(days=40)
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
    create_complete_assessment(
        case,
        worker=worker,
        held_on=today,
        priorities={
            "personal_safety": "I don't feel safe going out at night",
            "mental_health": "I can't sleep",
            "accommodation": "The door lock is broken",
        },
        at=now,
    )
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(worker.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)

    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_text("a plan for reducing support is due")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "1-summary")

    page.get_by_role("link", name="Support plan", exact=True).first.click()
    expect(page.get_by_role("heading", name="Support plan", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Create the support plan").click()
    expect(page.get_by_role("heading", name="Create the support plan")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Create the support plan").click()  # no goals, no dates
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the person's goals")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []

    page.get_by_label("The person’s goals, in their own words").fill("To sleep through the night")
    _date(page, "a0_due_on", today + timedelta(days=7))  # kept as proposed
    page.locator('textarea[name="a1_description"]').fill("Refer to the GP for sleep support")
    _date(page, "a1_due_on", today + timedelta(days=3))  # edited
    page.locator('input[name="a2_keep"]').uncheck()  # dropped
    _shot(page, "2-create")
    page.get_by_role("button", name="Create the support plan").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Support plan created."))
    expect(page.locator("#actions")).to_contain_text("Refer to the GP for sleep support")
    expect(page.locator("#actions")).not_to_contain_text("The door lock is broken")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Add an action").click()
    expect(page.get_by_role("heading", name="Add an action")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("What will be done").fill("Ask the council to repair the door")
    page.get_by_label("A colleague in the team").check()
    page.get_by_label("Colleague (when a colleague owns it)").select_option(label="Cleo Colleague")
    _date(page, "due_on", today + timedelta(days=10))
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Action added."))
    expect(page.locator("#actions")).to_contain_text("Cleo Colleague")

    page.get_by_role("link", name=re.compile("Change action: Refer to the GP")).click()
    expect(page.get_by_role("heading", name="Change an action")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Done", exact=True).check()
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Action updated."))
    _shot(page, "3-plan")

    page.get_by_role("link", name="Record a review").click()
    expect(page.get_by_role("heading", name="Record a review of the support plan")).to_be_visible()
    assert axe_violations(page) == []
    _date(page, "held_on", today)
    open_actions = db.session.scalars(
        sa.select(PlanAction)
        .where(PlanAction.case_id == case.id, PlanAction.status != "done")
        .order_by(PlanAction.id)
    ).all()
    first = open_actions[0]
    page.locator(f'input[name="status_{first.id}"][value="in_progress"]').check()
    page.locator(f'textarea[name="progress_{first.id}"]').fill("Safety planning started")
    page.get_by_label("Any new need, in words (optional)").fill("Worried about the trial")
    page.locator('input[name="prompts_reassessment"][value="no"]').check()
    _shot(page, "4-review")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Review recorded."))
    expect(page.get_by_text("Safety planning started")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Record the plan for reducing support").click()
    expect(page.get_by_role("heading", name="Plan for reducing support")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("How will support be reduced over time?").fill(
        "Weekly calls for a month, then fortnightly, then close"
    )
    page.get_by_label("Is a volunteer part of it? If so, how (optional)").fill(
        "A befriender visits weekly"
    )
    page.get_by_role("button", name="Save the plan for reducing support").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile("Plan for reducing support recorded.")
    )
    expect(page.get_by_text("A befriender visits weekly")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "5-plan-reviewed")

    page.goto(f"{live_server}/cases/{case.id}")
    expect(page.get_by_text("a plan for reducing support is due")).to_have_count(0)
    _shot(page, "6-summary-after")

    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanReview)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResiliencePlan)) == 1
    reviews = db.session.scalars(
        sa.select(Obligation.status).where(Obligation.kind == "plan_review")
    ).all()
    assert sorted(reviews) == ["due", "met"]
