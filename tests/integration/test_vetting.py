"""Staff vetting and training (spec 12 and 15): admins record it, allocation respects it, and
admins and operators see vetting due to expire."""

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin
from casework.cases.models import Case
from casework.db import db
from casework.referrals.models import Referral
from casework.staff.vetting import get_vetting
from casework.staff.vetting_models import TrainingRecord
from casework.staff.vetting_records import record_police_vetting
from tests.conftest import (
    allocate_on_page,
    audit_rows,
    csrf_token,
    post_form,
    sent_twice,
    sign_in,
)
from tests.factories import create_referrals
from tests.police import police_row

CHILD = police_row(crime_reference="LC-20261120-0201", date_of_birth="2012-04-01")
ADULT = police_row(crime_reference="LC-20261120-0202", date_of_birth="1980-05-05")
VULNERABLE = police_row(
    crime_reference="LC-20261120-0203", date_of_birth="1960-01-01", flags="VULNERABLE"
)


def referral_by_ref(crime_reference: str) -> Referral:
    db.session.rollback()
    return db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == crime_reference)
    ).one()


@pytest.fixture
def workers(team_leader, create_staff_record):
    """A vetted and an unvetted caseworker in the team leader's team."""
    vetted = create_staff_record("caseworker", team=team_leader.team, name="Vera Vetted")
    unvetted = create_staff_record(
        "caseworker", team=team_leader.team, name="Uma Unvetted", vetted=False
    )
    create_referrals(CHILD, ADULT, VULNERABLE)
    return vetted, unvetted


def suggested(client, referral) -> str:
    return client.get(f"/referrals/{referral.id}").get_data(as_text=True)


def test_suggestions_leave_out_unvetted_workers_for_a_child_but_not_for_an_adult(client, workers):
    vetted, unvetted = workers
    child_page = suggested(client, referral_by_ref(CHILD["crime_reference"]))
    assert f'for="caseworker-{vetted.id}"' in child_page
    assert f'for="caseworker-{unvetted.id}"' not in child_page
    assert "1 caseworker is left out: this person is under 18" in child_page
    assert "until their vetting is received" in child_page

    adult_page = suggested(client, referral_by_ref(ADULT["crime_reference"]))
    assert f'for="caseworker-{vetted.id}"' in adult_page
    assert f'for="caseworker-{unvetted.id}"' in adult_page
    assert "left out" not in adult_page


def test_opening_a_case_for_a_child_offers_only_vetted_workers_and_says_who_is_left_out(
    client, workers
):
    vetted, unvetted = workers
    page = client.get(f"/referrals/{referral_by_ref(CHILD['crime_reference']).id}/open-case")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'value="{vetted.id}"' in html and f'value="{unvetted.id}"' not in html
    assert "1 caseworker is left out: this person is under 18" in html


def test_suggestions_leave_out_unvetted_workers_for_a_vulnerable_adult(client, workers):
    vetted, unvetted = workers
    page = suggested(client, referral_by_ref(VULNERABLE["crime_reference"]))
    assert f'for="caseworker-{unvetted.id}"' not in page
    assert "this person is a vulnerable adult" in page


def test_panel_counts_only_the_leaders_own_team(client, workers, create_staff_record):
    create_staff_record("caseworker", team=None, name="Elsewhere Person", vetted=False)
    page = suggested(client, referral_by_ref(CHILD["crime_reference"]))
    assert "1 caseworker is left out" in page
    assert "Elsewhere Person" not in page


def test_allocating_an_unvetted_worker_to_a_child_is_refused_and_changes_nothing(client, workers):
    _, unvetted = workers
    referral = referral_by_ref(CHILD["crime_reference"])
    before = len(audit_rows("referral.allocate"))
    response = allocate_on_page(client, referral.id, unvetted.id)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Uma Unvetted cannot work with this person (under 18) until their vetting" in html
    assert "no police vetting recorded; no DBS check recorded" in html
    assert referral_by_ref(CHILD["crime_reference"]).allocated_to_id is None
    assert len(audit_rows("referral.allocate")) == before


