"""Issue 13's "Done when", in a real browser: a caseworker takes a person from the first
conversation through the needs assessment, the support plan, a review, the reassessment and
closure; every page passes axe (WCAG 2.2 AA). Both assessments are held today: nothing here
needs the clock moved."""

import os
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.audit import Origin
from casework.db import db
from casework.models import CaseClosure, NeedsAssessment, PlanAction, PlanReview, Referral
from casework.referrals.decisions import allocate
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_referrals
from tests.police import police_row
from triage.needs import AREAS

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("JOURNEY_SHOTS_DIR", "/tmp/wt-journey-shots")


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _date(page, name: str, day) -> None:
    boxes = page.locator(f'input[name="{name}"]')
    boxes.nth(0).fill(str(day.day))
    boxes.nth(1).fill(str(day.month))
    boxes.nth(2).fill(str(day.year))


def _held_on(page, day) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def _assess(page, today, scores: dict[str, int], how: str) -> None:
    _held_on(page, today)
    page.get_by_label(how).check()
    for area, score in scores.items():
        page.locator(f'input[name="score_{area}"][value="{score}"]').check()


def _ok(page, message: str) -> None:
    expect(page.get_by_role("alert")).to_have_text(re.compile(re.escape(message)))
    assert axe_violations(page) == []


