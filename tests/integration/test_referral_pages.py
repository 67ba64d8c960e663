"""The compact referral page: summary and a team leader's decisions at the top, each action on
its own short page, and the sub-navigation (Summary, Contact, Timeline, Access for leaders)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from casework.cases.models import Case
from casework.db import db
from casework.referrals.models import Referral
from tests.conftest import audit_rows, csrf_token, sign_in
from tests.factories import create_referrals
from tests.integration.test_queue import referral_by_ref
from tests.police import police_csv, police_row

RECEIVED = datetime(2026, 11, 23, 9, tzinfo=UTC)  # Monday 09:00 GMT
NOW = "2026-11-23 11:00 +0000"


@pytest.fixture
def team(app, create_team_record, create_staff_record):
    team = create_team_record("Victims A")
    people = {
        "leader": create_staff_record("team_leader", team=team, name="Lee Leader"),
        "worker": create_staff_record("caseworker", team=team, name="Casey Worker"),
        "stranger": create_staff_record("caseworker", team=team, name="Sam Stranger"),
    }
    create_referrals(
        police_csv(police_row(crime_reference="LC-1", flags="DOMESTIC_ABUSE")), received=RECEIVED
    )
    referral = referral_by_ref("LC-1")
    referral.allocated_to_id = people["worker"].id
    db.session.commit()
    return {**people, "referral": referral.id}


def as_(client, staff):
    assert sign_in(client, staff.email).status_code == 302


def test_the_summary_is_compact_with_links_to_each_action(client, team):
    with time_machine.travel(NOW, tick=False):
        as_(client, team["worker"])
        html = client.get(f"/referrals/{team['referral']}").get_data(as_text=True)
    rid = team["referral"]
    for path, words in [
        ("record/call", "Record a call"),
        ("record/conversation", "Record the first conversation"),
        ("record/key-date", "Add a key date"),
    ]:
        assert f'href="/referrals/{rid}/{path}">{words}</a>' in html
    assert 'name="call-outcome"' not in html and 'name="key_risks"' not in html
    assert html.count("<form") <= 2  # sign out, and nothing else for a caseworker
    assert "Safe contact" in html and "do not post anything to the home address" in html


def test_a_team_leaders_decisions_come_before_the_summary(client, team):
    with time_machine.travel(NOW, tick=False):
        as_(client, team["leader"])
        html = client.get(f"/referrals/{team['referral']}").get_data(as_text=True)
    assert html.index(">Allocate<") < html.index("Why this priority")
    assert html.index("Open a case") < html.index("Why this priority")


def test_each_action_has_its_own_short_page(client, team):
    rid = team["referral"]
    with time_machine.travel(NOW, tick=False):
        as_(client, team["worker"])
        for path, heading, field in [
            ("record/call", "Record a call", 'name="call-outcome"'),
            ("record/conversation", "Record the first conversation", 'name="key_risks"'),
            ("record/key-date", "Add a key date", 'name="kind"'),
        ]:
            response = client.get(f"/referrals/{rid}/{path}")
            html = response.get_data(as_text=True)
            assert response.status_code == 200, path
            assert f'id="action-heading">{heading}</h1>' in html and field in html
            assert "Back to the referral" in html and "Safe contact" in html
        visit = client.get(f"/referrals/{rid}/record/visit").get_data(as_text=True)
    assert "not one of the ways this person is being contacted" in visit
    assert 'name="visit-outcome"' not in visit


def test_a_refused_call_comes_back_on_its_own_page_with_the_error_summary(client, team):
    rid = team["referral"]
    with time_machine.travel(NOW, tick=False):
        as_(client, team["worker"])
        response = client.post(
            f"/referrals/{rid}/calls",
            data={
                "call-csrf_token": csrf_token(client, f"/referrals/{rid}/record/call"),
                "call-outcome": "no_answer",
                "call-day": ["23", "11", "2026"],
                "call-at": "25:00",
            },
        )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and "Enter a time like 14:30" in html
    assert 'id="action-heading">Record a call</h1>' in html and ">Allocate<" not in html
    assert "<title>Error: Record a call" in html
    assert audit_rows("contact.attempt") == []


def test_a_caseworker_who_may_not_work_the_referral_gets_no_action_pages(client, team):
    with time_machine.travel(NOW, tick=False):
        as_(client, team["stranger"])
        for path in ("record/call", "record/conversation", "record/key-date"):
            assert client.get(f"/referrals/{team['referral']}/{path}").status_code == 404


def test_further_support_lands_on_the_new_case(client, team):
    rid = team["referral"]
    with time_machine.travel(NOW, tick=False):
        as_(client, team["worker"])
        response = client.post(
            f"/referrals/{rid}/conversation",
            data={
                "csrf_token": csrf_token(client, f"/referrals/{rid}/record/conversation"),
                "outcome": "further_support",
                "key_risks": "Lives with the person who hurt them",
                "booked_day": ["25", "11", "2026"],
                "booked_at": "10:00",
            },
        )
        db.session.rollback()
        case = db.session.get(Case, db.session.get(Referral, rid).case_id)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/cases/{case.id}"
        landed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Conversation recorded. The needs assessment is booked on this case." in landed
    assert "Needs assessment" in landed and "booked for Wed 25 Nov 10:00" in landed
    assert case.caseworker_id == team["worker"].id


def test_the_conversation_page_once_it_is_recorded(client, team):
    rid = team["referral"]
    with time_machine.travel(NOW, tick=False):
        as_(client, team["worker"])
        client.post(
            f"/referrals/{rid}/conversation",
            data={
                "csrf_token": csrf_token(client, f"/referrals/{rid}/record/conversation"),
                "outcome": "initial_contact_only",
            },
        )
        page = client.get(f"/referrals/{rid}/record/conversation").get_data(as_text=True)
        summary = client.get(f"/referrals/{rid}").get_data(as_text=True)
    assert "closed" in page and 'name="key_risks"' not in page
    assert "Record the first conversation" not in summary


def test_the_referral_tabs_and_access_for_leaders_only(client, app, team):
    rid = team["referral"]
    with time_machine.travel(NOW, tick=False):
        as_(client, team["worker"])
        client.post(
            f"/referrals/{rid}/calls",
            data={
                "call-csrf_token": csrf_token(client, f"/referrals/{rid}/record/call"),
                "call-outcome": "no_answer",
                "call-day": ["23", "11", "2026"],
                "call-at": "10:15",
            },
        )
        summary = client.get(f"/referrals/{rid}").get_data(as_text=True)
        contact = client.get(f"/referrals/{rid}/contact").get_data(as_text=True)
        timeline = client.get(f"/referrals/{rid}/timeline").get_data(as_text=True)
        assert client.get(f"/referrals/{rid}/access").status_code == 403
        leader = app.test_client()
        as_(leader, team["leader"])
        access = leader.get(f"/referrals/{rid}/access")
    assert re.search(r'href="/referrals/\d+"[^>]*aria-current="page">Summary<', summary)
    assert f'href="/referrals/{rid}/access"' not in summary
    assert "Call by Casey Worker" in contact and "07700 900100" in contact
    assert 'aria-current="page">Contact<' in contact
    assert "Call: no answer" in timeline and "Referral received (police download)" in timeline
    assert timeline.index("Call: no answer") < timeline.index("Referral received")
    assert "Viewed" not in timeline
    html = access.get_data(as_text=True)
    assert access.status_code == 200 and "Casey Worker" in html and "Viewed the referral" in html


def test_another_teams_leader_gets_404_on_every_referral_tab(
    client, team, create_team_record, create_staff_record
):
    outsider = create_staff_record("team_leader", team=create_team_record("Victims B"))
    as_(client, outsider)
    for path in ("", "/contact", "/timeline", "/access", "/record/call", "/open-case"):
        assert client.get(f"/referrals/{team['referral']}{path}").status_code == 404, path