def test_allocating_an_unvetted_worker_to_an_adult_is_allowed(client, workers):
    _, unvetted = workers
    referral = referral_by_ref(ADULT["crime_reference"])
    response = allocate_on_page(client, referral.id, unvetted.id)
    assert response.status_code == 302
    assert referral_by_ref(ADULT["crime_reference"]).allocated_to_id == unvetted.id


def test_opening_a_case_for_a_child_with_an_unvetted_worker_is_refused(client, workers):
    _, unvetted = workers
    referral = referral_by_ref(CHILD["crime_reference"])
    path = f"/referrals/{referral.id}/open-case"
    response = post_form(client, path, {"caseworker": unvetted.id, "reason": "Needs support"})
    assert response.status_code == 400
    assert "cannot work with this person (under 18)" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    assert referral_by_ref(CHILD["crime_reference"]).status == "open"


def test_lapsed_vetting_after_allocation_opens_the_case_without_that_caseworker(
    app, team_leader, create_staff_record
):
    """The first conversation is recorded (it happened), but a child's case never opens with a
    worker whose vetting has lapsed since allocation: it waits for the team leader."""
    from casework.contact.recording import record_attempt, record_conversation
    from casework.referrals.decisions import allocate
    from scheduling.service_calendars import victim_calendar

    calendar = victim_calendar(app.config)
    origin = Origin.command_line("test")
    now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    worker = create_staff_record("caseworker", team=team_leader.team)
    create_referrals(CHILD)
    referral = referral_by_ref(CHILD["crime_reference"])
    allocate(db.session, referral.id, worker.id, actor=team_leader, origin=origin, now=now)
    vetting = get_vetting(db.session, worker.id)
    record_police_vetting(
        db.session,
        worker.id,
        level="NPPV2",
        granted_on=date(2023, 1, 1),
        expires_on=date(2026, 11, 20),
        version=vetting.version,
        actor=None,
        origin=origin,
        now=now,
    )
    record_attempt(
        db.session,
        referral.id,
        channel="telephone",
        outcome="spoke",
        at=now,
        notes=None,
        actor=worker,
        origin=origin,
        now=now,
        calendar=calendar,
    )
    record_conversation(
        db.session,
        referral.id,
        outcome="further_support",
        key_risks=None,
        held_at=now,
        booked_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
        passed_to=None,
        actor=worker,
        origin=origin,
        now=now,
        calendar=calendar,
    )
    case = db.session.scalars(sa.select(Case)).one()
    assert case.caseworker_id is None
    opened = audit_rows("case.open")[-1].detail_dict
    assert "police vetting expired on 20 November 2026" in opened["caseworker_left_out"]


# --- admin pages ----------------------------------------------------------------------------


def police_form(**fields):
    form = {
        "level": "NPPV2",
        "granted_on": ["1", "3", "2025"],
        "expires_on": ["1", "3", "2028"],
        "version": "0",
    }
    form.update(fields)
    return form


def test_admin_records_police_vetting_and_dbs_and_the_staff_page_shows_received(
    client, admin, create_staff_record
):
    worker = create_staff_record("caseworker", vetted=False, name="Nia New")
    page = client.get(f"/admin/staff/{worker.id}").get_data(as_text=True)
    assert "Vetting not received" in page and "No police vetting recorded" in page

    response = post_form(client, f"/admin/staff/{worker.id}/vetting/police", police_form())
    assert response.status_code == 302
    dbs = {
        "level": "enhanced_barred",
        "issued_on": ["1", "2", "2025"],
        "certificate_last4": "1234",
        "recheck_on": ["1", "2", "2028"],
        "version": "1",
    }
    assert post_form(client, f"/admin/staff/{worker.id}/vetting/dbs", dbs).status_code == 302
    page = client.get(f"/admin/staff/{worker.id}").get_data(as_text=True)
    assert "Vetting received" in page
    assert "NPPV 2, granted 1 March 2025, expires 1 March 2028" in page
    assert "certificate ending 1234" in page
    assert [r.actor_id for r in audit_rows("staff.vetting.police")] == [admin.id]
    assert audit_rows("staff.vetting.dbs")[-1].record_id == str(worker.id)
    assert "1234" not in (audit_rows("staff.vetting.dbs")[-1].detail or "")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"level": ""}, "Select the police vetting level"),
        ({"level": "NPPV9"}, "Not a valid choice"),
        (
            {"expires_on": ["1", "3", "2024"]},
            "The expiry date must be after the date it started",
        ),
        ({"granted_on": ["1", "3", "2030"]}, "must be today or in the past"),
        ({"granted_on": ["31", "2", "2025"]}, "must be a real date"),
        ({"expires_on": ["", "", ""]}, "Enter the expiry"),
        ({"expires_on": ["1", "3", "2040"]}, "within 10 years"),
    ],
)
def test_police_vetting_form_refuses_bad_input_and_stores_nothing(
    client, admin, create_staff_record, fields, message
):
    worker = create_staff_record("caseworker", vetted=False)
    response = post_form(client, f"/admin/staff/{worker.id}/vetting/police", police_form(**fields))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    db.session.rollback()
    assert get_vetting(db.session, worker.id) is None


