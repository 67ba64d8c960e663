"""On a phone (375 CSS pixels wide) the staff list pages never run off the side of the screen:
a table wider than the screen scrolls sideways inside its own focusable box."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from casework.audit import Origin
from casework.db import db
from tests.e2e.conftest import axe_violations, sign_in
from tests.factories import create_case_for_notes, create_referrals, set_closure_approval
from tests.police import SAMPLE, police_row

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SHOTS = os.environ.get("E2E_SCREENSHOTS")
PHONE = 375
PAGES = (
    "/queue",
    "/approvals",
    "/team",
    "/deadlines",
    "/search?q=aisha",
    "/letters",
    "/reports",
    "/complaints",
    "/groups",
    "/hardship",
    "/partners",
    "/imports/police",
)


def test_a_team_leaders_lists_fit_a_phone(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    from casework.closure.closing import request_closure

    now = datetime.now(UTC)
    create_referrals((ROOT / SAMPLE).read_bytes(), received=now - timedelta(hours=3), now=now)
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Samantha Okafor-Whitfield")
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(crime_reference="LC-20261120-9001", surname="Longsurname-Hyphenated"),
        at=now - timedelta(days=2),
    )
    set_closure_approval(team)
    request_closure(
        db.session,
        case.id,
        reason="moved_away",
        words="Moved to another force area and asked for the case to close",
        actor=worker,
        origin=Origin.command_line("test"),
        now=now,
    )
    page = axe_page
    page.set_viewport_size({"width": PHONE, "height": 800})
    sign_in(page, live_server, leader)
    too_wide, violations = {}, {}
    for path in PAGES:
        assert page.goto(f"{live_server}{path}").ok, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/phone{path.replace('/', '-').split('?')[0]}.png")
        if width > PHONE:
            too_wide[path] = width
        if found := axe_violations(page):
            violations[path] = found
    assert too_wide == {} and violations == {}


DEMO_PAGES = {
    "sam.caseworker@waypoint.example": (
        "/caseload",
        "/cases/{case}",
        "/cases/{case}/plan",
        "/cases/{case}/assessment",
        "/cases/{case}/contact",
        "/referrals/new",
    ),
    "lead.city@waypoint.example": (
        "/approvals",
        "/partners",
        "/partners/{agency}",
        "/groups",
        "/hardship",
        "/letters",
        "/complaints",
    ),
    "admin@waypoint.example": ("/admin/staff", "/admin/audit", "/admin/teams"),
    "hsb.advisor@waypoint.example": (
        "/advice-line",
        "/advice-line/resources",
        "/advice-line/evidence",
    ),
    "analyst@waypoint.example": (
        "/reports/hsb-monthly",
        "/reports/target-hardening",
        "/complaints/return",
    ),
    None: ("/refer", "/partner-referral"),
}


def test_every_roles_pages_fit_a_phone_with_the_demo_data(app, runner, live_server, axe_page):
    """With the demo's cases, plans, partners, sessions and audit trail (tables with real
    rows), and the public forms: no page is wider than the phone, and axe finds nothing. A
    plan's actions used to wrap a letter at a time with the Change links off the screen, and
    a question hidden for screen readers widened the self-referral form."""
    import sqlalchemy as sa

    from casework.cases.models import Case
    from casework.models import PlanAction
    from casework.partners.models import PartnerAgency
    from casework.staff.models import Staff
    from casework.staff.passwords import hash_password
    from tests.conftest import PASSWORD

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    db.session.rollback()
    for staff in db.session.scalars(sa.select(Staff).where(Staff.email.in_(list(DEMO_PAGES)))):
        staff.password_hash = hash_password(PASSWORD)
    ids = {
        "case": db.session.scalar(  # one of Sam's cases with a support plan
            sa.select(sa.func.min(PlanAction.case_id))
            .join(Case, Case.id == PlanAction.case_id)
            .join(Staff, Staff.id == Case.caseworker_id)
            .where(Staff.email == "sam.caseworker@waypoint.example")
        ),
        "agency": db.session.scalar(sa.select(sa.func.min(PartnerAgency.id))),
    }
    db.session.commit()
    page = axe_page
    page.set_viewport_size({"width": PHONE, "height": 800})
    too_wide, violations = {}, {}
    for email, paths in DEMO_PAGES.items():
        page.context.clear_cookies()
        if email:
            page.goto(f"{live_server}/login")
            page.get_by_label("Email address").fill(email)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state("load")
            assert "/login" not in page.url, email
        for path in paths:
            path = path.format(**ids)
            assert page.goto(f"{live_server}{path}").ok, path
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/phone-demo{path.replace('/', '-')}.png")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE:
                too_wide[path] = width
            if found := axe_violations(page):
                violations[path] = found
    assert too_wide == {} and violations == {}
