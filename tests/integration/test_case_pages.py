"""The case page and its tabs, for each role: the caseworker who holds the case, a caseworker of
another case, the team's leader, another team's leader and an admin (issue 11 part 4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin, record_event
from casework.cases.models import Case
from casework.db import db, utcnow
from casework.messages.models import SmsOptOut
from casework.people.models import Person
from casework.referrals.models import Referral
from tests.conftest import audit_rows, post_form, sign_in
from tests.factories import create_case, create_referrals
from tests.integration.test_queue import referral_by_ref
from tests.police import police_csv, police_row

TABS = ("", "/contact", "/assessment", "/timeline")
CSRF = re.compile(r'name="csrf_token"[^>]*value="[^"]+"|value="[^"]+"[^>]*name="csrf_token"')


@pytest.fixture
def world(app, create_team_record, create_staff_record):
    """Two victim teams: in team A a leader, the caseworker holding Alex's case and another
    caseworker holding Bo's; in team B a leader; and an admin."""
    team_a, team_b = create_team_record("Victims A"), create_team_record("Victims B")
    people = {
        "leader": create_staff_record("team_leader", team=team_a, name="Lee Leader"),
        "worker": create_staff_record("caseworker", team=team_a, name="Casey Worker"),
        "colleague": create_staff_record("caseworker", team=team_a, name="Colin Colleague"),
        "other_leader": create_staff_record("team_leader", team=team_b, name="Olga Other"),
        "admin": create_staff_record("admin", name="Ada Admin"),
    }
    create_referrals(
        police_csv(
            police_row(
                crime_reference="LC-1",
                forename="Alex",
                surname="Example",
                flags="DOMESTIC_ABUSE",
                offence="Assault occasioning actual bodily harm",
            ),
            police_row(crime_reference="LC-2", forename="Bo", surname="Other", email="bo@x.test"),
        )
    )
    alex = create_case(
        referral_by_ref("LC-1").id, caseworker=people["worker"], leader=people["leader"]
    )
    bo = create_case(
        referral_by_ref("LC-2").id, caseworker=people["colleague"], leader=people["leader"]
    )
    person = db.session.get(Person, alex.person_id)
    person.safe_to_voicemail, person.safe_times = False, "Weekdays after 6pm"
    db.session.commit()
    return {**people, "case": alex.id, "other_case": bo.id}


def as_(client, staff):
    response = sign_in(client, staff.email)
    assert response.status_code == 302
    return staff


def _without_tokens(html: str) -> str:
    return CSRF.sub("", html)


def test_the_caseworker_who_holds_the_case_sees_each_tab(client, world):
    as_(client, world["worker"])
    for tab in TABS:
        response = client.get(f"/cases/{world['case']}{tab}")
        assert response.status_code == 200, tab
        html = response.get_data(as_text=True)
        assert "Alex Example" in html and "Casey Worker" in html and "Victims A" in html
        assert 'aria-current="page"' in html
        assert f'href="/cases/{world["case"]}/access"' not in html  # Access is for leaders
    assert client.get(f"/cases/{world['case']}/access").status_code == 403


def test_the_summary_shows_who_why_safe_contact_deadlines_and_worker(client, world):
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        as_(client, world["worker"])
        html = client.get(f"/cases/{world['case']}").get_data(as_text=True)
    case = db.session.get(Case, world["case"])
    assert case.reference in html
    assert "5 May 1980 (age 46)" in html  # born 5 May 1980, seen 23 November 2026
    assert "domestic abuse" in html  # why this priority, from the referral
    assert "Do not leave a voicemail" in html and "Weekdays after 6pm" in html
    assert "do not post anything to the home address unless safe to post" in html
    assert "Opened by a team leader".lower() in html.lower() and "Needs support now" in html


