"""What the target-hardening contractor reports back, recorded by staff (issue 14 part 3; Lot 2
3.1, 4, 6, 7; DESIGN.md D7, D11): the visit and its D7 due time, refusal, the outcome with money
in pence, completion and the 12-month follow-up, an additional need with consent; who may see
and record it; the audit trail; concurrent edits; and the quarter's report with known figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin
from casework.closure.closing import request_closure
from casework.db import db
from casework.errors import NotFound, ValidationError
from casework.models import Obligation
from casework.onward.hardening_report import Quarter, hardening_report
from casework.onward.models import OnwardReferral, TargetHardening
from casework.onward.target_hardening import (
    record_additional_need,
    record_completion,
    record_follow_up,
    record_outcome,
    record_refusal,
    record_visit,
)
from tests.conftest import audit_rows, post_form, sign_in
from tests.factories import create_case_for_notes
from tests.factories_onward import create_hardening_referral, record_consent
from tests.police import police_row

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)  # Monday 10:00 GMT
MADE = datetime(2026, 11, 20, 11, tzinfo=UTC)  # Friday: the visit is due Fri 27 Nov 18:00
OPENED = datetime(2026, 10, 1, 9, tzinfo=UTC)
ORIGIN = Origin.command_line("test")


def _calendar():
    from flask import current_app

    from scheduling.service_calendars import victim_calendar

    return victim_calendar(current_app.config)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(create_team_record):
    return create_team_record("City victim team")


@pytest.fixture
def worker(create_staff_record, team):
    return create_staff_record("caseworker", team=team, name="Sam Okafor")


@pytest.fixture
def leader(create_staff_record, team):
    return create_staff_record("team_leader", team=team, name="Lee Leader")


@pytest.fixture
def outsider(create_staff_record, create_team_record):
    return create_staff_record(
        "team_leader", team=create_team_record("County victim team"), name="Olu Other"
    )


def new_case(worker, leader, n: int = 0):
    row = police_row(
        crime_reference=f"LC-20260930-{n:04d}",
        occurred_on="2026-09-28",
        surname=f"Example{n}",
        mobile_phone=f"07700 9002{n:02d}",
    )
    return create_case_for_notes(caseworker=worker, team_leader=leader, row=row, at=OPENED)


@pytest.fixture
def case(clock, worker, leader):
    return new_case(worker, leader)


@pytest.fixture
def referral(case, worker):
    return create_hardening_referral(case, by=worker, made_at=MADE)


def fresh(referral_id: int) -> TargetHardening:
    db.session.rollback()
    return db.session.scalar(
        sa.select(TargetHardening).where(TargetHardening.referral_id == referral_id)
    )


def obligations(case_id: int, kind: str) -> list[Obligation]:
    db.session.rollback()
    return list(
        db.session.scalars(
            sa.select(Obligation)
            .where(Obligation.case_id == case_id, Obligation.kind == kind)
            .order_by(Obligation.id)
        )
    )


def uk(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%a %Y-%m-%d %H:%M")


def call(service, referral, actor, now=NOW, version=None, **values):
    details = fresh(referral.id)
    return service(
        db.session,
        referral.case_id,
        referral.id,
        expected_version=details.version if version is None else version,
        actor=actor,
        origin=ORIGIN,
        now=now,
        calendar=_calendar(),
        **values,
    )


def visit(referral, actor, attended_at=None, agreed=None, now=NOW, **kw):
    return call(
        record_visit,
        referral,
        actor,
        now=now,
        visit_agreed_for=agreed,
        attended_at=attended_at,
        **kw,
    )


def outcome(referral, actor, level=3, items="Door chain; window locks", cost="£1,234.50", **kw):
    values = {"fitted_on": None, "satisfaction": 5, **kw}
    return call(
        record_outcome, referral, actor, service_level=level, items=items, cost=cost, **values
    )


# --- the visit and D7 -------------------------------------------------------------------------


def test_a_referral_made_owes_the_visit_by_the_close_of_the_fifth_working_day(case, referral):
    (d7,) = obligations(case.id, "th_attendance")
    assert (d7.status, uk(d7.due_at)) == ("due", "Fri 2026-11-27 18:00")


def test_attendance_in_time_meets_d7_and_the_referral_counts_as_accepted(case, worker, referral):
    visit(referral, worker, agreed=datetime(2026, 11, 23, 9, tzinfo=UTC))
    visit(referral, worker, attended_at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    (d7,) = obligations(case.id, "th_attendance")
    assert (d7.status, d7.met_at) == ("met", NOW)
    (d11,) = obligations(case.id, "onward_follow_up")
    assert d11.status == "met"
    assert db.session.get(OnwardReferral, referral.id).status == "accepted"
    rows = audit_rows("target_hardening.visit")
    assert [r.detail_dict["changed"] for r in rows] == [["visit_agreed_for"], ["attended_at"]]
    assert rows[-1].detail_dict["late"] is False and rows[-1].actor_id == worker.id


def test_attendance_after_the_due_time_is_counted_as_late(clock, case, worker, referral):
    late = datetime(2026, 11, 30, 9, tzinfo=UTC)
    clock.move_to(late + timedelta(hours=1))
    visit(referral, worker, attended_at=late, now=late + timedelta(hours=1))
    (d7,) = obligations(case.id, "th_attendance")
    assert (d7.status, d7.breached_at) == ("breached", d7.due_at)
    assert d7.met_at is not None


@pytest.mark.parametrize(
    "attended,field,message",
    [
        (NOW + timedelta(minutes=1), "attended_day", "cannot be in the future"),
        (MADE - timedelta(minutes=1), "attended_day", "cannot be before the referral"),
        (None, "visit_agreed_for_day", "Enter the visit agreed"),
    ],
)
def test_an_impossible_attendance_is_refused_and_nothing_is_stored(
    case, worker, referral, attended, field, message
):
    with pytest.raises(ValidationError) as refused:
        visit(referral, worker, attended_at=attended)
    assert message in refused.value.errors[field]
    db.session.rollback()
    assert fresh(referral.id).attended_at is None
    assert obligations(case.id, "th_attendance")[0].status == "due"


def test_two_referrals_on_one_case_each_meet_only_their_own_obligations(case, worker, referral):
    second = create_hardening_referral(
        case, by=worker, made_at=datetime(2026, 11, 23, 8, tzinfo=UTC), urgency="emergency"
    )
    first_d7, second_d7 = obligations(case.id, "th_attendance")
    assert uk(second_d7.due_at) == "Mon 2026-11-23 12:00"  # the emergency: 4 hours
    visit(second, worker, attended_at=datetime(2026, 11, 23, 9, 45, tzinfo=UTC))
    first_d7, second_d7 = obligations(case.id, "th_attendance")
    assert (first_d7.status, second_d7.status) == ("due", "met")
    first_d11, second_d11 = obligations(case.id, "onward_follow_up")
    assert (first_d11.status, second_d11.status) == ("due", "met")


# --- refusal ----------------------------------------------------------------------------------


def test_a_refusal_cancels_the_visit_and_stops_attendance_being_recorded(case, worker, referral):
    with pytest.raises(ValidationError) as refused:
        call(record_refusal, referral, worker, reason="  ")
    assert refused.value.errors == {"refused_reason": "Enter why the person refused the service"}
    call(record_refusal, referral, worker, reason="Moving out next week")
    (d7,) = obligations(case.id, "th_attendance")
    assert d7.status == "cancelled"
    found = db.session.get(OnwardReferral, referral.id)
    assert found.status == "declined" and "Moving out next week" in found.outcome_note
    with pytest.raises(ValidationError) as refused:
        visit(referral, worker, attended_at=NOW - timedelta(hours=1))
    assert "refused the service" in refused.value.errors["attended_day"]
    assert len(audit_rows("target_hardening.refused")) == 1


def test_the_service_cannot_be_refused_once_the_contractor_attended(worker, referral):
    visit(referral, worker, attended_at=NOW - timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        call(record_refusal, referral, worker, reason="Changed their mind")
    assert "attended" in refused.value.errors["refused_reason"]
    assert fresh(referral.id).refused is False


# --- the outcome and money --------------------------------------------------------------------


def test_the_outcome_needs_the_visit_first(worker, referral):
    with pytest.raises(ValidationError) as refused:
        outcome(referral, worker)
    assert refused.value.errors == {"": "Record when the contractor attended first"}


@pytest.mark.parametrize(
    "level,items,cost,field,message",
    [
        (1, "Door chain", "", "items", "Level 1 is advice only"),
        (1, "", "12.00", "cost", "Level 1 is advice only"),
        (2, "", "12.00", "items", "Enter the items supplied"),
        (3, "Window locks", "", "cost", "Enter the cost"),
        (3, "Window locks", "75.5", "cost", "Enter an amount in pounds and pence"),
        (3, "Window locks", "1,23", "cost", "Enter an amount in pounds and pence"),
        (3, "Window locks", "-5", "cost", "Enter an amount in pounds and pence"),
        (3, "Window locks", "1e3", "cost", "Enter an amount in pounds and pence"),
        (3, "Window locks", "90000.01", "cost", "no more than £90,000"),
        (None, "", "", "service_level", "Select the service level"),
    ],
)
def test_an_outcome_that_does_not_add_up_is_refused(
    worker, referral, level, items, cost, field, message
):
    visit(referral, worker, attended_at=NOW - timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        outcome(referral, worker, level=level, items=items, cost=cost)
    assert message in refused.value.errors[field]
    db.session.rollback()
    assert fresh(referral.id).service_level is None


def test_the_cost_is_stored_in_whole_pence(worker, referral):
    visit(referral, worker, attended_at=NOW - timedelta(hours=1))
    outcome(referral, worker, cost="£1,234.50", fitted_on=date(2026, 11, 23))
    details = fresh(referral.id)
    assert (details.service_level, details.cost_pence, details.fitted_on) == (
        3,
        123_450,
        date(2026, 11, 23),
    )
    assert isinstance(details.cost_pence, int)
    (row,) = audit_rows("target_hardening.outcome")
    assert row.detail_dict["cost_pence"] == 123_450
    outcome(referral, worker, level=1, items="", cost="", satisfaction=4)
    details = fresh(referral.id)
    assert (details.items, details.cost_pence, details.satisfaction) == (None, None, 4)


# --- completion and the 12-month follow-up ---------------------------------------------------


def _attended_and_levelled(referral, worker):
    visit(referral, worker, attended_at=NOW - timedelta(hours=1))
    outcome(referral, worker, fitted_on=date(2026, 11, 23))


def test_completion_owes_the_follow_up_a_year_on_and_completes_the_referral(case, worker, referral):
    with pytest.raises(ValidationError):
        call(record_completion, referral, worker, completed_on=date(2026, 11, 23))
    _attended_and_levelled(referral, worker)
    with pytest.raises(ValidationError) as refused:
        call(record_completion, referral, worker, completed_on=date(2026, 11, 24))
    assert "future" in refused.value.errors["completed_on"]
    call(record_completion, referral, worker, completed_on=date(2026, 11, 23))
    (follow_up,) = obligations(case.id, "th_follow_up")
    assert (follow_up.status, uk(follow_up.due_at)) == ("due", "Tue 2027-11-23 18:00")
    assert db.session.get(OnwardReferral, referral.id).status == "completed"
    # The D11 follow-up was met by the first outcome (the visit), not twice.
    assert [o.status for o in obligations(case.id, "onward_follow_up")] == ["met"]


def test_a_corrected_completion_date_replaces_the_follow_up(clock, case, worker, referral):
    _attended_and_levelled(referral, worker)
    call(record_completion, referral, worker, completed_on=date(2026, 11, 23))
    later = NOW + timedelta(days=1)
    clock.move_to(later)
    call(record_completion, referral, worker, now=later, completed_on=date(2026, 11, 24))
    old, new = obligations(case.id, "th_follow_up")
    assert (old.status, new.status, uk(new.due_at)) == ("cancelled", "due", "Wed 2027-11-24 20:00")


def test_the_twelve_month_answers_meet_the_follow_up_even_after_the_case_closed(
    clock, case, worker, leader, referral
):
    _attended_and_levelled(referral, worker)
    call(record_completion, referral, worker, completed_on=date(2026, 11, 23))
    request_closure(
        db.session, case.id, reason="declined", words=None, actor=worker, origin=ORIGIN, now=NOW
    )
    (follow_up,) = obligations(case.id, "th_follow_up")
    assert follow_up.status == "due"  # it outlives the case
    a_year_on = datetime(2027, 11, 22, 11, tzinfo=UTC)
    clock.move_to(a_year_on)
    with pytest.raises(ValidationError) as refused:
        call(record_follow_up, referral, worker, now=a_year_on, feels_safer="maybe", is_safer="")
    assert set(refused.value.errors) == {"feels_safer", "is_safer"}
    call(record_follow_up, referral, leader, now=a_year_on, feels_safer="yes", is_safer="unknown")
    details = fresh(referral.id)
    assert (details.follow_up_feels_safer, details.follow_up_is_safer) == ("yes", "unknown")
    assert details.follow_up_at == a_year_on
    (follow_up,) = obligations(case.id, "th_follow_up")
    assert (follow_up.status, follow_up.met_at) == ("met", a_year_on)


# --- an additional need, with consent ----------------------------------------------------------


def test_an_additional_need_is_recorded_only_with_the_persons_consent(worker, referral):
    with pytest.raises(ValidationError) as refused:
        call(record_additional_need, referral, worker, need="Needs help with debts", consent=False)
    assert (
        "agreed to the contractor feeding it back"
        in refused.value.errors["additional_need_consent"]
    )
    assert fresh(referral.id).additional_need is None
    call(record_additional_need, referral, worker, need="Needs help with debts", consent=True)
    details = fresh(referral.id)
    assert (details.additional_need, details.additional_need_consent) == (
        "Needs help with debts",
        True,
    )
    (row,) = audit_rows("target_hardening.additional_need")
    assert "debts" not in (row.detail or "")  # the trail names the change, not the need


def test_feedback_is_still_recorded_after_consent_to_share_was_withdrawn(
    client, case, worker, referral
):
    record_consent(case, referral.agency, given=False, by=worker, at=NOW - timedelta(hours=2))
    visit(referral, worker, attended_at=NOW - timedelta(hours=1))
    assert fresh(referral.id).attended_at == NOW - timedelta(hours=1)
    sign_in(client, worker.email)
    page = client.get(f"/cases/{case.id}/onward/{referral.id}/target-hardening")
    assert "withdrew consent to share with 24/7 Locks" in page.get_data(as_text=True)


# --- concurrent edits ------------------------------------------------------------------------


def test_a_save_over_someone_elses_change_is_refused(worker, leader, referral):
    opened = fresh(referral.id).version
    visit(referral, leader, agreed=datetime(2026, 11, 24, 9, tzinfo=UTC))
    with pytest.raises(ValidationError) as refused:
        visit(referral, worker, attended_at=NOW - timedelta(hours=1), version=opened)
    assert "Someone else recorded something" in refused.value.errors[""]
    assert fresh(referral.id).attended_at is None


# --- who may see and record ----------------------------------------------------------------------


def test_another_teams_leader_gets_not_found_and_the_refusal_is_audited(outsider, referral):
    with pytest.raises(NotFound):
        visit(referral, outsider, attended_at=NOW - timedelta(hours=1))
    assert audit_rows("access.denied")[-1].actor_id == outsider.id


def test_a_referral_of_another_case_is_not_found(worker, leader, referral):
    other = new_case(worker, leader, 1)
    with pytest.raises(NotFound):
        record_visit(
            db.session,
            other.id,
            referral.id,
            visit_agreed_for=None,
            attended_at=NOW - timedelta(hours=1),
            expected_version=1,
            actor=worker,
            origin=ORIGIN,
            now=NOW,
            calendar=_calendar(),
        )


def test_the_page_is_for_the_cases_team_and_records_a_visit(
    client, case, worker, outsider, referral
):
    path = f"/cases/{case.id}/onward/{referral.id}/target-hardening"
    other = client.application.test_client()
    sign_in(other, outsider.email)
    assert other.get(path).status_code == 404
    sign_in(client, worker.email)
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "24/7 Locks" in text and "Lives alone; the offender knows the address" in text
    assert "by Friday 27 November 2026 at 18:00" in text and "Not attended yet" in text
    response = post_form(
        client,
        f"{path}/visit",
        {
            "version": "1",
            "attended_day": ["23", "11", "2026"],
            "attended_time": "25:00",
        },
        token_from=path,
    )
    assert response.status_code == 400
    assert "Enter a time like 14:30" in response.get_data(as_text=True)
    response = post_form(
        client,
        f"{path}/visit",
        {
            "version": "1",
            "attended_day": ["23", "11", "2026"],
            "attended_time": "09:15",
        },
        token_from=path,
        follow_redirects=True,
    )
    assert "Visit saved." in response.get_data(as_text=True)
    assert "Attended in time" in response.get_data(as_text=True)
    assert fresh(referral.id).attended_at == datetime(2026, 11, 23, 9, 15, tzinfo=UTC)


def test_a_caseworker_who_does_not_hold_the_case_cannot_see_it(
    client, create_staff_record, team, case, referral
):
    colleague = create_staff_record("caseworker", team=team)
    sign_in(client, colleague.email)
    path = f"/cases/{case.id}/onward/{referral.id}/target-hardening"
    assert client.get(path).status_code == 404


# --- the report ----------------------------------------------------------------------------------


@pytest.fixture
def reported(clock, create_team_record, create_staff_record, team, worker, leader):
    """Known data in two teams for October to December 2026 (and one completion in May, in
    the same financial year)."""
    county = create_team_record("County victim team")
    county_worker = create_staff_record("caseworker", team=county)
    county_leader = create_staff_record("team_leader", team=county)
    cases = [new_case(worker, leader, n) for n in range(1, 4)]
    county_case = new_case(county_worker, county_leader, 9)
    at = datetime

    def done(case, by, made, attended, level, items, cost, fitted, completed, urgency="standard"):
        ref = create_hardening_referral(case, by=by, made_at=made, urgency=urgency)
        visit(ref, by, attended_at=attended, now=attended + timedelta(hours=1))
        finished = datetime.combine(completed, datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=20
        )
        call(
            record_outcome,
            ref,
            by,
            now=finished,
            service_level=level,
            items=items,
            cost=cost,
            fitted_on=fitted,
            satisfaction=None,
        )
        call(
            record_completion,
            ref,
            by,
            now=finished,
            completed_on=completed,
        )
        return ref

    # Made Thu 1 Oct, due Thu 8 Oct 18:00 BST; attended Mon 5 Oct; fitted Wed 7 Oct (4 wd).
    done(
        cases[0],
        worker,
        at(2026, 10, 1, 9, tzinfo=UTC),
        at(2026, 10, 5, 9, tzinfo=UTC),
        3,
        "Locks",
        "£1,234.50",
        date(2026, 10, 7),
        date(2026, 10, 7),
    )
    # Made Mon 2 Nov, due Mon 9 Nov 18:00; attended late Tue 10 Nov; fitted Thu 12 Nov (8 wd).
    done(
        cases[1],
        worker,
        at(2026, 11, 2, 9, tzinfo=UTC),
        at(2026, 11, 10, 9, tzinfo=UTC),
        2,
        "Door alarm",
        "75",
        date(2026, 11, 12),
        date(2026, 11, 12),
    )
    # An emergency in the county team, attended within 4 hours, advice only.
    done(
        county_case,
        county_worker,
        at(2026, 11, 3, 14, tzinfo=UTC),
        at(2026, 11, 3, 17, tzinfo=UTC),
        1,
        "",
        "",
        None,
        date(2026, 11, 3),
        urgency="emergency",
    )
    # Completed in May 2026: the same financial year, not the quarter.
    done(
        cases[2],
        worker,
        at(2026, 5, 5, 9, tzinfo=UTC),
        at(2026, 5, 6, 9, tzinfo=UTC),
        2,
        "Timer switch",
        "100.01",
        date(2026, 5, 6),
        date(2026, 5, 6),
    )
    # A referral in the quarter that was refused.
    refused = create_hardening_referral(
        cases[2], by=worker, made_at=at(2026, 11, 16, 9, tzinfo=UTC)
    )
    call(record_refusal, refused, worker, now=at(2026, 11, 16, 12, tzinfo=UTC), reason="No")
    # A 12-month follow-up recorded in the quarter.
    first = db.session.scalars(sa.select(OnwardReferral).order_by(OnwardReferral.id)).first()
    call(record_follow_up, first, worker, feels_safer="yes", is_safer="no")
    return county


def test_the_report_adds_up_to_the_penny(reported):
    report = hardening_report(db.session, Quarter(2026, 4), _calendar())
    assert report.referrals == 4
    assert report.by_team == [("City victim team", 3), ("County victim team", 1)]
    assert (report.emergencies, report.refused) == (1, 1)
    assert report.completed_by_level == {1: 1, 2: 1, 3: 1}
    assert sorted(report.fitting_working_days) == [4, 8]
    assert (report.fitting_median, report.fitting_mean) == (6, 6.0)
    assert report.spent_pence == 123_450 + 7_500
    assert report.completed_properties == 3
    assert report.mean_cost_pence == 43_650  # £1,309.50 over three properties
    assert report.year_spent_pence == 123_450 + 7_500 + 10_001
    assert report.year_left_pence == 9_000_000 - 140_951
    assert (report.attended, report.attended_in_time) == (3, 2)
    assert report.within_time.percent == 67
    assert report.feels_safer == {"yes": 1, "no": 0, "unknown": 0}
    assert report.is_safer == {"yes": 0, "no": 1, "unknown": 0}


def test_the_report_page_and_its_csv_are_for_leaders_admins_and_analysts(
    client, reported, create_staff_record
):
    analyst = create_staff_record("analyst")
    sign_in(client, analyst.email)
    page = client.get("/reports/target-hardening?quarter=2026-Q4")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "October to December 2026" in text and "£1,309.50" in text and "£436.50" in text
    assert "£1,409.51 of £90,000.00" in text and "2 of 3" in text
    assert "Example" not in text  # no names
    download = client.get("/reports/target-hardening.csv?quarter=2026-Q4")
    assert download.mimetype == "text/csv"
    assert "target-hardening-2026-Q4.csv" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert ["Cost", "Spent in the quarter", "£1,309.50"] in rows
    assert ["Referrals by team", "County victim team", "1"] in rows
    assert client.get("/reports/target-hardening?quarter=nonsense").status_code == 400
    empty = client.get("/reports/target-hardening?quarter=2019-Q1").get_data(as_text=True)
    assert "No target-hardening referrals were made" in empty

    caseworker = create_staff_record("caseworker")
    other = client.application.test_client()
    sign_in(other, caseworker.email)
    assert other.get("/reports/target-hardening").status_code == 403
    assert other.get("/reports/target-hardening.csv").status_code == 403


# --- found in review ------------------------------------------------------------------------------


def test_a_save_racing_a_colleagues_is_refused_not_a_server_error(worker, leader, referral):
    opened = fresh(referral.id)  # this page, as it was loaded
    with db.engine.begin() as colleague:  # a colleague's save lands first
        colleague.execute(
            sa.update(TargetHardening)
            .where(TargetHardening.id == opened.id)
            .values(version=opened.version + 1, visit_agreed_for=NOW + timedelta(days=1))
        )
    with pytest.raises(ValidationError) as refused:
        record_visit(
            db.session,
            referral.case_id,
            referral.id,
            visit_agreed_for=None,
            attended_at=NOW - timedelta(hours=1),
            expected_version=opened.version,
            actor=worker,
            origin=ORIGIN,
            now=NOW,
            calendar=_calendar(),
        )
    assert "Someone else recorded something" in refused.value.errors[""]
    assert fresh(referral.id).attended_at is None
    assert obligations(referral.case_id, "th_attendance")[0].status == "due"


def test_the_general_outcome_form_does_not_take_a_target_hardening_referral(case, worker, referral):
    from casework.onward.referring import record_outcome as record_agency_outcome

    with pytest.raises(ValidationError) as refused:
        record_agency_outcome(
            db.session,
            case.id,
            referral.id,
            outcome="completed",
            outcome_at=NOW,
            note="Done",
            expected_version=referral.version,
            actor=worker,
            origin=ORIGIN,
            now=NOW,
            calendar=_calendar(),
        )
    assert "its own page" in refused.value.errors[""]
    db.session.rollback()
    assert db.session.get(OnwardReferral, referral.id).status == "sent"
    assert obligations(case.id, "th_attendance")[0].status == "due"  # D7 still owed


def test_a_visit_never_meets_another_referrals_follow_up(case, worker):
    from casework.obligations import lifecycle
    from triage.onward import onward_follow_up_due

    # A mental health referral sent earlier owes its own D11; the contractor's email is still
    # waiting to go, so the target-hardening referral owes none yet.
    lifecycle.add(
        db.session,
        case,
        onward_follow_up_due(datetime(2026, 11, 16, 10, tzinfo=UTC), _calendar()),
        NOW,
        unique=False,
    )
    db.session.commit()
    waiting = create_hardening_referral(
        case, by=worker, made_at=MADE, status="queued", owes_d11=False
    )
    visit(waiting, worker, attended_at=NOW - timedelta(hours=1))
    [other_d11] = obligations(case.id, "onward_follow_up")
    assert other_d11.status == "due"
    assert db.session.get(OnwardReferral, waiting.id).status == "queued"
    assert fresh(waiting.id).attended_at is not None  # what the contractor said is kept
