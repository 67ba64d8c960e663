"""The Onward referrals pages through the test client: the tab's empty states and list, making a
referral by email and by phone from the form, the ISA warning, recording and withdrawing
consent, a referral's page and its outcome form, and another team's case or referral a 404
(audited)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casework.db import db
from casework.messages.models import OutboundMessage
from casework.onward.models import OnwardReferral, SharingConsent
from tests.conftest import audit_rows, post_form, sent_twice, sign_in
from tests.factories import create_case_for_notes, create_registry_agency
from tests.police import police_row

# Monday 23 November 2026, 11:00 GMT.
NOW = datetime(2026, 11, 23, 11, tzinfo=UTC)


@pytest.fixture
def setting(app, client, create_team_record, create_staff_record):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        team = create_team_record("City victims")
        worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
        leader = create_staff_record("team_leader", team=team)
        case = create_case_for_notes(
            caseworker=worker,
            team_leader=leader,
            row=police_row(forename="Aisha", surname="Rahman", date_of_birth="1991-07-02"),
            at=NOW - timedelta(days=3),
        )
    agencies = {
        "sv": create_registry_agency("Rape Crisis Leicestershire", provides="sexual_violence"),
        "no_isa": create_registry_agency("Community Drop-in", isa=False),
    }
    return {"worker": worker, "leader": leader, "case_id": case.id, "agencies": agencies}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _form(setting, **fields):
    data = {
        "service": "sexual_violence",
        "agency_id": str(setting["agencies"]["sv"].id),
        "shared_fields": ["name", "reason"],
        "reason": "Wants specialist counselling",
        "consent_now": "y",
        "consent_how": "spoken",
        "method": "email",
    }
    data.update(fields)
    return data


def test_the_tab_shows_empty_states_then_the_referral(client, setting):
    sign_in(client, setting["worker"].email)
    case_id = setting["case_id"]
    page = client.get(f"/cases/{case_id}/onward").get_data(as_text=True)
    assert "No onward referrals have been made for this case." in page
    assert "No consent to share has been recorded for this case." in page
    assert "Make an onward referral" in page

    response = post_form(
        client, f"/cases/{case_id}/onward/new", _form(setting), follow_redirects=True
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Referral queued" in page
    assert "Waiting to be emailed" in page
    assert "Wants specialist counselling" in page
    assert "Date of birth" not in page.split("What is shared")[1].split("Outcome")[0]
    tab = client.get(f"/cases/{case_id}/onward").get_data(as_text=True)
    assert "Rape Crisis Leicestershire" in tab and "Consent given" in tab
    assert "Withdraw consent" in tab


def test_the_referral_form_sent_twice_makes_one_referral(client, setting):
    """A resend, or a double click, would email the agency the person's details twice."""
    sign_in(client, setting["worker"].email)
    sent_twice(client, f"/cases/{setting['case_id']}/onward/new", _form(setting))
    assert len(audit_rows("onward.referral_made")) == 1


def test_an_agency_without_an_isa_warns_and_needs_a_reason(client, setting):
    sign_in(client, setting["worker"].email)
    case_id = setting["case_id"]
    no_isa = setting["agencies"]["no_isa"]
    response = post_form(
        client,
        f"/cases/{case_id}/onward/new",
        _form(setting, service="other", agency_id=str(no_isa.id)),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Community Drop-in has no information-sharing agreement with us" in page
    assert "give the reason for sharing without one" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OnwardReferral)) == 0
    response = post_form(
        client,
        f"/cases/{case_id}/onward/new",
        _form(
            setting,
            service="other",
            agency_id=str(no_isa.id),
            no_isa_reason="Only local service for this need",
        ),
    )
    assert response.status_code == 302


