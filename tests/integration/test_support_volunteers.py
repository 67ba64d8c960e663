"""Volunteers on a case (spec 3.12 and 10): who assigns whom, vetting for a child or a
vulnerable adult, stepping down, and a volunteer seeing their assigned cases and nothing else."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casework.audit import Origin
from casework.cases.notes_models import CaseNote
from casework.db import db, utcnow
from casework.models import CaseVolunteer
from casework.referrals.models import Referral
from casework.staff.accounts import set_staff_active
from tests.conftest import audit_rows, post_form, sign_in
from tests.factories import create_case, create_referrals
from tests.police import police_row

CHILD = police_row(
    crime_reference="LC-20261120-0701", forename="Kit", surname="Young", date_of_birth="2013-02-03"
)
ADULT = police_row(
    crime_reference="LC-20261120-0702", forename="Ada", surname="Grown", date_of_birth="1980-05-05"
)
VULNERABLE = police_row(
    crime_reference="LC-20261120-0703",
    forename="Val",
    surname="Frail",
    date_of_birth="1950-01-01",
    flags="VULNERABLE",
)
ORIGIN = Origin.command_line("test")


def _case(row, worker, leader):
    referral = db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == row["crime_reference"])
    ).one()
    return create_case(referral.id, caseworker=worker, leader=leader)


@pytest.fixture
def team(team_leader, create_staff_record):
    """A signed-in team leader, a caseworker and two volunteers of their team (one vetted), and
    a child's, an adult's and a vulnerable adult's case held by the caseworker."""
    worker = create_staff_record("caseworker", team=team_leader.team, name="Cass Worker")
    vetted = create_staff_record("volunteer", team=team_leader.team, name="Vic Vetted", vetted=True)
    unvetted = create_staff_record("volunteer", team=team_leader.team, name="Una Unvetted")
    create_referrals(CHILD, ADULT, VULNERABLE)
    cases = {
        "child": _case(CHILD, worker, team_leader),
        "adult": _case(ADULT, worker, team_leader),
        "vulnerable": _case(VULNERABLE, worker, team_leader),
    }
    return {
        "leader": team_leader,
        "worker": worker,
        "vetted": vetted,
        "unvetted": unvetted,
        **cases,
    }


def assign(client, case, volunteer, note="Weekly befriending calls"):
    path = f"/cases/{case.id}/support/volunteers/new"
    return post_form(client, path, {"volunteer": str(volunteer.id), "role_note": note})


def current(case) -> list[int]:
    db.session.rollback()
    return list(
        db.session.scalars(
            sa.select(CaseVolunteer.volunteer_id).where(
                CaseVolunteer.case_id == case.id, CaseVolunteer.stepped_down_at.is_(None)
            )
        )
    )


def as_volunteer(app, volunteer):
    client = app.test_client()
    assert sign_in(client, volunteer.email).status_code == 302
    return client


def test_team_leader_assigns_a_vetted_volunteer_shown_on_the_support_tab_and_timeline(client, team):
    response = assign(client, team["child"], team["vetted"])
    assert response.status_code == 302
    assert current(team["child"]) == [team["vetted"].id]
    page = client.get(f"/cases/{team['child'].id}/support").get_data(as_text=True)
    assert "Vic Vetted" in page and "Weekly befriending calls" in page
    row = audit_rows("case_volunteer.assign")[-1]
    assert row.actor_id == team["leader"].id and row.person_id == team["child"].person_id
    timeline = client.get(f"/cases/{team['child'].id}/timeline").get_data(as_text=True)
    assert "Volunteer Vic Vetted assigned to the case" in timeline


@pytest.mark.parametrize("who", ["child", "vulnerable"])
def test_an_unvetted_volunteer_is_refused_for_a_child_or_vulnerable_adult(client, team, who):
    response = assign(client, team[who], team["unvetted"])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Una Unvetted cannot work with this person" in page
    assert "until their vetting is received" in page
    assert current(team[who]) == []


def test_an_unvetted_volunteer_may_be_assigned_to_an_adult(client, team):
    assert assign(client, team["adult"], team["unvetted"]).status_code == 302
    assert current(team["adult"]) == [team["unvetted"].id]


def test_not_twice_at_once_and_not_another_teams_or_an_inactive_volunteer(
    client, team, create_staff_record, create_team_record
):
    case = team["adult"]
    assert assign(client, case, team["vetted"]).status_code == 302
    again = assign(client, case, team["vetted"])
    assert again.status_code == 400
    assert "Vic Vetted is already on this case" in again.get_data(as_text=True)
    theirs = create_staff_record(
        "volunteer", team=create_team_record("Other team"), name="Theo There", vetted=True
    )
    gone = create_staff_record("volunteer", team=team["leader"].team, name="Gil Gone", vetted=True)
    set_staff_active(db.session, gone.id, False, actor=None, origin=ORIGIN, now=utcnow())
    worker = team["worker"]
    form = client.get(f"/cases/{case.id}/support/volunteers/new").get_data(as_text=True)
    assert "Theo There" not in form and "Gil Gone" not in form and "Una Unvetted" in form
    for outsider in (theirs, gone, worker):
        response = assign(client, case, outsider)
        assert response.status_code == 400
        assert "Select an active volunteer of the case" in response.get_data(as_text=True)
    assert current(case) == [team["vetted"].id]


