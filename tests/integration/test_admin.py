"""Admins add, edit and deactivate staff and teams, and search the audit trail."""

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin
from casework.db import db, utcnow
from casework.staff.models import Staff, Team
from tests.conftest import PASSWORD, audit_rows, post_form, sign_in

NEW_STAFF = {
    "name": "Nia Caseworker",
    "email": "Nia.Caseworker@Waypoint.test",
    "role": "caseworker",
    "team_id": "",
    "specialisms": ["children_young_people", "hate_crime"],
    "npa": "Leicester East",
    "gender": "female",
    "languages": "Polish, Urdu",
    "password": "a long enough password",
}


def _staff_count() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Staff))


def test_admin_adds_a_staff_member_who_can_then_sign_in(app, client, admin):
    response = post_form(client, "/admin/staff/new", NEW_STAFF)
    assert response.status_code == 302
    db.session.rollback()
    staff = db.session.scalar(sa.select(Staff).where(Staff.email == "nia.caseworker@waypoint.test"))
    assert staff.specialisms == ["children_young_people", "hate_crime"]
    assert staff.languages == ["Polish", "Urdu"]
    assert audit_rows("staff.create")[-1].actor_id == admin.id
    assert sign_in(app.test_client(), staff.email, "a long enough password").status_code == 302


def test_invalid_staff_form_shows_every_problem_and_stores_nothing(client, admin):
    before = _staff_count()
    bad = {**NEW_STAFF, "email": "not-an-email", "role": "", "password": "short"}
    response = post_form(client, "/admin/staff/new", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Select a role" in html
    assert _staff_count() == before


def test_a_choice_not_offered_is_refused_in_words_that_say_what_to_choose(client, admin):
    """An edited request (or a page older than its list) names what to choose, rather than
    WTForms' "Not a valid choice" or a repeat of what was posted."""
    before = _staff_count()
    bad = {**NEW_STAFF, "team_id": "99999", "specialisms": ["<i>made_up</i>"]}
    html = post_form(client, "/admin/staff/new", bad).get_data(as_text=True)
    assert "Select a team from the list" in html and "Tick only the options shown" in html
    assert "valid choice" not in html and "made_up" not in html
    assert _staff_count() == before
    wizard = post_form(client, "/admin/staff/new", {**NEW_STAFF, "role": "wizard"})
    assert wizard.status_code == 400
    said = wizard.get_data(as_text=True)
    assert "Select a role" in said and "valid choice" not in said and "wizard" not in said
    letter = post_form(
        client,
        "/admin/message-templates/new",
        {"name": "Hello", "channel": "letter", "body": "Hi {forename}"},
    ).get_data(as_text=True)
    assert "Select text message or email" in letter and "valid choice" not in letter
    audit = client.get("/admin/audit?record_type=nope")
    assert "Select a record type from the list" in audit.get_data(as_text=True)


def test_duplicate_email_is_refused_with_a_clear_message(client, admin):
    response = post_form(client, "/admin/staff/new", {**NEW_STAFF, "email": admin.email})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_weak_password_is_refused(client, admin):
    response = post_form(client, "/admin/staff/new", {**NEW_STAFF, "password": "aaaaaaaaaaaaaa"})
    assert response.status_code == 400
    assert "must not repeat" in response.get_data(as_text=True)


def test_admin_edits_staff_and_the_change_is_audited(client, admin, create_staff_record):
    staff = create_staff_record("caseworker")
    response = post_form(
        client,
        f"/admin/staff/{staff.id}/edit",
        {**NEW_STAFF, "email": staff.email, "npa": "Charnwood"},
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Staff, staff.id).npa == "Charnwood"
    assert "npa" in audit_rows("staff.update")[-1].detail_dict["changed"]


def test_admin_cannot_deactivate_themselves(client, admin):
    post_form(
        client,
        f"/admin/staff/{admin.id}/active",
        {"active": "0"},
        token_from=f"/admin/staff/{admin.id}/edit",
    )
    db.session.rollback()
    assert db.session.get(Staff, admin.id).active is True


def test_admin_sets_a_password_and_old_sessions_end(app, client, admin, create_staff_record):
    staff = create_staff_record("caseworker")
    theirs = app.test_client()
    sign_in(theirs, staff.email)
    post_form(
        client,
        f"/admin/staff/{staff.id}/password",
        {"password": "a brand new password"},
        token_from=f"/admin/staff/{staff.id}",
    )
    assert theirs.get("/caseload").status_code == 302
    assert sign_in(app.test_client(), staff.email, PASSWORD).status_code == 401
    assert sign_in(app.test_client(), staff.email, "a brand new password").status_code == 302


def test_admin_adds_a_team_and_duplicates_are_refused(client, admin):
    assert (
        post_form(client, "/admin/teams", {"name": "North team", "service": "victim"}).status_code
        == 302
    )
    again = post_form(client, "/admin/teams", {"name": "north TEAM", "service": "victim"})
    assert again.status_code == 400
    db.session.rollback()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Team)
            .where(sa.func.lower(Team.name) == "north team")
        )
        == 1
    )