def test_a_phoned_referral_then_its_outcome(client, setting):
    sign_in(client, setting["worker"].email)
    case_id = setting["case_id"]
    response = post_form(
        client,
        f"/cases/{case_id}/onward/new",
        _form(
            setting,
            method="phone",
            spoke_to="Duty worker Jo",
            spoke_on=["23", "11", "2026"],
            spoke_time="10:15",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    referral = db.session.scalars(sa.select(OnwardReferral)).one()
    path = f"/cases/{case_id}/onward/{referral.id}"
    page = client.get(path).get_data(as_text=True)
    assert "Sent, waiting for an outcome" in page and "Follow up by" in page
    bad = post_form(
        client,
        path,
        {
            "outcome": "accepted",
            "outcome_on": ["24", "11", "2026"],
            "note": "x",
            "version": str(referral.version),
        },
    )
    assert bad.status_code == 400
    assert "cannot be in the future" in bad.get_data(as_text=True)
    good = post_form(
        client,
        path,
        {
            "outcome": "accepted",
            "outcome_on": ["23", "11", "2026"],
            "note": "Jo rang back: accepted",
            "version": str(referral.version),
        },
        follow_redirects=True,
    )
    assert "Outcome saved: Accepted." in good.get_data(as_text=True)
    stale = post_form(
        client,
        path,
        {
            "outcome": "declined",
            "outcome_on": ["23", "11", "2026"],
            "note": "No",
            "version": str(referral.version),
        },
    )
    assert stale.status_code == 400
    assert "Someone changed this referral" in stale.get_data(as_text=True)


def test_withdrawing_consent_from_the_tab_stops_the_queued_email(client, setting):
    sign_in(client, setting["worker"].email)
    case_id = setting["case_id"]
    sv = setting["agencies"]["sv"]
    post_form(client, f"/cases/{case_id}/onward/new", _form(setting))
    path = f"/cases/{case_id}/onward/consent/{sv.id}/withdraw"
    assert post_form(client, path, {}).status_code == 400
    response = post_form(client, path, {"how": "written", "note": "Letter"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "withdrawn: nothing more will be shared" in page
    assert "1 referral not yet emailed stopped" in page
    assert "Consent withdrawn" in page and "Stopped: consent withdrawn" in page
    db.session.rollback()
    assert db.session.scalars(sa.select(OutboundMessage.status)).one() == "not_sent"
    again = post_form(
        client, f"/cases/{case_id}/onward/new", _form(setting, consent_now="", consent_how="")
    )
    assert again.status_code == 400
    assert "has not consented" in again.get_data(as_text=True)
    consent = post_form(
        client,
        f"/cases/{case_id}/onward/consent",
        {"agency_id": str(sv.id), "how": "spoken"},
        follow_redirects=True,
    )
    assert "Consent to share with Rape Crisis Leicestershire recorded." in consent.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharingConsent)) == 3


def test_another_team_gets_404_for_the_case_and_its_referral(
    app, client, setting, create_team_record, create_staff_record
):
    sign_in(client, setting["worker"].email)
    case_id = setting["case_id"]
    post_form(client, f"/cases/{case_id}/onward/new", _form(setting))
    referral_id = db.session.scalars(sa.select(OnwardReferral.id)).one()
    client.get("/logout")
    other_team = create_team_record("Other victims")
    stranger = create_staff_record("team_leader", team=other_team)
    # A case of their own, to try the referral's id under.
    own = create_case_for_notes(
        caseworker=create_staff_record("caseworker", team=other_team),
        team_leader=stranger,
        row=police_row(crime_reference="LC-20261120-0999", forename="Bo", surname="Other"),
    )
    stranger_client = app.test_client()
    sign_in(stranger_client, stranger.email)
    for path in (
        f"/cases/{case_id}/onward",
        f"/cases/{case_id}/onward/new",
        f"/cases/{case_id}/onward/{referral_id}",
        f"/cases/{own.id}/onward/{referral_id}",
    ):
        assert stranger_client.get(path).status_code == 404, path
    denied = audit_rows("access.denied")
    assert {r.record_type for r in denied} == {"case", "onward_referral"}
    assert all(r.actor_id == stranger.id for r in denied)


def test_the_timeline_says_what_happened_and_the_tab_view_is_audited_as_itself(client, setting):
    sign_in(client, setting["worker"].email)
    case_id = setting["case_id"]
    client.get(f"/cases/{case_id}/onward")
    [view] = [
        e for e in audit_rows("case.view") if json.loads(e.detail)["page"] == "onward referrals"
    ]
    assert view.record_id == str(case_id)
    post_form(client, f"/cases/{case_id}/onward/new", _form(setting))

    page = client.get(f"/cases/{case_id}/timeline").get_data(as_text=True)
    assert "Consent to share with an agency recorded" in page
    assert "Onward referral made: sexual violence specialist service, by secure email" in page
    assert "Viewed the case (Onward referrals)" not in page  # views are left out of the timeline