def test_a_caseworker_of_another_case_gets_the_same_404_as_a_missing_id(client, world):
    as_(client, world["colleague"])
    assert client.get(f"/cases/{world['other_case']}").status_code == 200
    missing = client.get("/cases/999999")
    for tab in TABS:
        response = client.get(f"/cases/{world['case']}{tab}")
        assert response.status_code == 404, tab
        assert "Alex" not in response.get_data(as_text=True)
    theirs = client.get(f"/cases/{world['case']}")
    assert missing.status_code == 404
    assert _without_tokens(theirs.get_data(as_text=True)) == _without_tokens(
        missing.get_data(as_text=True)
    )
    refused = [(r.record_type, r.record_id) for r in audit_rows("access.denied")]
    assert ("case", "999999") in refused and refused[-1] == ("case", str(world["case"]))


def test_the_teams_leader_sees_every_tab_including_access(client, world):
    as_(client, world["leader"])
    for tab in (*TABS, "/access"):
        response = client.get(f"/cases/{world['case']}{tab}")
        assert response.status_code == 200, tab
    html = client.get(f"/cases/{world['case']}").get_data(as_text=True)
    assert f'href="/cases/{world["case"]}/access"' in html


def test_another_teams_leader_gets_the_same_404_as_a_missing_id(client, world):
    as_(client, world["other_leader"])
    for tab in (*TABS, "/access"):
        response = client.get(f"/cases/{world['case']}{tab}")
        assert response.status_code == 404, tab
    theirs = client.get(f"/cases/{world['case']}").get_data(as_text=True)
    missing = client.get("/cases/999999").get_data(as_text=True)
    assert _without_tokens(theirs) == _without_tokens(missing)
    refusals = [r for r in audit_rows("access.denied") if r.record_type == "case"]
    assert {r.record_id for r in refusals} == {str(world["case"]), "999999"}
    assert not [r for r in audit_rows("case.view") if r.actor_id == world["other_leader"].id]


def test_an_admin_sees_every_tab(client, world):
    as_(client, world["admin"])
    for tab in (*TABS, "/access"):
        assert client.get(f"/cases/{world['case']}{tab}").status_code == 200, tab


@pytest.mark.parametrize("role", ["hsb_advisor", "analyst"])
def test_roles_outside_the_victim_service_are_refused(client, world, sign_in_as, role):
    sign_in_as(role)
    assert client.get(f"/cases/{world['case']}").status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, world):
    response = client.get(f"/cases/{world['case']}/timeline")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_view_of_a_case_page_is_audited_against_the_person(client, world):
    as_(client, world["worker"])
    for tab in TABS:
        client.get(f"/cases/{world['case']}{tab}")
    views = audit_rows("case.view")
    case = db.session.get(Case, world["case"])
    assert [v.detail_dict["page"] for v in views] == ["summary", "contact", "timeline"]
    # The Assessment tab records its own view (the assessments listed), against the same case.
    views += audit_rows("assessment.list")
    assert len(views) == 4
    assert {(v.record_type, v.record_id, v.person_id, v.actor_id) for v in views} == {
        ("case", str(case.id), case.person_id, world["worker"].id)
    }


def test_the_contact_tab_shows_the_referrals_contact_and_the_cases_obligations(client, world):
    from casework.contact.recording import record_attempt, record_key_date
    from scheduling.service_calendars import victim_calendar

    referral = referral_by_ref("LC-1")
    calendar = victim_calendar(client.application.config)
    record_attempt(
        db.session,
        referral.id,
        channel="telephone",
        outcome="no_answer",
        at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        notes="Rang twice",
        actor=world["worker"],
        origin=Origin.command_line("test"),
        now=datetime(2026, 11, 20, 10, tzinfo=UTC),
        calendar=calendar,
    )
    record_key_date(
        db.session,
        referral.id,
        kind="sentencing",
        event_on=datetime(2026, 12, 10).date(),
        actor=world["worker"],
        origin=Origin.command_line("test"),
        now=datetime(2026, 11, 20, 10, tzinfo=UTC),
        calendar=calendar,
    )
    as_(client, world["worker"])
    html = client.get(f"/cases/{world['case']}/contact").get_data(as_text=True)
    assert "Sentencing: 10 December 2026" in html
    assert "Re-engagement contact" in html
    assert "Call by Casey Worker" in html and "Rang twice" in html and "No answer" in html
    assert referral.reference in html