def test_staff_list_filters_and_paginates(app, client, admin, create_staff_record):
    for _ in range(app.config["PAGE_SIZE"] + 3):
        create_staff_record("caseworker")
    first = client.get("/admin/staff?role=caseworker").get_data(as_text=True)
    assert f"{app.config['PAGE_SIZE'] + 3} staff accounts" in first
    assert "page=2" in first
    second = client.get("/admin/staff?role=caseworker&page=2").get_data(as_text=True)
    assert second.count('class="govuk-table__row"') == 3 + 1  # three rows and the header
    none = client.get("/admin/staff?q=zzzz-nobody").get_data(as_text=True)
    assert "No staff accounts match" in none


@pytest.mark.parametrize("team", ["²", "1" * 5000, "-1", "x"])
def test_a_team_filter_that_is_no_team_id_shows_every_team(client, admin, team):
    """ "²" is a digit to str.isdigit but not to int(), and int() refuses 5,000 digits: both
    were a 500."""
    page = client.get(f"/admin/staff?team={team}")
    assert page.status_code == 200
    assert admin.name in page.get_data(as_text=True)


def test_audit_search_by_staff_record_and_uk_date_range(client, admin, create_staff_record):
    with time_machine.travel("2026-03-29 00:30 +0000", tick=False):  # 00:30 GMT, before the change
        early = create_staff_record("caseworker")
    with time_machine.travel("2026-03-29 23:30 +0000", tick=False):  # 00:30 BST on 30 March
        late = create_staff_record("caseworker")
    day = client.get(
        "/admin/audit?since=29&since=3&since=2026&until=29&until=3&until=2026&record_type=staff"
    ).get_data(as_text=True)
    assert f"Staff {early.id}" in day and f"Staff {late.id}" not in day
    by_record = client.get(f"/admin/audit?record_type=staff&record_id={late.id}")
    assert f"Staff {late.id}" in by_record.get_data(as_text=True)
    by_actor = client.get(f"/admin/audit?staff={admin.email}").get_data(as_text=True)
    # In words, with the code an administrator searches and reports by beneath.
    assert 'Auth: sign in<br><span class="govuk-body-s">auth.sign_in</span>' in by_actor


def test_audit_search_rejects_reversed_dates(client, admin):
    response = client.get("/admin/audit?since=2&since=3&since=2026&until=1&until=3&until=2026")
    assert response.status_code == 400
    assert "end date must be on or after" in response.get_data(as_text=True)


def test_audit_search_by_a_referral_reference_finds_that_person(app, client, admin):
    from tests.factories import create_referrals
    from tests.integration.test_queue import referral_by_ref
    from tests.police import police_csv, police_row

    create_referrals(
        police_csv(
            police_row(crime_reference="LC-1"), police_row(crime_reference="LC-2", forename="Other")
        ),
    )
    mine, other = referral_by_ref("LC-1"), referral_by_ref("LC-2")
    client.get(f"/referrals/{mine.id}")
    client.get(f"/referrals/{other.id}")
    html = client.get(f"/admin/audit?reference={mine.reference.lower()}").get_data(as_text=True)
    assert f"Referral {mine.id}" in html and f"Referral {other.id}" not in html
    assert 'name="person"' not in html  # no person id to guess
    missing = client.get("/admin/audit?reference=WP-NOTHERE")
    assert missing.status_code == 400
    assert "No referral has this reference" in missing.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "until=31&until=12&until=9999",
        "since=x",
        "since=2026-11-01",
        "since=1&since=2&since=3&since=2026",
        "page=9223372036854775808",
        "page=-4",
    ],
)
def test_audit_search_refuses_impossible_dates_clearly(client, admin, query):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "There is a problem" in response.get_data(as_text=True)


def test_a_team_name_cannot_be_stored_backwards(client, admin):
    """A right-to-left override would show the name (and every list naming it) backwards."""
    made = post_form(client, "/admin/teams", {"name": "\u202emaet htroN\x01", "service": "victim"})
    assert made.status_code == 302
    db.session.rollback()
    assert db.session.scalar(sa.select(Team.name).order_by(Team.id.desc())) == "maet htroN"


def test_a_password_with_an_invisible_character_still_signs_in(app, create_staff_record):
    """Forms lose their invisible characters, passwords excepted: one set (by the command line,
    say) with a zero-width space must still match what the person types."""
    from casework.staff.accounts import set_password

    staff = create_staff_record("caseworker")
    password = "correct\u200bhorse battery staple"
    set_password(
        db.session, staff.id, password, actor=None, origin=Origin.command_line("test"), now=utcnow()
    )
    assert sign_in(app.test_client(), staff.email, password).status_code == 302
    assert sign_in(app.test_client(), staff.email, "correcthorse battery staple").status_code == 401