def test_a_caseworker_takes_a_person_from_first_conversation_to_closure(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    create_referrals(
        police_row(crime_reference="LC-JOURNEY-1", forename="Aisha", surname="Rahman"),
        received=now - timedelta(hours=2),
        now=now - timedelta(hours=2),
    )
    referral = db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == "LC-JOURNEY-1")
    ).one()
    allocate(
        db.session,
        referral.id,
        worker.id,
        actor=leader,
        origin=Origin.command_line("test"),
        now=now - timedelta(hours=1),
    )
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(worker.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda u: "/login" not in u)

    # The first conversation: a call, then further support, which opens the case.
    page.get_by_role("link", name="Aisha Rahman").click()
    expect(page.get_by_role("heading", name="Aisha Rahman", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Record a call").click()
    page.get_by_label("Spoke to them").check()
    page.get_by_role("button", name="Record call").click()
    expect(page.get_by_text("Call recorded.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Record the first conversation").click()
    assert axe_violations(page) == []
    page.get_by_label("Key risks and vulnerabilities").fill("Lives alone")
    page.get_by_label("Further support: needs assessment booked").check()
    tomorrow = now + timedelta(days=1)
    booked = page.get_by_role("group", name="Needs assessment date (for further support)")
    booked.get_by_label("Day").fill(str(tomorrow.day))
    booked.get_by_label("Month").fill(str(tomorrow.month))
    booked.get_by_label("Year").fill(str(tomorrow.year))
    page.get_by_label("Needs assessment time").fill("10:00")
    page.get_by_role("button", name="Record conversation").click()
    expect(page.get_by_text("The needs assessment is booked on this case.")).to_be_visible()
    assert axe_violations(page) == []
    db.session.rollback()
    case_id = db.session.get(Referral, referral.id).case_id
    assert page.url == f"{live_server}/cases/{case_id}"
    _shot(page, "01-case-opened")
    tabs = page.get_by_role("navigation", name="Case")

    # The needs assessment, from the Contact tab: two priorities.
    tabs.get_by_role("link", name="Contact").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Start the needs assessment").click()
    expect(page.get_by_role("heading", name="Start the needs assessment")).to_be_visible()
    assert axe_violations(page) == []
    today = datetime.now(ZoneInfo("Europe/London")).date()
    first = dict.fromkeys(AREAS, 3) | {"personal_safety": 2, "mental_health": 1, "family": 4}
    _assess(page, today, first, "Telephone")
    page.get_by_label("Personal safety: In their own words").fill("I don't feel safe at home.")
    page.locator("#area-personal_safety").get_by_label("Priority for support").check()
    page.get_by_label("Mental health: In their own words").fill("I can't sleep.")
    page.locator("#area-mental_health").get_by_label("Priority for support").check()
    _shot(page, "02-assessment-form")
    page.get_by_role("button", name="Complete assessment").click()
    _ok(page, "Needs assessment completed.")
    _shot(page, "03-assessment-complete")

    # The support plan: one proposal kept, one dropped, an action added.
    tabs.get_by_role("link", name="Support plan").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Create the support plan").click()
    expect(page.get_by_role("heading", name="Create the support plan")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("The person’s goals, in their own words").fill("To feel safe and sleep")
    _date(page, "a0_due_on", today + timedelta(days=7))
    page.locator('input[name="a1_keep"]').uncheck()
    _shot(page, "04-create-plan")
    page.get_by_role("button", name="Create the support plan").click()
    _ok(page, "Support plan created.")
    expect(page.locator("#actions")).to_contain_text("I don't feel safe at home.")
    expect(page.locator("#actions")).not_to_contain_text("I can't sleep.")
    page.get_by_role("link", name="Add an action").click()
    assert axe_violations(page) == []
    page.get_by_label("What will be done").fill("Refer to the GP for sleep support")
    _date(page, "due_on", today + timedelta(days=10))
    page.get_by_role("button", name="Save action").click()
    _ok(page, "Action added.")

    # A review: one action under way, one done.
    page.get_by_role("link", name="Record a review").click()
    expect(page.get_by_role("heading", name="Record a review of the support plan")).to_be_visible()
    assert axe_violations(page) == []
    _date(page, "held_on", today)
    db.session.rollback()
    safety, gp = db.session.scalars(
        sa.select(PlanAction).where(PlanAction.case_id == case_id).order_by(PlanAction.id)
    ).all()
    page.locator(f'input[name="status_{safety.id}"][value="in_progress"]').check()
    page.locator(f'textarea[name="progress_{safety.id}"]').fill("Safety plan agreed")
    page.locator(f'input[name="status_{gp.id}"][value="done"]').check()
    page.locator(f'textarea[name="progress_{gp.id}"]').fill("GP appointment made")
    page.locator('input[name="prompts_reassessment"][value="no"]').check()
    page.get_by_role("button", name="Record the review").click()
    _ok(page, "Review recorded.")
    expect(page.get_by_text("Safety plan agreed")).to_be_visible()

    # The last open action done.
    page.get_by_role("link", name=re.compile("Change action: I don.t feel safe at home")).click()
    expect(page.get_by_role("heading", name="Change an action")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Done", exact=True).check()
    page.get_by_role("button", name="Save action").click()
    _ok(page, "Action updated.")
    _shot(page, "05-plan-reviewed")

    # The reassessment: better scores, and the distance travelled.
    tabs.get_by_role("link", name="Assessment").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Start a reassessment").click()
    # (The form's heading says "Start the needs assessment" for a reassessment too.)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(page) == []
    later = dict.fromkeys(AREAS, 4) | {"personal_safety": 4, "mental_health": 3, "family": 3}
    _assess(page, today, later, "Face to face")
    page.get_by_role("button", name="Complete assessment").click()
    _ok(page, "Needs assessment completed.")
    tabs.get_by_role("link", name="Assessment").click()
    expect(
        page.get_by_role("img", name="Distance travelled per area, first assessment against latest")
    ).to_be_visible()
    table = page.get_by_role("table").filter(has_text="Scores per area")
    expect(table.get_by_role("row", name=re.compile(r"^Mental health 1 3 \+2"))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^Family 4 3 -1"))).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "06-distance-travelled")

    # Closure: support complete, and the case shows closed.
    tabs.get_by_role("link", name="Closure").click()
    expect(page.get_by_role("heading", name="Closure", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Support complete").check()
    _shot(page, "07-closure-form")
    page.get_by_role("button", name="Close this case").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == []
    tabs.get_by_role("link", name="Summary").click()
    expect(page.get_by_text(re.compile(r"Closed on .* \(Support complete\)"))).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "08-closed")

    db.session.rollback()
    assessments = db.session.scalars(
        sa.select(NeedsAssessment.status).where(NeedsAssessment.case_id == case_id)
    ).all()
    assert assessments == ["complete", "complete"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanReview)) == 1
    closure = db.session.scalars(sa.select(CaseClosure)).one()
    assert (closure.case_id, closure.reason) == (case_id, "support_complete")
