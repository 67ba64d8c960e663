"""Self-referrals staff take by phone, email or at a community event (spec 3.6): the same intake
and triage as every route, with the route, the event and who entered it."""

import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from casework.cases.models import Case
from casework.db import db
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from tests.conftest import audit_rows, csrf_token, sign_in

PATH = "/referrals/new"

ENTRY = {
    "route": "community_event",
    "event_name": "Braunstone summer fair",
    "event_on": ["25", "11", "2026"],
    "received_day": ["25", "11", "2026"],
    "received_time": "11:30",
    "forename": "Jo",
    "surname": "Fairgoer",
    "contact_method": "MOBILE_PHONE",
    "phone": "07700 900777",
    "safe_to_voicemail": "no",
    "safe_to_text": "yes",
    "safe_to_post": "no",
    "concerns": ["DOMESTIC_ABUSE"],
    "sex": "female",
}


def enter(client, **fields):
    page = client.get(PATH).get_data(as_text=True)
    token = page.split('name="submission_token" type="hidden" value="')[1].split('"')[0]
    data = {**ENTRY, **fields, "csrf_token": csrf_token(client, PATH), "submission_token": token}
    return client.post(PATH, data={k: v for k, v in data.items() if v is not None})


def stored() -> list[Referral]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Referral).order_by(Referral.id)))


def test_a_caseworkers_event_referral_is_triaged_from_when_received_and_theirs(
    client, sign_in_as, create_team_record, create_staff_record
):
    with time_machine.travel("2026-11-25 15:00 +0000", tick=False):  # Wednesday
        worker = sign_in_as("caseworker")
        response = enter(client)
        assert response.status_code == 302, response.get_data(as_text=True)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        queue = client.get("/queue").get_data(as_text=True)
    [referral] = stored()
    assert (referral.source, referral.self_route) == ("self", "community_event")
    assert (referral.event_name, referral.event_on.isoformat()) == (
        "Braunstone summer fair",
        "2026-11-25",
    )
    assert referral.entered_by_id == worker.id and referral.allocated_to_id == worker.id
    assert referral.received_at == datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
    assert referral.priority == "enhanced" and "domestic abuse" in referral.priority_reasons
    assert (referral.person.safe_to_post, referral.person.sex) == (False, "female")
    [call] = db.session.scalars(sa.select(Obligation).where(Obligation.referral_id == referral.id))
    # enhanced: the first call within 24 hours of when it was received, not of when typed in
    assert call.kind == "phone_contact"
    assert call.due_at == datetime(2026, 11, 26, 11, 30, tzinfo=UTC)
    for text in ("Self-referral at a community event", "Braunstone summer fair", worker.name):
        assert text in page
    # The concerns they gave, in words: not called police flags, which a self-referral has none of.
    assert "Police flags" not in page and "DOMESTIC_ABUSE" not in page
    assert re.search(r"Concerns\s*</dt>\s*<dd[^>]*>\s*domestic abuse", page)
    assert "Self-referral at a community event" in queue and "Jo Fairgoer" in queue
    [created] = [r for r in audit_rows("referral.create") if r.record_id == str(referral.id)]
    assert created.actor_id == worker.id
    assert json.loads(created.detail)["route"] == "community_event"
    assert json.loads(audit_rows("referral.allocate")[-1].detail)["entered"] is True

    with time_machine.travel("2026-11-25 15:05 +0000", tick=False):
        client.post("/logout", data={"csrf_token": csrf_token(client, "/queue")})
        other = create_staff_record("caseworker", team=create_team_record())
        sign_in(client, other.email)
        assert client.get(f"/referrals/{referral.id}").status_code == 404
        assert "Jo Fairgoer" not in client.get("/queue").get_data(as_text=True)