def test_a_stale_vetting_form_is_refused_and_changes_nothing(client, admin, create_staff_record):
    worker = create_staff_record("caseworker")  # vetting recorded: version 2
    response = post_form(
        client,
        f"/admin/staff/{worker.id}/vetting/police",
        police_form(level="NPPV3", version="1"),
    )
    assert response.status_code == 400
    assert "Someone else changed this staff member" in response.get_data(as_text=True)
    db.session.rollback()
    assert get_vetting(db.session, worker.id).nppv_level == "NPPV2"


def test_a_vetting_form_sent_without_its_fields_is_refused(client, admin, create_staff_record):
    """Sent by hand with only its token: the form, prefilled from the record, must not take
    the record's own version (and dates) and save them as if a person had checked them."""
    worker = create_staff_record("caseworker")
    path = f"/admin/staff/{worker.id}/vetting/induction"
    induction = {"completed_on": ["2", "9", "2026"], "version": "2"}
    assert post_form(client, path, induction).status_code == 302
    db.session.rollback()
    before = get_vetting(db.session, worker.id).version
    db.session.rollback()
    for kind in ("induction", "police", "dbs"):
        response = post_form(client, f"/admin/staff/{worker.id}/vetting/{kind}", {})
        assert response.status_code == 400, kind
        assert "There is a problem" in response.get_data(as_text=True)
    db.session.rollback()
    assert get_vetting(db.session, worker.id).version == before
    assert len(audit_rows("staff.vetting.induction")) == 1


def test_dbs_reference_keeps_only_four_digits(client, admin, create_staff_record):
    worker = create_staff_record("caseworker", vetted=False)
    dbs = {
        "level": "enhanced_barred",
        "issued_on": ["1", "2", "2025"],
        "certificate_last4": "001234567890",
        "recheck_on": ["1", "2", "2028"],
        "version": "0",
    }
    response = post_form(client, f"/admin/staff/{worker.id}/vetting/dbs", dbs)
    assert response.status_code == 400
    db.session.rollback()
    assert get_vetting(db.session, worker.id) is None


def test_the_same_training_form_sent_twice_adds_one_course(client, admin, create_staff_record):
    """A resend would list the course twice on the staff member's training record."""
    worker = create_staff_record("caseworker")
    path = f"/admin/staff/{worker.id}/training/new"
    course = {"course": "Safeguarding children level 2", "completed_on": ["5", "10", "2026"]}
    sent_twice(client, path, course)
    db.session.rollback()
    assert [r.course for r in db.session.scalars(sa.select(TrainingRecord))] == [course["course"]]
    assert len(audit_rows("staff.training.add")) == 1
    assert post_form(client, path, course).status_code == 302  # a fresh form adds another
    db.session.rollback()
    assert len(db.session.scalars(sa.select(TrainingRecord)).all()) == 2