def test_who_may_assign(app, team, create_staff_record, create_team_record):
    case = team["adult"]
    # The case's caseworker may; a caseworker of another case in the team sees a 404.
    worker = app.test_client()
    sign_in(worker, team["worker"].email)
    assert assign(worker, case, team["unvetted"]).status_code == 302
    other = create_staff_record("caseworker", team=team["leader"].team)
    stranger = app.test_client()
    sign_in(stranger, other.email)
    assert stranger.get(f"/cases/{case.id}/support/volunteers/new").status_code == 404
    # A team leader of another team sees a 404; a volunteer may not reach the form at all.
    leader = create_staff_record("team_leader", team=create_team_record("Far team"))
    far = app.test_client()
    sign_in(far, leader.email)
    assert far.get(f"/cases/{case.id}/support/volunteers/new").status_code == 404
    volunteer = as_volunteer(app, team["unvetted"])
    assert volunteer.get(f"/cases/{case.id}/support/volunteers/new").status_code == 403
    assert current(case) == [team["unvetted"].id]


def test_a_volunteer_sees_only_their_case_and_its_few_pages(app, client, team):
    case = team["adult"]
    assert assign(client, case, team["vetted"]).status_code == 302
    # A restricted note on the case, and an ordinary one.
    for text, restricted in (("Safe words agreed.", "y"), ("Called, all well.", "")):
        data = {"mode": "telephone", "day": ["20", "11", "2026"]}
        data |= {"at": "10:00", "text": text}
        if restricted:
            data["restricted"] = restricted
        assert post_form(client, f"/cases/{case.id}/notes/new", data).status_code == 302

    volunteer = as_volunteer(app, team["vetted"])
    home = volunteer.get("/")
    assert home.headers["Location"] == "/my-cases"
    mine = volunteer.get("/my-cases").get_data(as_text=True)
    assert "Ada Grown" in mine and "Kit Young" not in mine and "Val Frail" not in mine
    summary = volunteer.get(f"/cases/{case.id}")
    assert summary.status_code == 200
    text = summary.get_data(as_text=True)
    assert "Your part" in text and "Weekly befriending calls" in text
    menu = re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', text)
    assert menu == ["/my-cases", "/account"]
    links = set(re.findall(r'href="(/cases/[^"]+)"', text))
    assert links == {f"/cases/{case.id}{tab}" for tab in ("", "/support", "/notes", "/notes/new")}
    assert f"/cases/{case.id}/timeline" not in text and f"/cases/{case.id}/contact" not in text
    notes = volunteer.get(f"/cases/{case.id}/notes").get_data(as_text=True)
    assert "Called, all well." in notes and "Safe words agreed." not in notes
    # Not even that a restricted note exists, nor when, how or by whom it was written.
    assert "Restricted" not in notes and "This note is restricted" not in notes
    assert notes.count('class="govuk-summary-card__title"') == 1
    [hidden] = db.session.scalars(sa.select(CaseNote.id).where(CaseNote.restricted.is_(True)))
    assert volunteer.get(f"/cases/{case.id}/notes/{hidden}/edit").status_code == 404
    assert volunteer.get(f"/cases/{case.id}/support").status_code == 200
    for path in (
        f"/cases/{case.id}/contact",
        f"/cases/{case.id}/timeline",
        f"/cases/{case.id}/access",
        f"/cases/{case.id}/plan",
        f"/cases/{case.id}/closure",
        f"/cases/{case.id}/assessment",
        f"/cases/{case.id}/onward",
        f"/people/{case.person_id}",
        "/queue",
        "/caseload",
        "/search?q=Ada",
        "/partners",
        "/reports",
        "/approvals",
        "/team",
        "/admin/staff",
        f"/staff/{team['leader'].id}",
    ):
        assert volunteer.get(path).status_code in (403, 404), path
    for other in (team["child"], team["vulnerable"]):
        assert volunteer.get(f"/cases/{other.id}").status_code == 404
        assert volunteer.get(f"/cases/{other.id}/notes").status_code == 404
    assert audit_rows("access.denied")[-1].actor_id == team["vetted"].id