def test_an_email_referral_received_on_sunday_is_due_by_close_of_monday(client, sign_in_as):
    with time_machine.travel("2026-11-30 09:30 +0000", tick=False):  # Monday
        sign_in_as("team_leader")
        response = enter(
            client,
            route="email",
            event_name="",
            event_on=None,
            received_day=["29", "11", "2026"],
            received_time="10:00",
            contact_method="EMAIL",
            email="jo@example.org",
            concerns=[],
        )
        assert response.status_code == 302
    [referral] = stored()
    assert referral.allocated_to_id is None  # a team leader's entry waits in the queue
    assert (referral.self_route, referral.event_name) == ("email", None)
    [message] = referral.obligations
    assert message.kind == "initial_message"
    assert message.due_at == datetime(2026, 11, 30, 18, tzinfo=UTC)


def test_bad_entries_are_refused_next_to_the_field_and_nothing_is_stored(client, sign_in_as):
    with time_machine.travel("2026-11-25 15:00 +0000", tick=False):
        sign_in_as("caseworker")
        cases = [
            ({"received_time": "16:30"}, "The time it was received cannot be in the future"),
            ({"received_day": ["1", "11", "2026"]}, "within the last 7 days"),
            ({"event_name": ""}, "Enter the name of the community event"),
            ({"event_on": ["", "", ""]}, "Enter the date of the community event"),
            ({"received_time": "25:00"}, "Enter a time like 14:30"),
            ({"route": "carrier pigeon"}, "Select how the referral reached you"),
            ({"safe_days": "weekdays"}, "Enter the time it becomes safe"),
        ]
        for fields, message in cases:
            response = enter(client, **fields)
            assert response.status_code == 400, fields
            assert message in response.get_data(as_text=True), fields
    assert stored() == []


def test_only_caseworkers_and_team_leaders_record_referrals(client, sign_in_as):
    sign_in_as("analyst")
    assert client.get(PATH).status_code in (403, 404)


def test_a_childs_referral_entered_by_an_unvetted_caseworker_waits_for_the_team_leader(
    client, sign_in_as
):
    with time_machine.travel("2026-11-25 15:00 +0000", tick=False):
        worker = sign_in_as("caseworker", vetted=False)
        response = enter(client, date_of_birth=["3", "4", "2012"])
        assert response.status_code == 302, response.get_data(as_text=True)
    [referral] = stored()
    assert referral.entered_by_id == worker.id
    assert referral.allocated_to_id is None
    assert not [r for r in audit_rows("referral.allocate") if r.record_id == str(referral.id)]


def test_a_referral_for_another_teams_case_says_where_it_went_not_page_not_found(
    client, sign_in_as, create_team_record, create_staff_record
):
    """Entered for someone with an open case in another team, the referral joins that case and
    goes to its caseworker; the person who entered it is told so, not sent to a page they may
    not see (found by a walk-through: "Page not found" and no word of the referral)."""
    with time_machine.travel("2026-11-25 15:00 +0000", tick=False):
        holder = sign_in_as("caseworker")
        assert enter(client, date_of_birth=["3", "4", "1980"]).status_code == 302
        [first] = stored()
        now = datetime(2026, 11, 25, 15, tzinfo=UTC)
        case = Case(
            reference="WC-HELD0001",
            person_id=first.person_id,
            team_id=holder.team_id,
            caseworker_id=holder.id,
            status="open",
            opened_at=now,
            opened_how="team_leader",
            created_at=now,
            updated_at=now,
        )
        db.session.add(case)
        db.session.commit()
        client.post("/logout", data={"csrf_token": csrf_token(client, "/queue")})
        other = create_staff_record("caseworker", team=create_team_record())
        sign_in(client, other.email)
        response = enter(client, event_name="Another fair", date_of_birth=["3", "4", "1980"])
        assert response.status_code == 302 and response.headers["Location"] == PATH
        page = client.get(PATH).get_data(as_text=True)
    second = stored()[-1]
    assert (second.case_id, second.allocated_to_id) == (case.id, holder.id)
    assert f"Referral {second.reference} recorded and triaged." in page
    assert "open case held by another team" in page and "WC-HELD0001" not in page
