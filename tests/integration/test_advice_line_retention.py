"""Retention and subject access for professionals on the HSB line, and the line's settings:
details removed after the setting's years, the anonymous advice kept for the monitoring; a
professional's contacts found by exact email or phone and exported, audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.hsb.contacts import line_settings
from casework.hsb.models import AdviceContact, AdviceFeedback, AdviceSession
from casework.hsb.monthly import Month, monthly_figures
from casework.messages.models import OutboundMessage
from scheduling.worker import run_once
from tests.conftest import audit_rows, csrf_token, post_form
from tests.hsb_report_factories import make_contact

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
OLD = datetime(2024, 11, 20, 10, tzinfo=UTC)  # more than 2 years before NOW
RECENT = datetime(2025, 3, 4, 10, tzinfo=UTC)


@pytest.fixture
def hsb_team(create_team_record):
    return create_team_record("HSB line", service="hsb")


def _with_session_feedback_and_email(contact, staff):
    db.session.add(
        AdviceSession(
            contact_id=contact.id,
            starts_at=contact.received_at + timedelta(days=7),
            means="video",
            joining_details="https://video.example/priya",
            notes="Priya wants to talk about the policy",
            status="held",
            ics_uid=f"session-{contact.id}@waypoint.test",
            booked_by_id=staff.id,
            created_at=contact.received_at,
            updated_at=contact.received_at,
        )
    )
    db.session.add(
        AdviceFeedback(
            contact_id=contact.id,
            token_hash=f"{contact.id:064d}",
            sent_at=contact.received_at,
            expires_at=contact.received_at + timedelta(days=30),
            answered_at=contact.received_at + timedelta(days=2),
            confidence_identify_after=4,
            confidence_respond_after=4,
            satisfaction=5,
            comments="Priya found it helpful",
        )
    )
    for key, status in (("sent", "sent"), ("waiting", "queued")):
        db.session.add(
            OutboundMessage(
                dedupe_key=f"test-{key}-{contact.id}",
                advice_contact_id=contact.id,
                kind="advice_feedback_request",
                channel="email",
                recipient=contact.email,
                subject="Your feedback",
                body="Hello Priya",
                status=status,
                attempts=0,
                send_after=contact.received_at,
                next_attempt_at=contact.received_at,
                created_at=contact.received_at,
                updated_at=contact.received_at,
            )
        )
    db.session.commit()


@pytest.fixture
def old_and_recent(app, create_staff_record):
    staff = create_staff_record("hsb_advisor")
    old = make_contact(
        "email",
        OLD,
        advised=True,
        confidence_before=(2, 2),
        traffic_light="amber",
        continuum="inappropriate",
        concern_tags=["online"],
        outcome="signposted",
        child_age=12,
    )
    _with_session_feedback_and_email(old, staff)
    recent = make_contact("email", RECENT, advised=True)
    return old.id, recent.id


def test_details_go_after_the_lines_retention_years_and_the_advice_stays(
    app, runner, old_and_recent
):
    old_id, recent_id = old_and_recent
    october_2024 = Month(2024, 11)
    before = monthly_figures(db.session, october_2024)

    result = runner.invoke(
        args=["people", "anonymise-expired-professionals", "--now", NOW.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"anonymised": 1, "retention_years": 2}

    db.session.rollback()
    old = db.session.get(AdviceContact, old_id)
    assert old.anonymised_at == NOW
    for name in (
        "professional_name",
        "professional_role",
        "organisation",
        "email",
        "phone",
        "request_text",
        "what_happened",
        "advice_given",
    ):
        assert getattr(old, name) is None, name
    assert (old.channel, old.received_at, old.setting_type, old.region) == (
        "email",
        OLD,
        "secondary",
        "east_midlands",
    )
    assert (old.local_authority, old.kind, old.child_age, old.traffic_light) == (
        "Leicester",
        "case_advice",
        12,
        "amber",
    )
    assert (old.continuum, old.concern_tags, old.outcome) == (
        "inappropriate",
        ["online"],
        "signposted",
    )
    assert (old.confidence_identify_before, old.feedback.satisfaction) == (2, 5)
    assert old.feedback.comments is None
    session = old.sessions[0]
    assert (session.joining_details, session.notes, session.status) == (None, None, "held")
    messages = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.advice_contact_id == old_id)
    ).all()
    assert {(m.recipient, m.body, m.subject) for m in messages} == {("Anonymised", "", None)}
    assert {m.status for m in messages} == {"sent", "failed"}  # the waiting one never goes
    assert db.session.get(AdviceContact, recent_id).professional_name == "Priya Shah"
    assert monthly_figures(db.session, october_2024) == before  # the monitoring keeps its counts
    trail = audit_rows("advice_contact.anonymised")
    assert [e.record_id for e in trail] == [str(old_id)]

    again = runner.invoke(
        args=["people", "anonymise-expired-professionals", "--now", NOW.isoformat()]
    )
    assert json.loads(again.output)["anonymised"] == 0


def test_the_scheduler_runs_it_with_the_setting_and_the_people_json_is_unchanged(
    app, runner, old_and_recent
):
    _, recent_id = old_and_recent
    line_settings(db.session).retention_years = 1
    db.session.commit()
    summary = run_once(app, now=NOW)
    assert summary["anonymised"] == 2  # no referrals; both contacts are over a year old
    db.session.rollback()
    assert db.session.get(AdviceContact, recent_id).anonymised_at == NOW
    result = runner.invoke(args=["people", "anonymise-expired", "--now", NOW.isoformat()])
    assert json.loads(result.output) == {"anonymised": 0, "retention_years": 6}


# --- subject access ---------------------------------------------------------------------------

PATH = "/admin/subject-access/professional"


def _ask(client, typed: str, button: str):
    return post_form(
        client, PATH, {"contact": typed, button: "y"}, token_from="/admin/subject-access"
    )


def test_an_admin_finds_a_professionals_contacts_by_email_or_phone_and_exports_them(
    app, client, sign_in_as, old_and_recent
):
    make_contact(email="someone.else@school.example", phone="+447700900999", name="Other Person")
    sign_in_as("admin")
    page = client.get("/admin/subject-access").get_data(as_text=True)
    assert "A professional’s advice contacts" in page

    listed = _ask(client, "DSL@School.Example", "show")
    assert listed.status_code == 200
    html = listed.get_data(as_text=True)
    assert "2 advice contacts held" in html and "Other Person" not in html
    by_phone = _ask(client, "07700 900123", "show").get_data(as_text=True)
    assert "2 advice contacts held" in by_phone

    as_json = _ask(client, "dsl@school.example", "json")
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    export = json.loads(as_json.get_data(as_text=True))
    assert [c["received_at"] for c in export["contacts"]] == [OLD.isoformat(), RECENT.isoformat()]
    first = export["contacts"][0]
    assert first["request_text"] == "A pupil shared an image of another pupil"
    assert first["feedback"]["comments"] == "Priya found it helpful"
    assert first["sessions"][0]["joining_details"] == "https://video.example/priya"
    assert [m["body"] for m in first["emails"]] == ["Hello Priya", "Hello Priya"]
    assert "Other Person" not in as_json.get_data(as_text=True)

    as_csv = _ask(client, "+447700900123", "csv")
    assert as_csv.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert len(rows) == 2 and rows[0]["professional_name"] == "Priya Shah"

    searches = audit_rows("advice_contact.subject_access_search")
    assert [e.detail_dict["by"] for e in searches] == ["email", "phone", "email", "phone"]
    assert all("dsl@" not in (e.detail or "") for e in searches)
    exports = audit_rows("advice_contact.subject_access_export")
    assert [e.detail_dict["as"] for e in exports] == ["json", "csv"]


def test_nobody_held_and_nonsense_are_said_plainly(app, client, sign_in_as):
    sign_in_as("admin")
    none_held = _ask(client, "nobody@example.org", "show").get_data(as_text=True)
    assert "No advice contact is held with this email address or telephone number." in none_held
    download = _ask(client, "nobody@example.org", "json")
    assert download.status_code == 400
    assert "No advice contact is held with this email or number" in download.get_data(as_text=True)
    nonsense = _ask(client, "not a number", "show")
    assert nonsense.status_code == 400
    assert "email address or UK telephone number" in nonsense.get_data(as_text=True)


@pytest.mark.parametrize("role", ["hsb_advisor", "team_leader", "analyst", "caseworker"])
def test_only_admins_make_subject_access_requests(app, client, sign_in_as, role):
    sign_in_as(role)
    token = csrf_token(client, "/account")
    response = client.post(PATH, data={"csrf_token": token, "contact": "dsl@school.example"})
    assert response.status_code == 403


# --- the line's settings ----------------------------------------------------------------------


def test_a_team_leader_sets_the_charge_and_the_retention_years(app, client, sign_in_as, hsb_team):
    leader = sign_in_as("team_leader", team=hsb_team)
    page = client.get("/advice-line/settings")
    assert page.status_code == 200
    response = post_form(
        client,
        "/advice-line/settings",
        {"charge": "£45.50", "retention_years": "3"},
        follow_redirects=True,
    )
    assert "Settings saved." in response.get_data(as_text=True)
    db.session.rollback()
    settings = line_settings(db.session)
    assert (settings.charge_per_contact_pence, settings.retention_years) == (4550, 3)
    assert settings.updated_by_id == leader.id
    changed = audit_rows("advice_line.settings_changed")
    assert changed[0].detail_dict["after"] == {
        "charge_per_contact_pence": 4550,
        "retention_years": 3,
    }
    assert 'value="45.50"' in client.get("/advice-line/settings").get_data(as_text=True)


@pytest.mark.parametrize(
    "charge,years,message",
    [
        ("abc", "2", "Enter an amount in pounds and pence, like 125.50"),
        ("10000.01", "2", "Enter a charge per contact no more than £10,000"),
        ("-1", "2", "Enter an amount in pounds and pence, like 125.50"),
        ("45", "0", "Enter a number of years between 1 and 10"),
        ("45", "11", "Enter a number of years between 1 and 10"),
        ("45", "two", "Enter a number of years between 1 and 10"),
        ("", "2", "Enter the charge per contact, like 45.00"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(
    app, client, sign_in_as, hsb_team, charge, years, message
):
    sign_in_as("team_leader", team=hsb_team)
    response = post_form(
        client, "/advice-line/settings", {"charge": charge, "retention_years": years}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.rollback()
    settings = line_settings(db.session)
    assert (settings.charge_per_contact_pence, settings.retention_years) == (0, 2)


def test_a_stale_settings_form_is_refused(app, client, sign_in_as, hsb_team):
    sign_in_as("team_leader", team=hsb_team)
    html = client.get("/advice-line/settings").get_data(as_text=True)
    loaded = html.split('name="loaded" type="hidden" value="')[1].split('"')[0]
    post_form(client, "/advice-line/settings", {"charge": "10", "retention_years": "2"})
    token = csrf_token(client, "/advice-line/settings")
    stale = client.post(
        "/advice-line/settings",
        data={"csrf_token": token, "charge": "99", "retention_years": "5", "loaded": loaded},
    )
    assert stale.status_code == 400
    assert "changed by someone else" in stale.get_data(as_text=True)
    db.session.rollback()
    assert line_settings(db.session).charge_per_contact_pence == 1000


def test_advisors_cannot_change_the_settings(app, client, sign_in_as, hsb_team):
    sign_in_as("hsb_advisor", team=hsb_team)
    assert client.get("/advice-line/settings").status_code == 403