def test_admin_adds_and_removes_training_and_records_induction(client, admin, create_staff_record):
    worker = create_staff_record("caseworker")
    course = {
        "course": "Safeguarding children level 2",
        "completed_on": ["5", "10", "2026"],
    }
    path = f"/admin/staff/{worker.id}/training/new"
    assert post_form(client, path, course).status_code == 302
    bad = post_form(client, path, {**course, "course": "", "completed_on": ["1", "1", "2099"]})
    assert bad.status_code == 400
    induction = {
        "completed_on": ["2", "9", "2026"],
        "version": "2",
    }
    assert (
        post_form(client, f"/admin/staff/{worker.id}/vetting/induction", induction).status_code
        == 302
    )
    page = client.get(f"/admin/staff/{worker.id}").get_data(as_text=True)
    assert "Safeguarding children level 2" in page and "Attended 2 September 2026" in page
    db.session.rollback()
    record = db.session.scalars(sa.select(TrainingRecord)).one()
    course_name = record.course
    token = csrf_token(client, f"/admin/staff/{worker.id}")
    removed = client.post(
        f"/admin/staff/{worker.id}/training/{record.id}/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 302
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingRecord)) == 0
    assert audit_rows("staff.training.remove")[-1].detail_dict["course"] == course_name
    # another staff member's training id is not found
    other = create_staff_record("caseworker")
    assert post_form(client, path, course).status_code == 302
    db.session.rollback()
    record = db.session.scalars(sa.select(TrainingRecord)).one()
    wrong = client.post(
        f"/admin/staff/{other.id}/training/{record.id}/remove", data={"csrf_token": token}
    )
    assert wrong.status_code == 404


@pytest.mark.parametrize("role", ["team_leader", "caseworker", "analyst"])
def test_only_admins_reach_vetting_pages(client, sign_in_as, create_staff_record, role):
    worker = create_staff_record("caseworker", vetted=False)
    sign_in_as(role)
    assert client.get("/admin/vetting/expiring").status_code == 403
    assert client.get(f"/admin/staff/{worker.id}/vetting/police").status_code == 403
    token = csrf_token(client, "/account")
    response = client.post(
        f"/admin/staff/{worker.id}/vetting/police",
        data={"csrf_token": token, **police_form()},
    )
    assert response.status_code == 403
    db.session.rollback()
    assert get_vetting(db.session, worker.id) is None


def test_vetting_form_without_csrf_token_is_refused(client, admin, create_staff_record):
    worker = create_staff_record("caseworker", vetted=False)
    response = client.post(f"/admin/staff/{worker.id}/vetting/police", data=police_form())
    assert response.status_code in (400, 403)
    db.session.rollback()
    assert get_vetting(db.session, worker.id) is None


# --- vetting due to expire ------------------------------------------------------------------


def set_expiry(staff, expires_on: date, now: datetime):
    vetting = get_vetting(db.session, staff.id)
    record_police_vetting(
        db.session,
        staff.id,
        level=vetting.nppv_level,
        granted_on=date(2024, 1, 1),
        expires_on=expires_on,
        version=vetting.version,
        actor=None,
        origin=Origin.command_line("test"),
        now=now,
    )


@pytest.fixture
def app_overrides():
    return {"PAGE_SIZE": 2}


def test_expiring_list_is_correct_at_the_60_day_edge(
    client, runner, sign_in_as, create_staff_record
):
    now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        sign_in_as("admin")
        edge = create_staff_record("caseworker", name="Edge Sixty")
        past_edge = create_staff_record("caseworker", name="Past Edge")
        lapsed = create_staff_record("team_leader", name="Lapsed Leader")
        soon = create_staff_record("caseworker", name="Soon Ten")
        set_expiry(edge, date(2027, 1, 19), now)  # 60 days ahead: listed
        set_expiry(past_edge, date(2027, 1, 20), now)  # 61 days ahead: not listed
        set_expiry(lapsed, date(2026, 10, 1), now)  # already expired: listed first
        set_expiry(soon, date(2026, 11, 30), now)
        first = client.get("/admin/vetting/expiring").get_data(as_text=True)
        second = client.get("/admin/vetting/expiring?page=2").get_data(as_text=True)
        result = runner.invoke(args=["vetting", "expiring", "--json"])
        text = runner.invoke(args=["vetting", "expiring"])
    assert "3 staff members" in first
    assert first.index("Lapsed Leader") < first.index("Soon Ten")
    assert "Edge Sixty" not in first and "Edge Sixty" in second
    assert "Expired" in first and "In 10 days" in first and "In 60 days" in second
    assert "Past Edge" not in first + second
    rows = json.loads(result.output)
    assert [r["name"] for r in rows] == ["Lapsed Leader", "Soon Ten", "Edge Sixty"]
    assert rows[0]["expired"] is True and rows[0]["soonest"] == "2026-10-01"
    assert rows[2]["police_vetting_expires_on"] == "2027-01-19"
    assert "EXPIRED" in text.output and "Past Edge" not in text.output


