"""Young people's group sessions and complaints (issue 15 parts 4 and 6) through the real services
and pages: sessions and attendance (under 18 on the day, once each, the team's open cases only),
complaints recorded, investigated and decided (action taken when upheld), team boundaries on
pages, lists, the CSVs and the case lookup, the financial quarters at 31 March/1 April, stale
forms, the Support tab's sections and the timeline."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine

import casework.models  # noqa: F401  (every model, before the support models are configured)
from casework.audit import Origin
from casework.db import db
from casework.errors import NotFound, ValidationError
from casework.support import complaints as complaint_service
from casework.support import groups as group_service
from casework.support.models import (
    Complaint,
    GroupAttendance,
    GroupSession,
    HardshipPayment,
    RestorativeJustice,
)
from casework.support.monitoring_quarter import FinancialQuarter
from tests.conftest import audit_rows, post_form, sent_twice, sign_in, submission_token
from tests.factories import create_case_for_notes
from tests.police import police_row

ORIGIN = Origin.command_line("test")
# Monday 23 November 2026, 11:00 GMT; the cases were opened on Friday 20 November.
NOW = datetime(2026, 11, 23, 11, tzinfo=UTC)
OPENED = datetime(2026, 11, 20, 7, tzinfo=UTC)
Q4_2025 = FinancialQuarter(2025, 4)  # January to March 2026
Q1_2026 = FinancialQuarter(2026, 1)  # April to June 2026


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _case(worker, leader, ref: str, forename: str, born: str):
    return create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            crime_reference=ref, forename=forename, surname="Tester", date_of_birth=born
        ),
        at=OPENED,
    )


@pytest.fixture
def world(app, create_team_record, create_staff_record):
    """Two victim teams. Team A: two caseworkers and a leader, young people Jo (15) on the
    first's caseload and Kit (16) on the second's, and an adult, Ada; team B: a caseworker and a
    leader, and a young person, Zed. An admin and an analyst without a team."""
    with time_machine.travel(OPENED, tick=False):
        a, b = create_team_record("City victims"), create_team_record("County victims")
        people = {
            "worker": create_staff_record("caseworker", team=a, name="Sam Okafor"),
            "worker2": create_staff_record("caseworker", team=a, name="Pat Jones"),
            "leader": create_staff_record("team_leader", team=a, name="Lee Leader"),
            "their_worker": create_staff_record("caseworker", team=b, name="Bo Other"),
            "their_leader": create_staff_record("team_leader", team=b, name="Tia Other"),
            "admin": create_staff_record("admin", name="Ann Admin"),
            "analyst": create_staff_record("analyst", name="Ana Lyst"),
        }
        cases = {
            "jo": _case(people["worker"], people["leader"], "LC-20261120-0201", "Jo", "2011-05-01"),
            "kit": _case(
                people["worker2"], people["leader"], "LC-20261120-0202", "Kit", "2010-02-14"
            ),
            "ada": _case(
                people["worker"], people["leader"], "LC-20261120-0203", "Ada", "1980-01-01"
            ),
            "zed": _case(
                people["their_worker"],
                people["their_leader"],
                "LC-20261120-0204",
                "Zed",
                "2012-03-03",
            ),
        }
    return {**people, **cases, "team_a": a, "team_b": b}


def _session(world, actor="worker", held_on=date(2026, 11, 21), **fields):
    return group_service.create_session(
        db.session,
        held_on=held_on,
        place=fields.get("place", "Youth centre, Leicester"),
        facilitator_id=fields.get("facilitator_id", world[actor].id),
        topic=fields.get("topic", "Feeling safe online"),
        note=None,
        actor=world[actor],
        origin=ORIGIN,
        now=NOW,
    )


def _attend(world, group, case, actor="worker", attended=True, now=NOW):
    return group_service.record_attendance(
        db.session,
        group.id,
        case_id=case.id,
        attended=attended,
        actor=world[actor],
        origin=ORIGIN,
        now=now,
    )


# --- group sessions: services ------------------------------------------------------------------


def test_a_young_persons_attendance_is_recorded_once_and_shown_on_their_case(world):
    group = _session(world)
    assert group.team_id == world["team_a"].id
    offered = group_service.young_people(db.session, group, world["worker"])
    # The worker's own young person only: not the adult, a colleague's or another team's.
    assert [c.id for c in offered] == [world["jo"].id]
    _attend(world, group, world["jo"])
    with pytest.raises(ValidationError) as again:
        _attend(world, group, world["jo"], attended=False)
    assert again.value.errors == {"case_id": "Attendance for this young person is already recorded"}
    assert group_service.sessions_attended(db.session, world["jo"]) == [group]
    row = audit_rows("group_session.attendance")[-1]
    assert (row.record_type, row.record_id, row.person_id) == (
        "case",
        str(world["jo"].id),
        world["jo"].person_id,
    )


@pytest.mark.parametrize(
    ("who", "case"),
    [("worker", "ada"), ("worker", "zed"), ("leader", "zed"), ("admin", "zed"), ("worker", "kit")],
)
def test_an_adult_another_teams_case_or_one_not_seen_is_refused_and_nothing_stored(
    world, who, case
):
    group = _session(world)
    with pytest.raises(ValidationError) as refused:
        _attend(world, group, world[case], actor=who)
    assert refused.value.errors == {"case_id": "Choose a young person from the list"}
    db.session.rollback()
    assert db.session.query(GroupAttendance).count() == 0


def test_a_person_who_turns_18_on_the_day_is_no_longer_a_young_person(world):
    # Jo was born on 1 May 2011: a session on 1 May 2029 is on their 18th birthday.
    assert not group_service.young_on(world["jo"].person, date(2029, 5, 1))
    assert group_service.young_on(world["jo"].person, date(2029, 4, 30))


def test_attendance_waits_until_the_session_is_held(world):
    group = _session(world, held_on=date(2026, 11, 30))
    with pytest.raises(ValidationError) as early:
        _attend(world, group, world["jo"])
    assert early.value.errors == {"": "Attendance can be recorded once the session has been held"}


def test_a_facilitator_from_another_team_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        _session(world, facilitator_id=world["their_worker"].id)
    assert refused.value.errors == {"facilitator_id": "Choose the facilitator from the list"}


def test_another_teams_session_does_not_exist_for_them(world):
    group = _session(world)
    for who in ("their_worker", "their_leader", "analyst"):
        with pytest.raises(NotFound):
            group_service.get_session(db.session, group.id, world[who], origin=ORIGIN, now=NOW)
    assert audit_rows("access.denied")[-1].record_type == "group_session"
    assert group_service.get_session(db.session, group.id, world["admin"], origin=ORIGIN, now=NOW)


def test_a_stale_session_edit_is_refused_and_changes_nothing(world):
    group = _session(world)
    loaded = group.version
    group_service.edit_session(
        db.session,
        group.id,
        held_on=group.held_on,
        place="Library",
        facilitator_id=world["worker"].id,
        topic="Feeling safe online",
        note=None,
        expected_version=loaded,
        actor=world["leader"],
        origin=ORIGIN,
        now=NOW,
    )
    with pytest.raises(ValidationError) as stale:
        group_service.edit_session(
            db.session,
            group.id,
            held_on=group.held_on,
            place="Town hall",
            facilitator_id=world["worker"].id,
            topic="Feeling safe online",
            note=None,
            expected_version=loaded,
            actor=world["worker"],
            origin=ORIGIN,
            now=NOW,
        )
    assert "Someone changed this session" in stale.value.errors[""]
    db.session.rollback()
    assert db.session.get(GroupSession, group.id).place == "Library"


# --- quarters at 31 March / 1 April -----------------------------------------------------------


def test_sessions_and_the_return_split_at_31_march_and_1_april(world):
    march = _session(world, held_on=date(2026, 3, 31), topic="March session")
    april = _session(world, held_on=date(2026, 4, 1), topic="April session")
    _session(world, actor="their_worker", held_on=date(2026, 4, 1), topic="Theirs")
    _attend(world, march, world["jo"])
    _attend(world, april, world["jo"])
    _attend(world, april, world["kit"], actor="leader", attended=False)

    def listed(quarter):
        found = group_service.list_sessions(
            db.session, world["worker"], quarter=quarter, page=1, origin=ORIGIN, now=NOW
        )
        return [g.topic for g in found.items]

    assert listed(Q4_2025) == ["March session"]
    assert listed(Q1_2026) == ["April session"]
    assert listed(None) == ["April session", "March session"]
    found = group_service.group_return(db.session, world["leader"], Q1_2026, origin=ORIGIN, now=NOW)
    assert (found.sessions_held, found.attendances, found.young_people) == (1, 1, 1)
    assert found.lines[0].did_not_attend == 1
    assert found.lines[0].references == (world["jo"].reference,)
    every_team = group_service.group_return(
        db.session, world["admin"], Q1_2026, origin=ORIGIN, now=NOW
    )
    assert every_team.sessions_held == 2


# --- group sessions: pages -----------------------------------------------------------------------


def test_a_session_is_made_and_attendance_recorded_through_the_pages(world, client):
    sign_in(client, world["leader"].email)
    made = post_form(
        client,
        "/groups/new",
        {
            "held_on": ["21", "11", "2026"],
            "place": "Youth centre",
            "facilitator_id": str(world["worker"].id),
            "topic": "Staying safe",
        },
    )
    assert made.status_code == 302
    group = db.session.query(GroupSession).one()
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Jo Tester" in page and "Kit Tester" in page
    assert "Ada Tester" not in page and "Zed Tester" not in page
    saved = post_form(
        client,
        f"/groups/{group.id}/attendance",
        {"case_id": str(world["kit"].id), "attended": "yes"},
        token_from=f"/groups/{group.id}",
    )
    assert saved.status_code == 302
    support = client.get(f"/cases/{world['kit'].id}/support").get_data(as_text=True)
    assert "Staying safe" in support
    timeline = client.get(f"/cases/{world['kit'].id}/timeline").get_data(as_text=True)
    assert "Attended a young people&#39;s group session on 21 November 2026" in timeline
    # The worker sees Kit, a colleague's young person, by reference only.
    post_form(client, "/logout", {}, token_from="/groups")
    sign_in(client, world["worker"].email)
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert world["kit"].reference in page and "Kit Tester" not in page


def test_an_adults_support_tab_says_group_sessions_are_for_young_people(world, client):
    sign_in(client, world["worker"].email)
    page = client.get(f"/cases/{world['ada'].id}/support").get_data(as_text=True)
    assert "Group sessions are for young people under 18" in page


def test_another_teams_session_is_a_404_on_every_page_and_absent_from_list_and_csv(world, client):
    group = _session(world, topic="City only")
    sign_in(client, world["their_leader"].email)
    for path in (f"/groups/{group.id}", f"/groups/{group.id}/edit"):
        assert client.get(path).status_code == 404
    assert "City only" not in client.get("/groups").get_data(as_text=True)
    assert "City only" not in client.get("/groups/return.csv").get_data(as_text=True)


def test_the_groups_csv_has_counts_and_case_references_and_no_names(world, client):
    group = _session(world)
    _attend(world, group, world["jo"])
    sign_in(client, world["worker"].email)
    response = client.get("/groups/return.csv?quarter=2026-27-Q3")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Group support sessions held", "1"] in rows
    assert ["Young people attending", "1"] in rows
    assert world["jo"].reference in text
    for name in ("Jo", "Tester", "Sam Okafor"):
        assert name not in text


def test_a_stale_edit_form_is_refused_with_the_session_as_it_is_now(world, client):
    group = _session(world)
    sign_in(client, world["worker"].email)
    token_page = f"/groups/{group.id}/edit"
    fields = {
        "held_on": ["21", "11", "2026"],
        "place": "Library",
        "facilitator_id": str(world["worker"].id),
        "topic": "Feeling safe online",
        "version": str(group.version),
    }
    assert post_form(client, token_page, fields).status_code == 302
    again = post_form(client, token_page, {**fields, "place": "Town hall"})
    assert again.status_code == 400
    assert "Someone changed this session" in again.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(GroupSession, group.id).place == "Library"


# --- complaints: services ----------------------------------------------------------------------


def _complaint(world, actor="worker", case="jo", received_on=date(2026, 11, 20), **fields):
    return complaint_service.record_complaint(
        db.session,
        received_on=received_on,
        channel=fields.get("channel", "phone"),
        about=fields.get("about", "Nobody called back when promised"),
        case_reference=world[case].reference if case else None,
        actor=world[actor],
        origin=ORIGIN,
        now=NOW,
    )


def _decide(world, complaint, actor="leader", **fields):
    return complaint_service.update_complaint(
        db.session,
        complaint.id,
        investigation=fields.get("investigation", "Checked the call log"),
        investigated_by_id=fields.get("investigated_by_id", world["leader"].id),
        outcome=fields.get("outcome", "upheld"),
        outcome_on=fields.get("outcome_on", date(2026, 11, 23)),
        action_taken=fields.get("action_taken", "Apologised; call-back reminders set"),
        expected_version=fields.get("expected_version", complaint.version),
        actor=world[actor],
        origin=ORIGIN,
        now=NOW,
    )


def test_a_caseworker_records_a_complaint_and_a_team_leader_decides_it(world):
    complaint = _complaint(world)
    assert (complaint.team_id, complaint.case_id) == (world["team_a"].id, world["jo"].id)
    with pytest.raises(ValidationError) as not_theirs:
        _decide(world, complaint, actor="worker")
    assert "Only a team leader" in not_theirs.value.errors[""]
    db.session.rollback()
    decided = _decide(world, complaint)
    assert (decided.outcome, decided.action_taken) == (
        "upheld",
        "Apologised; call-back reminders set",
    )
    actions = [r.action for r in audit_rows() if r.record_type == "case"]
    assert "complaint.record" in actions and "complaint.decided" in actions
    assert audit_rows("complaint.decided")[-1].person_id == world["jo"].person_id


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"outcome": "partly_upheld", "action_taken": ""},
            {
                "action_taken": "Enter the action taken to put things right: the complaint is "
                "partly upheld"
            },
        ),
        (
            {"outcome_on": date(2026, 11, 19)},
            {
                "outcome_on": "The date of the outcome cannot be before the complaint was "
                "received (20 November 2026)"
            },
        ),
        (
            {"outcome_on": date(2026, 11, 24)},
            {"outcome_on": "The date of the outcome cannot be in the future"},
        ),
        ({"outcome_on": None}, {"outcome_on": "Enter the date of the outcome"}),
        ({"outcome": "maybe"}, {"outcome": "Select the outcome"}),
        (
            {"investigated_by_id": 999},
            {"investigated_by_id": "Choose the investigator from the list"},
        ),
    ],
)
def test_a_decision_with_bad_input_is_refused_and_nothing_changes(world, fields, errors):
    complaint = _complaint(world)
    with pytest.raises(ValidationError) as refused:
        _decide(world, complaint, **fields)
    assert refused.value.errors == errors
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).outcome is None


def test_not_upheld_needs_no_action_and_a_stale_decision_is_refused(world):
    complaint = _complaint(world)
    loaded = complaint.version
    _decide(world, complaint, outcome="not_upheld", action_taken="")
    with pytest.raises(ValidationError) as stale:
        _decide(world, complaint, outcome="upheld", expected_version=loaded)
    assert "Someone changed this complaint" in stale.value.errors[""]
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).outcome == "not_upheld"


def test_the_case_lookup_refuses_a_case_the_recorder_may_not_see(world):
    for actor, case in (("worker", "zed"), ("leader", "zed"), ("worker", "kit")):
        with pytest.raises(ValidationError) as refused:
            _complaint(world, actor=actor, case=case)
        assert refused.value.errors == {"case_reference": "No case you can see has that reference"}
        db.session.rollback()
    unlinked = _complaint(world, actor="their_worker", case=None)
    assert (unlinked.team_id, unlinked.case_id) == (world["team_b"].id, None)
    linked_by_admin = _complaint(world, actor="admin", case="zed")
    assert linked_by_admin.team_id == world["team_b"].id


def test_another_teams_complaint_does_not_exist_for_them(world):
    complaint = _complaint(world)
    for who in ("their_leader", "their_worker", "worker2", "analyst"):
        with pytest.raises(NotFound):
            complaint_service.get_complaint(
                db.session, complaint.id, world[who], origin=ORIGIN, now=NOW
            )
    listed = complaint_service.list_complaints(
        db.session,
        world["their_leader"],
        quarter=None,
        outcome=None,
        page=1,
        origin=ORIGIN,
        now=NOW,
    )
    assert listed.total == 0


def test_complaints_split_at_31_march_and_1_april_open_ones_first(world):
    march = _complaint(world, actor="leader", received_on=date(2026, 3, 31))
    april = _complaint(world, actor="leader", received_on=date(2026, 4, 1))
    later = _complaint(world, actor="leader", received_on=date(2026, 4, 2))
    _decide(world, april, outcome="not_upheld", action_taken="", outcome_on=date(2026, 4, 20))

    def listed(**filters):
        found = complaint_service.list_complaints(
            db.session, world["leader"], page=1, origin=ORIGIN, now=NOW, **filters
        )
        return [c.id for c in found.items]

    assert listed(quarter=Q4_2025, outcome=None) == [march.id]
    assert listed(quarter=Q1_2026, outcome=None) == [later.id, april.id]
    assert listed(quarter=None, outcome="not_upheld") == [april.id]
    assert listed(quarter=None, outcome="open") == [later.id, march.id]
    q1 = complaint_service.complaint_return(
        db.session, world["leader"], Q1_2026, origin=ORIGIN, now=NOW
    )
    assert q1.total == 2 and q1.by_outcome["not_upheld"] == 1 and q1.by_outcome["open"] == 1
    assert q1.by_channel["phone"] == 2


# --- complaints: pages ---------------------------------------------------------------------------


def test_a_complaint_linked_to_a_case_is_recorded_and_decided_through_the_pages(world, client):
    sign_in(client, world["leader"].email)
    made = post_form(
        client,
        "/complaints/new",
        {
            "received_on": ["20", "11", "2026"],
            "channel": "email",
            "about": "Letter went to the old address",
            "case_reference": world["jo"].reference.lower(),
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    complaint = db.session.query(Complaint).one()
    path = f"/complaints/{complaint.id}"
    refused = post_form(
        client,
        path,
        {
            "outcome": "upheld",
            "outcome_on": ["23", "11", "2026"],
            "version": str(complaint.version),
        },
    )
    assert refused.status_code == 400
    assert "Enter the action taken" in refused.get_data(as_text=True)
    decided = post_form(
        client,
        path,
        {
            "outcome": "upheld",
            "outcome_on": ["23", "11", "2026"],
            "action_taken": "Address corrected and letter resent",
            "version": str(complaint.version),
        },
    )
    assert decided.status_code == 302
    support = client.get(f"/cases/{world['jo'].id}/support").get_data(as_text=True)
    assert "Upheld, 23 November 2026" in support
    timeline = client.get(f"/cases/{world['jo'].id}/timeline").get_data(as_text=True)
    assert "Complaint decided: upheld" in timeline and "Complaint received (email)" in timeline


SENT_TWICE = [
    pytest.param(
        "/complaints/new",
        {"received_on": ["20", "11", "2026"], "channel": "phone", "about": "Nobody called back"},
        Complaint,
        "complaint.record",
        id="complaint",  # counted twice in the quarterly return
    ),
    pytest.param(
        "/groups/new",
        {
            "held_on": ["21", "11", "2026"],
            "place": "Youth centre",
            "facilitator_id": "worker",
            "topic": "Staying safe",
        },
        GroupSession,
        "group_session.create",
        id="group session",  # counted twice in the group return
    ),
    pytest.param(
        "/cases/{jo}/support/hardship/new",
        {"amount": "20.00", "purpose": "food", "detail": "Food parcel"},
        HardshipPayment,
        "hardship.payment_approved",
        id="hardship payment",  # paid twice from the fund
    ),
    pytest.param(
        "/cases/{jo}/support/restorative/new",
        {
            "requested_on": ["21", "11", "2026"],
            "offender_admitted_guilt": "yes",
            "offender_accepted_responsibility": "yes",
            "rj_type": "shuttle",
        },
        RestorativeJustice,
        "restorative.start",
        id="restorative request",  # two requests, each "Ready to go ahead"
    ),
]


@pytest.mark.parametrize("path,data,model,action", SENT_TWICE)
def test_the_same_recording_form_sent_twice_records_once(world, client, path, data, model, action):
    """A resend (or a double click) would record it twice: the second send shows what the
    first recorded."""
    sign_in(client, world["leader"].email)
    path = path.format(**{name: record.id for name, record in world.items()})
    data = {k: str(world[v].id) if v == "worker" else v for k, v in data.items()}
    sent_twice(client, path, data)
    assert db.session.query(model).count() == 1
    assert len(audit_rows(action)) == 1
    # A form shown afresh is a new one: it records another.
    data["submission_token"] = submission_token(client.get(path).get_data(as_text=True))
    assert post_form(client, path, data).status_code == 302
    assert db.session.query(model).count() == 2


def test_the_case_worker_sees_a_complaint_exists_on_the_support_tab_but_not_its_text(world, client):
    complaint = _complaint(world, actor="leader", about="About Sam's manner")
    sign_in(client, world["worker"].email)
    support = client.get(f"/cases/{world['jo'].id}/support").get_data(as_text=True)
    assert "Being looked into" in support and "Sam&#39;s manner" not in support
    assert client.get(f"/complaints/{complaint.id}").status_code == 404


def test_analysts_see_counts_only_and_the_csv_carries_no_complaint_text(world, client):
    complaint = _complaint(world, about="Rude on the phone")
    _decide(world, complaint, action_taken="Apologised in writing")
    sign_in(client, world["analyst"].email)
    assert client.get("/complaints").status_code == 403
    assert client.get(f"/complaints/{complaint.id}").status_code == 403
    page = client.get("/complaints/return?quarter=2026-27-Q3").get_data(as_text=True)
    assert "Apologised" not in page and "Rude" not in page
    text = client.get("/complaints/return.csv?quarter=2026-27-Q3").get_data(as_text=True)
    assert ["Complaints received", "1"] in list(csv.reader(io.StringIO(text)))
    assert "Apologised" not in text and "Rude" not in text
    post_form(client, "/logout", {}, token_from="/complaints/return")
    sign_in(client, world["leader"].email)
    text = client.get("/complaints/return.csv?quarter=2026-27-Q3").get_data(as_text=True)
    assert "Apologised in writing" in text
    for private in ("Rude", world["jo"].reference, "Jo Tester"):
        assert private not in text


def test_another_teams_complaint_is_a_404_and_absent_from_their_list_and_csv(world, client):
    complaint = _complaint(world, actor="leader", about="Waited too long")
    _decide(world, complaint, action_taken="Triage rota changed")
    sign_in(client, world["their_leader"].email)
    assert client.get(f"/complaints/{complaint.id}").status_code == 404
    assert "Waited" not in client.get("/complaints").get_data(as_text=True)
    text = client.get("/complaints/return.csv?quarter=2026-27-Q3").get_data(as_text=True)
    assert ["Complaints received", "0"] in list(csv.reader(io.StringIO(text)))
    assert "Triage rota" not in text


def test_a_complaint_about_another_teams_case_by_reference_is_refused_on_the_page(world, client):
    sign_in(client, world["leader"].email)
    refused = post_form(
        client,
        "/complaints/new",
        {
            "received_on": ["20", "11", "2026"],
            "channel": "email",
            "about": "x",
            "case_reference": world["zed"].reference,
        },
    )
    assert refused.status_code == 400
    assert "No case you can see has that reference" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.query(Complaint).count() == 0


def test_a_future_received_date_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        _complaint(world, received_on=date(2026, 11, 24))
    assert refused.value.errors == {
        "received_on": "The date the complaint was received cannot be in the future"
    }


def test_navigation_offers_groups_and_complaints_to_those_who_use_them(world, client):
    sign_in(client, world["worker"].email)
    page = client.get("/groups").get_data(as_text=True)
    assert 'href="/groups"' in page and 'href="/complaints"' in page
    post_form(client, "/logout", {}, token_from="/groups")
    sign_in(client, world["analyst"].email)
    page = client.get("/complaints/return").get_data(as_text=True)
    assert 'href="/groups"' not in page and 'href="/complaints/return"' in page


def test_an_admin_without_a_team_links_an_unlinked_complaint_to_a_case(world):
    with pytest.raises(ValidationError) as refused:
        _complaint(world, actor="admin", case=None)
    assert refused.value.errors == {
        "case_reference": "Enter the case it is about: your account has no team to handle it"
    }


def test_analysts_have_no_group_pages_and_record_no_complaints(world, client):
    group = _session(world)
    sign_in(client, world["analyst"].email)
    for path in ("/groups", f"/groups/{group.id}", "/groups/return.csv", "/complaints/new"):
        assert client.get(path).status_code == 403


def test_a_csv_cell_that_a_spreadsheet_would_run_is_defused(world, client):
    _session(world, topic='=HYPERLINK("http://x")')
    sign_in(client, world["worker"].email)
    text = client.get("/groups/return.csv?quarter=2026-27-Q3").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_the_caseworker_who_recorded_a_complaint_sees_it_but_cannot_decide_it(world, client):
    complaint = _complaint(world)
    sign_in(client, world["worker"].email)
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "Nobody called back when promised" in page
    assert "Investigation and outcome" not in page
    refused = post_form(
        client,
        f"/complaints/{complaint.id}",
        {"outcome": "not_upheld", "outcome_on": ["23", "11", "2026"], "version": "1"},
    )
    assert refused.status_code == 400
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).outcome is None


@pytest.mark.parametrize("sent", ["²", "99999999999", "someone"])
def test_an_investigator_not_on_the_list_is_refused_not_cleared(world, client, sent):
    """An edited request used to clear the investigator and save (found by a walk-through)."""
    complaint = _complaint(world)
    _decide(world, complaint, outcome=None, outcome_on=None, action_taken=None)
    sign_in(client, world["leader"].email)
    refused = post_form(
        client,
        f"/complaints/{complaint.id}",
        {"investigated_by_id": sent, "investigation": "Checked", "version": "2"},
    )
    assert refused.status_code == 400
    assert "Choose the investigator from the list" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).investigated_by_id == world["leader"].id


def test_the_recorder_sees_the_outcome_but_never_the_investigation_notes(world, client):
    complaint = _complaint(world)
    _decide(world, complaint, investigation="Sam missed the call-back twice")
    sign_in(client, world["worker"].email)
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "Nobody called back when promised" in page
    assert "Upheld, 23 November 2026" in page
    assert "Sam missed the call-back twice" not in page
    assert "Investigation" not in page and "Lee Leader" not in page
    post_form(client, "/logout", {}, token_from="/complaints")
    sign_in(client, world["leader"].email)
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "Sam missed the call-back twice" in page


def test_opening_a_complaint_is_audited_once_under_its_person_and_not_on_the_timeline(
    world, client
):
    complaint = _complaint(world)
    sign_in(client, world["leader"].email)
    assert client.get(f"/complaints/{complaint.id}").status_code == 200
    views = audit_rows("complaint.view")
    assert [(v.record_type, v.record_id, v.person_id, v.actor_id) for v in views] == [
        ("complaint", str(complaint.id), world["jo"].person_id, world["leader"].id)
    ]
    # The form's page (for its token) is one view; the refused save shows the page again:
    # one view more, not two.
    stale = post_form(
        client,
        f"/complaints/{complaint.id}",
        {"outcome": "not_upheld", "outcome_on": ["23", "11", "2026"], "version": "99"},
    )
    assert stale.status_code == 400
    assert len(audit_rows("complaint.view")) == 3
    timeline = client.get(f"/cases/{world['jo'].id}/timeline").get_data(as_text=True)
    assert "Complaint: view" not in timeline and "Viewed a complaint" not in timeline


def test_an_unlinked_complaint_view_is_audited_without_a_person(world, client):
    complaint = _complaint(world, actor="leader", case=None)
    sign_in(client, world["leader"].email)
    client.get(f"/complaints/{complaint.id}")
    (view,) = audit_rows("complaint.view")
    assert (view.record_id, view.person_id) == (str(complaint.id), None)


def test_opening_a_group_session_or_its_edit_form_is_audited_once(world, client):
    group = _session(world)
    sign_in(client, world["worker"].email)
    assert client.get(f"/groups/{group.id}").status_code == 200
    assert client.get(f"/groups/{group.id}/edit").status_code == 200
    views = audit_rows("group_session.view")
    assert [(v.record_type, v.record_id, v.actor_id) for v in views] == [
        ("group_session", str(group.id), world["worker"].id)
    ] * 2
    refused = post_form(
        client,
        f"/groups/{group.id}/attendance",
        {"case_id": str(world["ada"].id), "attended": "yes"},
        token_from=f"/groups/{group.id}",
    )
    assert refused.status_code == 400
    # The token's page view, then the refused form's page: one each.
    assert len(audit_rows("group_session.view")) == 4


# --- sessions held, planned and cancelled -------------------------------------------------------


def test_the_return_counts_as_held_only_sessions_up_to_today(world, client):
    held = _session(world, held_on=date(2026, 11, 21), topic="Held on Saturday")
    _session(world, held_on=date(2026, 11, 23), topic="Held today")
    _session(world, held_on=date(2026, 12, 14), topic="Still to come")
    _attend(world, held, world["jo"])
    found = group_service.group_return(
        db.session, world["leader"], FinancialQuarter(2026, 3), origin=ORIGIN, now=NOW
    )
    assert (found.sessions_held, found.planned) == (2, 1)
    assert [line.topic for line in found.lines] == ["Held on Saturday", "Held today"]
    sign_in(client, world["worker"].email)
    text = client.get("/groups/return.csv?quarter=2026-27-Q3").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Group support sessions held", "2"] in rows
    assert ["Group support sessions planned, not yet held", "1"] in rows
    assert "Still to come" not in text


def test_held_goes_by_the_uk_date_at_midnight_on_31_march(world):
    _session(world, held_on=date(2026, 4, 1), topic="First of April")
    # 23:30 UTC on 31 March 2026 is 00:30 on 1 April in the UK (BST since 29 March).
    late = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    found = group_service.group_return(
        db.session, world["leader"], Q1_2026, origin=ORIGIN, now=late
    )
    assert (found.sessions_held, found.planned) == (1, 0)
    early = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 23:30 on 31 March in the UK
    found = group_service.group_return(
        db.session, world["leader"], Q1_2026, origin=ORIGIN, now=early
    )
    assert (found.sessions_held, found.planned) == (0, 1)


def test_a_session_that_did_not_take_place_is_cancelled_and_never_counts(world, client):
    group = _session(world, held_on=date(2026, 11, 21), topic="Nobody came")
    group_id, version = group.id, group.version
    sign_in(client, world["worker"].email)
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "Cancel this session" in page
    done = post_form(
        client,
        f"/groups/{group_id}/cancel",
        {"version": str(version)},
        token_from=f"/groups/{group_id}",
    )
    assert done.status_code == 302 and done.location.endswith("/groups")
    db.session.rollback()
    assert db.session.get(GroupSession, group_id) is None
    (audit,) = audit_rows("group_session.cancel")
    assert audit.record_id == str(group_id) and audit.actor_id == world["worker"].id
    assert '"topic": "Nobody came"' in audit.detail and "2026-11-21" in audit.detail
    listed = client.get("/groups").get_data(as_text=True)
    assert "Group session cancelled: Nobody came, 21 November 2026." in listed
    assert "No group sessions are recorded yet" in listed
    assert "Nobody came" not in client.get("/groups").get_data(as_text=True)
    assert client.get(f"/groups/{group_id}").status_code == 404
    found = group_service.group_return(
        db.session, world["leader"], FinancialQuarter(2026, 3), origin=ORIGIN, now=NOW
    )
    assert found.sessions_held == 0


def test_a_session_with_attendance_cannot_be_cancelled(world, client):
    group = _session(world)
    _attend(world, group, world["jo"], attended=False)
    with pytest.raises(ValidationError) as refused:
        group_service.cancel_session(
            db.session,
            group.id,
            expected_version=group.version,
            actor=world["leader"],
            origin=ORIGIN,
            now=NOW,
        )
    assert "Attendance has been recorded" in refused.value.errors[""]
    db.session.rollback()
    assert db.session.get(GroupSession, group.id) is not None
    sign_in(client, world["leader"].email)
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Cancel this session" not in page
    again = post_form(
        client,
        f"/groups/{group.id}/cancel",
        {"version": str(group.version)},
        token_from=f"/groups/{group.id}",
    )
    assert again.status_code == 400
    assert "Attendance has been recorded" in again.get_data(as_text=True)
    assert db.session.get(GroupSession, group.id) is not None
    assert audit_rows("group_session.cancel") == []


def test_a_stale_or_another_teams_cancel_is_refused_and_nothing_is_deleted(world, client):
    group = _session(world)
    group_id, version = group.id, group.version
    with pytest.raises(ValidationError) as stale:
        group_service.cancel_session(
            db.session,
            group_id,
            expected_version=version + 1,
            actor=world["worker"],
            origin=ORIGIN,
            now=NOW,
        )
    assert "Someone changed this session" in stale.value.errors[""]
    for who in ("their_worker", "their_leader"):
        with pytest.raises(NotFound):
            group_service.cancel_session(
                db.session,
                group_id,
                expected_version=version,
                actor=world[who],
                origin=ORIGIN,
                now=NOW,
            )
    sign_in(client, world["their_leader"].email)
    refused = post_form(
        client, f"/groups/{group_id}/cancel", {"version": str(version)}, token_from="/groups"
    )
    assert refused.status_code == 404
    db.session.rollback()
    assert db.session.get(GroupSession, group_id) is not None
    assert audit_rows("group_session.cancel") == []