def test_a_volunteer_adds_a_note_but_never_a_restricted_one(app, client, team):
    case = team["adult"]
    assign(client, case, team["vetted"])
    volunteer = as_volunteer(app, team["vetted"])
    path = f"/cases/{case.id}/notes/new"
    form = volunteer.get(path).get_data(as_text=True)
    assert 'name="restricted"' not in form
    data = {"mode": "telephone", "day": ["20", "11", "2026"]}
    data |= {"at": "11:00", "text": "Rang to check in; going to the group on Friday."}
    refused = post_form(volunteer, path, {**data, "restricted": "y"})
    assert refused.status_code == 400
    assert "notes cannot be restricted" in refused.get_data(as_text=True)
    assert post_form(volunteer, path, data).status_code == 302
    notes = client.get(f"/cases/{case.id}/notes").get_data(as_text=True)
    assert "going to the group on Friday" in notes and "Vic Vetted" in notes


def test_step_down_removes_access_at_once(app, client, team):
    case = team["adult"]
    assign(client, case, team["vetted"])
    volunteer = as_volunteer(app, team["vetted"])
    assert volunteer.get(f"/cases/{case.id}").status_code == 200
    link = db.session.scalars(sa.select(CaseVolunteer)).one()
    path = f"/cases/{case.id}/support/volunteers/{link.id}/step-down"
    empty = post_form(client, path, {"reason": "  ", "version": str(link.version)})
    assert empty.status_code == 400 and current(case) == [team["vetted"].id]
    done = post_form(client, path, {"reason": "Moved away", "version": str(link.version)})
    assert done.status_code == 302
    assert current(case) == []
    assert volunteer.get(f"/cases/{case.id}").status_code == 404
    assert volunteer.get(f"/cases/{case.id}/notes").status_code == 404
    assert "Ada Grown" not in volunteer.get("/my-cases").get_data(as_text=True)
    support = client.get(f"/cases/{case.id}/support").get_data(as_text=True)
    assert "Volunteers who stepped down" in support and "Moved away" in support
    assert audit_rows("case_volunteer.step_down")[-1].actor_id == team["leader"].id
    # Again, from the page now out of date: refused, nothing changes.
    again = post_form(client, path, {"reason": "Again", "version": str(link.version)})
    assert again.status_code in (400, 404)


def test_a_volunteer_steps_themselves_down_and_a_stale_form_is_refused(app, client, team):
    case = team["adult"]
    assign(client, case, team["vetted"])
    link = db.session.scalars(sa.select(CaseVolunteer)).one()
    path = f"/cases/{case.id}/support/volunteers/{link.id}/step-down"
    volunteer = as_volunteer(app, team["vetted"])
    stale = post_form(volunteer, path, {"reason": "Too busy", "version": str(link.version + 1)})
    assert stale.status_code == 400 and current(case) == [team["vetted"].id]
    assert "Someone changed this volunteer" in stale.get_data(as_text=True)
    done = post_form(volunteer, path, {"reason": "Too busy", "version": str(link.version)})
    assert done.headers["Location"] == "/my-cases"
    assert current(case) == []
    assert volunteer.get(f"/cases/{case.id}/support").status_code == 404


def test_a_volunteer_cannot_step_down_another(app, client, team):
    case = team["adult"]
    assign(client, case, team["vetted"])
    assign(client, case, team["unvetted"])
    theirs = db.session.scalars(
        sa.select(CaseVolunteer).where(CaseVolunteer.volunteer_id == team["unvetted"].id)
    ).one()
    volunteer = as_volunteer(app, team["vetted"])
    path = f"/cases/{case.id}/support/volunteers/{theirs.id}/step-down"
    assert volunteer.get(path).status_code == 404
    response = post_form(
        volunteer,
        path,
        {"reason": "Not them", "version": str(theirs.version)},
        token_from=f"/cases/{case.id}/notes/new",
    )
    assert response.status_code in (400, 404)
    assert sorted(current(case)) == sorted([team["vetted"].id, team["unvetted"].id])


def test_closing_the_case_ends_its_volunteers_view_of_it(app, client, team):
    case = team["adult"]
    assign(client, case, team["vetted"])
    link = db.session.scalars(sa.select(CaseVolunteer)).one()
    db.session.rollback()
    closed = db.session.get(type(case), case.id)
    closed.status, closed.closed_at = "closed", datetime(2026, 11, 21, 12, tzinfo=UTC)
    db.session.commit()
    closed_form = post_form(
        client,
        f"/cases/{case.id}/support/volunteers/new",
        {"volunteer": str(team["unvetted"].id)},
        token_from="/account",
    )
    assert closed_form.status_code in (302, 400)
    assert current(case) == [team["vetted"].id]
    path = f"/cases/{case.id}/support/volunteers/{link.id}/step-down"
    assert post_form(
        client, path, {"reason": "x", "version": str(link.version)}, token_from="/account"
    ).status_code in (400, 404)
    volunteer = as_volunteer(app, team["vetted"])
    assert volunteer.get(f"/cases/{case.id}").status_code == 404
    assert volunteer.get(f"/cases/{case.id}/notes").status_code == 404
    assert "Ada Grown" not in volunteer.get("/my-cases").get_data(as_text=True)
    data = {"mode": "telephone", "day": ["20", "11", "2026"]}
    data |= {"at": "11:00", "text": "After closing."}
    refused = post_form(volunteer, f"/cases/{case.id}/notes/new", data, token_from="/account")
    assert refused.status_code == 404
    assert current(case) == [team["vetted"].id]
    # Staff see the volunteer is still named on the case but not working with the person.
    tab = client.get(f"/cases/{case.id}/support").get_data(as_text=True)
    assert "The case is closed: this volunteer does not see it, nor work with the person" in tab
    # Reopened, the volunteer still on it sees it again.
    db.session.rollback()
    reopened = db.session.get(type(case), case.id)
    reopened.status, reopened.closed_at = "open", None
    db.session.commit()
    assert volunteer.get(f"/cases/{case.id}").status_code == 200