def test_expiring_list_has_an_empty_state(client, admin):
    page = client.get("/admin/vetting/expiring").get_data(as_text=True)
    assert "No vetting or DBS check expires in the next 60 days" in page
    assert "Vetting due to expire" in page


def test_refusal_for_a_case_names_why_for_a_child_and_allows_an_adult(team_leader, workers):
    """What a case reassignment asks before changing anything."""
    from casework.staff.vetting import refusal_for_case
    from tests.factories import create_case

    vetted, unvetted = workers
    now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    child_case = create_case(
        referral_by_ref(CHILD["crime_reference"]).id, caseworker=vetted, leader=team_leader
    )
    adult_case = create_case(
        referral_by_ref(ADULT["crime_reference"]).id, caseworker=vetted, leader=team_leader
    )
    assert refusal_for_case(db.session, child_case, vetted, now=now) is None
    assert refusal_for_case(db.session, child_case, unvetted, now=now) == (
        "Uma Unvetted cannot work with this person (under 18) until their vetting is received: "
        "no police vetting recorded; no DBS check recorded."
    )
    assert refusal_for_case(db.session, adult_case, unvetted, now=now) is None


def test_a_vulnerable_persons_new_referral_joins_their_case_but_not_its_unvetted_worker(
    app, client, team_leader, create_staff_record, create_team_record
):
    from tests.factories import create_case

    unvetted = create_staff_record("caseworker", team=team_leader.team, vetted=False)
    vetted = create_staff_record("caseworker", team=team_leader.team)
    first = police_row(crime_reference="LC-20261120-0401", forename="Pat", surname="Repeat")
    again = {**first, "crime_reference": "LC-20261120-0402", "flags": "VULNERABLE"}
    create_referrals(first)
    case = create_case(
        referral_by_ref("LC-20261120-0401").id, caseworker=unvetted, leader=team_leader
    )
    create_referrals(again)
    joined = referral_by_ref("LC-20261120-0402")
    assert joined.case_id == case.id
    assert joined.allocated_to_id is None  # left for the team leader, not the unvetted worker
    # Another team's leader sees it on the queue, unallocated, but the case is not theirs.
    elsewhere = create_team_record("Other victim team")
    other_leader = create_staff_record("team_leader", team=elsewhere)
    theirs = create_staff_record("caseworker", team=elsewhere)
    other = app.test_client()
    assert sign_in(other, other_leader.email).status_code == 302
    refused = allocate_on_page(other, joined.id, theirs.id)
    assert refused.status_code == 400
    said = "held by another team: that team&#39;s leader allocates it"
    assert said in refused.get_data(as_text=True)
    assert referral_by_ref("LC-20261120-0402").allocated_to_id is None
    allocated = allocate_on_page(client, joined.id, vetted.id)
    assert allocated.status_code == 302  # who allocates it: open, though in the case
    assert referral_by_ref("LC-20261120-0402").allocated_to_id == vetted.id
    # With a vetted caseworker the new referral goes to them as before.
    other = {**first, "crime_reference": "LC-20261120-0403", "forename": "Sam", "flags": ""}
    create_referrals(other)
    create_case(referral_by_ref("LC-20261120-0403").id, caseworker=vetted, leader=team_leader)
    create_referrals({**other, "crime_reference": "LC-20261120-0404", "flags": "VULNERABLE"})
    assert referral_by_ref("LC-20261120-0404").allocated_to_id == vetted.id