def test_a_later_referral_joined_to_the_case_shows_its_deadlines_on_the_case(client, world):
    """The caseload gives a case the soonest deadline of its open referrals: the case page
    must show that deadline too, or a caseworker working from it misses a first call."""
    later = datetime(2026, 11, 23, 10, tzinfo=UTC)  # Monday
    create_referrals(
        police_row(
            crime_reference="LC-3",
            forename="Alex",
            surname="Example",
            offence="Criminal damage",
            crime_group="Criminal damage and arson",
        ),
        received=later,
    )
    joined = referral_by_ref("LC-3")
    assert (joined.case_id, joined.status) == (world["case"], "open")
    with time_machine.travel(later + timedelta(hours=1), tick=False):
        as_(client, world["worker"])
        summary = client.get(f"/cases/{world['case']}").get_data(as_text=True)
        contact = client.get(f"/cases/{world['case']}/contact").get_data(as_text=True)
    deadlines = summary.split("Next deadlines")[1].split("</ul>")[0]
    assert f"First telephone call</strong> (referral {joined.reference}) by" in deadlines
    assert f'href="/referrals/{joined.id}">{joined.reference}</a>' in contact
    # The call still owed on the referral the case was opened from, before anyone spoke to
    # Alex, is there too: overdue, as the breach sweep counts it.
    opened_from = referral_by_ref("LC-1")
    assert f"First telephone call</strong> (referral {opened_from.reference}) by" in deadlines
    table = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", contact.split("Deadlines on this case")[1]))
    assert f"First telephone call On referral {opened_from.reference} Sat 21 Nov" in table
    assert f"First telephone call On referral {joined.reference} Wed 25 Nov" in table


def _events(referral_id: int, person_id: int, count: int, start: datetime) -> None:
    for n in range(count):
        record_event(
            db.session,
            action="contact.attempt",
            origin=Origin.command_line("test"),
            record_type="referral",
            record_id=referral_id,
            person_id=person_id,
            at=start + timedelta(minutes=n),
            detail={"channel": "telephone", "outcome": "no_answer", "n": n},
        )
    db.session.commit()


def test_the_timeline_is_newest_first_fifty_a_page_without_page_views(client, world):
    referral = referral_by_ref("LC-1")
    _events(referral.id, referral.person_id, 120, datetime(2026, 11, 21, 9, tzinfo=UTC))
    as_(client, world["worker"])
    for _ in range(5):
        client.get(f"/cases/{world['case']}")  # views are not events of the case
    first = client.get(f"/cases/{world['case']}/timeline").get_data(as_text=True)
    # 120 calls, the referral's arrival and the case opening
    assert "122 events on this case and its referrals, newest first (page 1 of 3)" in first
    times = re.findall(r'app-nowrap-tablet">(\w{3} \d+ \w{3} \d{4} \d\d:\d\d)</td>', first)
    assert len(times) == 50
    assert times[0] == "Sat 21 Nov 2026 10:59" and times[-1] == "Sat 21 Nov 2026 10:10"
    assert "Call: no answer" in first and "Viewed" not in first
    third = client.get(f"/cases/{world['case']}/timeline?page=3").get_data(as_text=True)
    rows = re.findall(r'app-nowrap-tablet">(\w{3} \d+ \w{3} \d{4} \d\d:\d\d)</td>', third)
    assert len(rows) == 22
    assert "Case opened by a team leader: Needs support now" in third
    assert "Referral received (police download)" in third
    assert 'rel="prev"' in third and 'rel="next"' not in third
    beyond = client.get(f"/cases/{world['case']}/timeline?page=99")
    assert beyond.status_code == 200 and "There is no page 99" in beyond.get_data(as_text=True)
    for bad in ("abc", "-1", "0", "99999999999999999999"):
        response = client.get(f"/cases/{world['case']}/timeline?page={bad}")
        assert response.status_code == 200 and "(page 1 of 3)" in response.get_data(as_text=True)


