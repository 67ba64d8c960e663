"""In a real browser: a partner agency refers someone, a team leader uploads the police
download and reads its summary, then works the deadline view and the letters print queue."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.db import db
from casework.messages.models import OutboundMessage
from casework.obligations.models import Obligation
from casework.referrals.import_jobs import claim_next_job, record_progress, run_import_job
from casework.referrals.models import PartnerAgency, Referral
from scheduling import sweeps
from scheduling.sweeps import context
from tests.e2e.conftest import axe_violations, sign_in
from tests.factories import create_referrals
from tests.police import SAMPLE, police_csv, police_row

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_partner_agency_refers_someone_without_an_account(live_server, axe_page):
    page = axe_page
    page.goto(f"{live_server}/partner-referral")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter the name of your agency" in summary.inner_text()
    assert axe_violations(page) == []

    page.get_by_label("Your agency", exact=True).fill("Riverside Housing")
    page.get_by_label("Type of agency (optional)").fill("Housing")
    page.get_by_label("Your name", exact=True).fill("Harriet Example")
    page.get_by_label("Your work email address").fill("harriet@example.org")
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Sample")
    page.get_by_label("Telephone number", exact=True).fill("07700 900456")
    page.get_by_role("group", name="How would they like to be contacted?").get_by_label(
        "Call their mobile"
    ).check()
    page.get_by_role("group", name="Is it safe for us to leave a voicemail?").get_by_label(
        "No"
    ).check()
    page.get_by_role("group", name="Is it safe for us to send them text messages?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("The person has agreed to be referred").check()
    page.get_by_role("button", name="Send referral").click()

    page.wait_for_url(f"{live_server}/partner-referral/confirmation")
    assert axe_violations(page) == []
    db.session.rollback()
    referral = db.session.scalars(sa.select(Referral)).one()
    assert referral.reference in page.locator(".govuk-panel__body").inner_text()
    assert (referral.source, referral.forename, referral.safe_to_voicemail) == (
        "partner",
        "Jordan",
        False,
    )
    assert db.session.get(PartnerAgency, referral.partner_agency_id).name == "Riverside Housing"


def test_team_leader_uploads_the_download_and_reads_each_rejection(
    app, live_server, axe_page, create_staff_record
):
    leader = create_staff_record("team_leader")
    page = axe_page
    sign_in(page, live_server, leader)
    page.get_by_role("link", name="Import police download").click()
    page.wait_for_url(f"{live_server}/imports/police")
    assert axe_violations(page) == []
    page.get_by_label("Police daily download (CSV)").set_input_files(str(ROOT / SAMPLE))
    page.get_by_role("button", name="Import").click()

    # The file waits for the scheduler process; the page says so and refreshes itself.
    page.wait_for_url(re.compile(rf"{live_server}/imports/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Waiting to start")
    assert axe_violations(page) == []

    # The scheduler claims the job and reports progress as it checks the lines...
    job = claim_next_job(db.session, now=datetime.now(UTC))
    record_progress(db.engine, job.id, 4, "checking")
    expect(page.get_by_role("status")).to_contain_text("Checked 4 of about")
    expect(page.get_by_label("Import progress")).to_have_attribute(
        "value", str(400 // job.total_lines)
    )
    assert axe_violations(page) == []

    # ...then imports the file, and the page shows the result without being reloaded by hand.
    run_import_job(db.session, job, calendar=context(app.config).calendar, now=datetime.now(UTC))
    page.get_by_role("heading", name="Import complete").wait_for(timeout=30_000)
    assert axe_violations(page) == []
    rejected = page.locator("table", has_text="Rejected lines").inner_text()
    assert "victim declined referral" in rejected
    page.get_by_role("link", name="Go to the triage queue").click()
    expect(page.locator("caption")).to_contain_text("6 open referrals")


def test_team_leader_sees_breaches_and_posts_the_letters(
    app, live_server, axe_page, create_staff_record
):
    # Received on a Friday in the past, contact by post: the initial letter was queued that
    # morning and should have been posted by the close of that day.
    received = datetime(2026, 11, 20, 7, tzinfo=UTC)
    create_referrals(
        police_csv(police_row(contact_method="POST", forename="Letitia")),
        received=received,
    )
    ctx = context(app.config)
    sweeps.queue_contact_messages(db.session, ctx, now=datetime(2026, 11, 20, 9, 5, tzinfo=UTC))
    leader = create_staff_record("team_leader")
    page = axe_page
    sign_in(page, live_server, leader)
    page.get_by_role("link", name="Deadlines").click()
    page.wait_for_url(f"{live_server}/deadlines")
    assert "0 deadlines breached" in " ".join(
        page.locator(".govuk-panel").first.inner_text().split()
    )
    assert axe_violations(page) == []  # the green "none breached" panel too

    assert sweeps.mark_breaches(db.session, ctx, now=datetime.now(UTC)) == 1
    page.reload()
    assert axe_violations(page) == []
    overdue = page.locator("table").first.inner_text()
    reference = db.session.scalars(sa.select(Referral.reference)).one()
    assert reference in overdue
    assert "1 deadline breached this quarter" in " ".join(
        page.locator(".govuk-panel").first.inner_text().split()
    )

    page.get_by_role("link", name="Letters to post").click()
    expect(page.locator("caption")).to_contain_text("1 letter waiting")
    assert axe_violations(page) == []
    page.get_by_role("button", name=f"Mark posted for {reference}").click()
    expect(page.get_by_text("Letter marked as posted.")).to_be_visible()
    expect(page.get_by_text("There are no letters waiting to be posted.")).to_be_visible()
    assert axe_violations(page) == []
    db.session.rollback()
    letters = sa.select(OutboundMessage.status).where(OutboundMessage.channel == "letter")
    assert db.session.scalars(letters).one() == "posted"
    alert = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.channel == "email")
    ).one()
    assert alert.recipient == leader.email and reference in alert.body
    letter = db.session.scalars(
        sa.select(Obligation).where(Obligation.kind == "initial_message")
    ).one()
    assert letter.met_at is not None
