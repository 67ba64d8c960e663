"""In a real browser: a caseworker sends a text from a case (previewed, then queued for the
person's next safe moment), and a team leader decides a letter held because the person is
flagged for domestic abuse and safe-to-post is not recorded (issue 12 parts 2 and 3)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.db import db
from casework.messages.models import MessageTemplate, OutboundMessage
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from scheduling import sweeps
from scheduling.sweeps import context
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case, create_referrals
from tests.police import police_csv, police_row

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("WAYPOINT_SHOTS", "/tmp/wt-safe-contact-shots"))


def shot(page, name: str) -> None:
    """A full-page screenshot to look at (not compared: people read them)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, live_server, staff) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_a_caseworker_sends_a_message_and_a_team_leader_decides_a_held_letter(
    app, live_server, browser, create_team_record, create_staff_record
):
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Casey Worker")
    now = datetime.now(UTC)
    create_referrals(
        police_csv(
            police_row(
                crime_reference="LC-20261120-0300",
                forename="Priya",
                surname="Shah",
                flags="DOMESTIC_ABUSE",
                offence="Assault occasioning actual bodily harm",
            )
        ),
        received=now - timedelta(hours=30),
        now=now - timedelta(hours=30),
    )
    referral = db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == "LC-20261120-0300")
    ).one()
    case = create_case(referral.id, caseworker=worker, leader=leader, now=now)
    db.session.add(
        MessageTemplate(
            name="Checking in",
            channel="sms",
            body="Hello {forename}, it is {caseworker}. Call us about {reference} when safe.",
            created_at=now,
            updated_at=now,
        )
    )
    # Three failed calls: the final letter falls due; she chose the phone, not post.
    db.session.add(
        Obligation(
            referral_id=referral.id,
            kind="final_letter",
            channel="post",
            status="due",
            due_at=now + timedelta(hours=4),
            created_at=now,
        )
    )
    db.session.commit()
    sweeps.queue_contact_messages(db.session, context(app.config), now=now)
    held = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.status == "held")
    ).one()

    # The caseworker sends a text from the case.
    worker_context = browser.new_context(bypass_csp=True)
    page = worker_context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, worker)
    page.goto(f"{live_server}/cases/{case.id}/contact")
    expect(page.get_by_text("Held", exact=True)).to_be_visible()
    page.get_by_role("link", name="Send a message").click()
    expect(page.get_by_role("heading", name="Send a message")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Message").select_option(label="Checking in (text message)")
    page.get_by_role("button", name="Preview the message").click()
    expect(page.get_by_text("Hello Priya, it is Casey Worker.")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "01-case-message-preview")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Text message (SMS) queued")).to_be_visible()
    expect(page.get_by_text("Case message by Casey Worker")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "02-case-contact-after-sending")
    worker_context.close()

    # The team leader finds the held letter on the queue and decides it.
    leader_context = browser.new_context(bypass_csp=True)
    page = leader_context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, leader)
    page.goto(f"{live_server}/queue")
    held_table = page.locator("#held-letters")
    expect(held_table).to_contain_text("safe to post not recorded")
    assert axe_violations(page) == []
    shot(page, "03-queue-held-letters")
    held_table.get_by_role("link", name="Decide").click()
    expect(page.get_by_role("heading", name="Held letter: Final letter")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Send nothing").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("link", name="Enter why nothing is being sent")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "04-held-letter-reason-missing")
    page.get_by_label("Send nothing").check()
    page.get_by_label("Reason").fill("Her ex-partner still collects the post")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded: nothing will be sent.")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "05-after-decision")
    leader_context.close()

    db.session.rollback()
    letter = db.session.get(OutboundMessage, held.id)
    assert (letter.status, letter.decision_reason) == (
        "not_sent",
        "Her ex-partner still collects the post",
    )
    assert db.session.get(Obligation, letter.obligation_id).met_at is not None