def test_the_timeline_leaves_out_other_cases_and_referrals(client, world):
    other = referral_by_ref("LC-2")
    _events(other.id, other.person_id, 3, datetime(2026, 11, 21, 9, tzinfo=UTC))
    as_(client, world["worker"])
    html = client.get(f"/cases/{world['case']}/timeline").get_data(as_text=True)
    assert "Call: no answer" not in html and other.reference not in html


def test_the_access_tab_shows_who_viewed_and_who_changed_it(app, client, world):
    seen = []
    for staff, path in ((world["worker"], "/contact"), (world["other_leader"], "")):
        other = app.test_client()
        as_(other, staff)
        seen.append(other.get(f"/cases/{world['case']}{path}").status_code)
    assert seen == [200, 404]  # the other team's leader is refused, and that is shown too
    as_(client, world["leader"])
    html = client.get(f"/cases/{world['case']}/access").get_data(as_text=True)
    assert "Casey Worker" in html and "Viewed the case (Contact)" in html
    assert "Olga Other" in html and "Refused" in html
    assert "Case opened by a team leader" in html and "Lee Leader" in html


def test_the_notes_tab_leads_to_the_notes_under_the_same_summary(client, world):
    as_(client, world["worker"])
    html = client.get(f"/cases/{world['case']}").get_data(as_text=True)
    assert f'href="/cases/{world["case"]}/notes">Notes</a>' in html
    notes = client.get(f"/cases/{world['case']}/notes").get_data(as_text=True)
    assert 'aria-current="page">Notes</a>' in notes or 'aria-current="page"' in notes
    assert "Safe contact" in notes and "No notes have been written on this case yet." in notes


def test_a_referral_in_a_case_links_to_it_prominently(client, world):
    as_(client, world["worker"])
    case = db.session.get(Case, world["case"])
    html = client.get(f"/referrals/{referral_by_ref('LC-1').id}").get_data(as_text=True)
    assert "This referral is part of case" in html
    assert f'href="/cases/{case.id}">{case.reference}</a>' in html


# --- opening a case from a referral ---------------------------------------------------------


@pytest.fixture
def unopened(app, world):
    create_referrals(police_csv(police_row(crime_reference="LC-3", forename="Cai")))
    return referral_by_ref("LC-3")