def test_admin_creates_a_volunteer_in_a_team_and_records_their_dbs_check(
    client, admin, create_team_record
):
    from casework.staff.models import Staff
    from casework.staff.vetting import get_vetting

    team = create_team_record("Volunteer team")
    new = post_form(
        client,
        "/admin/staff/new",
        {
            "email": "vol@waypoint.test",
            "name": "Val Unteer",
            "role": "volunteer",
            "team_id": str(team.id),
            "password": "a long enough password",
        },
    )
    assert new.status_code == 302, new.get_data(as_text=True)
    db.session.rollback()
    staff = db.session.scalars(sa.select(Staff).where(Staff.email == "vol@waypoint.test")).one()
    assert staff.role == "volunteer" and staff.team_id == team.id
    path = f"/admin/staff/{staff.id}/vetting/dbs"
    response = post_form(
        client,
        path,
        {
            "level": "enhanced_barred",
            "issued_on": ["1", "3", "2026"],
            "recheck_on": ["1", "3", "2029"],
            "version": "0",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    vetting = get_vetting(db.session, staff.id)
    assert vetting.dbs_level == "enhanced_barred"
    assert vetting.dbs_issued_on.isoformat() == "2026-03-01"
    page = client.get(f"/admin/staff/{staff.id}").get_data(as_text=True)
    assert "Volunteer" in page and "Volunteer team" in page


def test_the_resilience_plan_names_one_of_the_cases_volunteers_and_no_one_else(client, team):
    from casework.plans.models import ResiliencePlan

    case = team["adult"]
    assign(client, case, team["vetted"])
    path = f"/cases/{case.id}/plan/resilience"
    form = client.get(path).get_data(as_text=True)
    assert "Vic Vetted" in form and "Una Unvetted" not in form
    plan = "Fortnightly calls, then monthly"
    for outsider in (team["unvetted"].id, team["worker"].id, "x"):
        refused = post_form(client, path, {"plan": plan, "volunteer_id": str(outsider)})
        assert refused.status_code == 400
        assert "Select one of the case" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalars(sa.select(ResiliencePlan)).all() == []
    saved = post_form(
        client,
        path,
        {"plan": plan, "volunteer_id": str(team["vetted"].id), "volunteer": "Weekly calls"},
    )
    assert saved.status_code == 302
    db.session.rollback()
    assert db.session.scalars(sa.select(ResiliencePlan.volunteer_id)).all() == [team["vetted"].id]
    page = client.get(f"/cases/{case.id}/plan").get_data(as_text=True)
    assert "<strong>Vic Vetted</strong>: Weekly calls" in page


def test_demo_seed_has_a_vetted_volunteer_on_a_long_running_case_named_by_its_plan(app, runner):
    from casework.models import Staff
    from casework.plans.resilience import latest_resilience_plan
    from casework.staff.vetting import local_today, staff_vetting_status

    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "Demo volunteers: 1 on a case" in first.output
    line = next(ln for ln in second.output.splitlines() if "val.volunteer@" in ln)
    assert line.split()[0] == "Volunteer"
    db.session.rollback()
    volunteer = db.session.scalars(
        sa.select(Staff).where(Staff.email == "val.volunteer@waypoint.example")
    ).one()
    assert staff_vetting_status(db.session, volunteer, local_today(utcnow())).received
    link = db.session.scalars(sa.select(CaseVolunteer)).one()  # once, however often seeded
    plan = latest_resilience_plan(db.session, link.case_id)  # the one shown on the case
    assert plan.volunteer_id == volunteer.id
    client = app.test_client()
    assert sign_in(client, volunteer.email, line.split()[-1]).status_code == 302
    mine = client.get("/my-cases").get_data(as_text=True)
    assert f"/cases/{link.case_id}" in mine
    assert client.get(f"/cases/{link.case_id}").status_code == 200