def test_a_team_leader_opens_a_case_from_a_referral(client, world, unopened):
    as_(client, world["leader"])
    summary = client.get(f"/referrals/{unopened.id}").get_data(as_text=True)
    assert f'href="/referrals/{unopened.id}/open-case"' in summary
    page = client.get(f"/referrals/{unopened.id}/open-case").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', page)
    assert {name for _, name in offered} == {"Casey Worker", "Colin Colleague"}
    response = post_form(
        client,
        f"/referrals/{unopened.id}/open-case",
        {"caseworker": world["worker"].id, "reason": "Frightened to go home"},
    )
    assert response.status_code == 302
    db.session.rollback()
    referral = db.session.get(Referral, unopened.id)
    case = db.session.get(Case, referral.case_id)
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert (case.caseworker_id, case.opened_how, case.opened_reason) == (
        world["worker"].id,
        "team_leader",
        "Frightened to go home",
    )
    assert (referral.status, referral.outcome) == ("closed", "further_support")
    landed = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"Case {case.reference} opened." in landed and "Cai Example" in landed


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"caseworker": "", "reason": "Needs it"}, "Select a caseworker in your team"),
        ({"caseworker": "w", "reason": ""}, "Give the reason for opening a case"),
        ({"caseworker": "w", "reason": "x" * 501}, "The reason must be 500 characters or fewer"),
        ({"caseworker": "outsider", "reason": "Needs it"}, "Select a caseworker in your team"),
        ({"caseworker": "99999999999", "reason": "Needs it"}, "Select a caseworker in your team"),
    ],
)
def test_opening_a_case_refuses_bad_input_with_an_error_summary_and_changes_nothing(
    client, world, unopened, create_staff_record, create_team_record, fields, message
):
    outsider = create_staff_record("caseworker", team=create_team_record("Victims C"))
    ids = {"w": world["worker"].id, "outsider": outsider.id}
    fields = {**fields, "caseworker": ids.get(fields["caseworker"], fields["caseworker"])}
    as_(client, world["leader"])
    response = post_form(
        client, f"/referrals/{unopened.id}/open-case", fields, token_from="/account"
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and message in html
    db.session.rollback()
    assert db.session.get(Referral, unopened.id).case_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 2


def test_only_leaders_of_the_referral_may_open_a_case(client, world, unopened):
    worker = client.application.test_client()
    as_(worker, world["worker"])
    assert worker.get(f"/referrals/{unopened.id}/open-case").status_code == 403
    allocated = db.session.get(Referral, unopened.id)
    allocated.allocated_to_id = world["colleague"].id
    db.session.commit()
    as_(client, world["other_leader"])
    assert client.get(f"/referrals/{unopened.id}/open-case").status_code == 404
    refused = post_form(
        client,
        f"/referrals/{unopened.id}/open-case",
        {"caseworker": world["worker"].id, "reason": "x"},
        token_from="/account",
    )
    assert refused.status_code == 404
    db.session.rollback()
    assert db.session.get(Referral, unopened.id).case_id is None


def test_a_referral_already_in_an_open_case_offers_the_case_not_the_form(client, world):
    as_(client, world["leader"])
    referral = referral_by_ref("LC-1")
    html = client.get(f"/referrals/{referral.id}/open-case").get_data(as_text=True)
    assert "already part of case" in html and 'name="reason"' not in html
    summary = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "/open-case" not in summary


def test_what_people_typed_is_escaped_on_every_tab(client, world, create_staff_record):
    create_referrals(
        police_csv(police_row(crime_reference="LC-9", forename="<script>alert(1)</script>"))
    )
    case = create_case(
        referral_by_ref("LC-9").id,
        caseworker=world["worker"],
        leader=world["leader"],
        reason='<img src=x onerror="alert(2)">',
    )
    as_(client, world["leader"])
    for tab in (*TABS, "/access"):
        html = client.get(f"/cases/{case.id}{tab}").get_data(as_text=True)
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html, tab
        assert "<img src=x" not in html, tab


def test_safe_contact_on_a_case_warns_of_the_persons_whole_history_and_a_stop(client, world):
    """Bo's case came from a referral with no flag, but an earlier referral of theirs (closed
    at triage, never on the case) showed domestic abuse, and their mobile has texted STOP: the
    case page warns of both, as the referral pages do."""
    case = db.session.get(Case, world["other_case"])
    as_(client, world["colleague"])
    before = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "do not post anything" not in before and "texted STOP" not in before
    create_referrals(
        police_csv(police_row(crime_reference="LC-OLD", forename="Bea", flags="DOMESTIC_ABUSE"))
    )
    earlier = referral_by_ref("LC-OLD")
    earlier.person_id, earlier.status = case.person_id, "closed"
    person = db.session.get(Person, case.person_id)
    db.session.add(SmsOptOut(phone=person.mobile_phone, opted_out=True, changed_at=utcnow()))
    db.session.commit()
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Domestic abuse: do not post anything to the home address" in html
    assert "Do not text: they texted STOP." in html
    new = referral_by_ref("LC-2")
    assert "do not post anything" in client.get(f"/referrals/{new.id}").get_data(as_text=True)
