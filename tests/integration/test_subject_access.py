"""Subject-access export: everything about one person, nothing about anyone else, audited."""

import json
from datetime import UTC, datetime

from tests.conftest import audit_rows, post_form, sign_in
from tests.factories import create_referrals
from tests.police import police_row, referral_by_crime

RECEIVED = datetime(2026, 11, 20, 7, tzinfo=UTC)


def two_referrals_for_one_person_and_one_for_someone_else(app):
    create_referrals(
        police_row(crime_reference="LC-1", forename="Morgan", risk_notes="Lives with the suspect"),
        police_row(
            crime_reference="LC-OTHER",
            forename="Someone",
            surname="Else",
            mobile_phone="07700 900999",
            date_of_birth="1975-01-01",
        ),
    )
    create_referrals(
        police_row(crime_reference="LC-2", forename="Morgan", offence="Harassment"),
        received=datetime(2026, 11, 21, 7, tzinfo=UTC),
    )
    first, second = referral_by_crime("LC-1"), referral_by_crime("LC-2")
    assert second.person_id == first.id  # linked as a repeat victim
    return first, second


def download(client, reference: str):
    return post_form(client, "/admin/subject-access", {"reference": reference})


def test_export_holds_every_linked_referral_and_nothing_about_others(
    app, client, sign_in_as, create_staff_record
):
    first, second = two_referrals_for_one_person_and_one_for_someone_else(app)
    sign_in_as("team_leader")
    client.get(f"/referrals/{first.id}")  # a view the person is entitled to know of
    officer = create_staff_record("admin")
    admin_client = app.test_client()
    sign_in(admin_client, officer.email)

    response = download(admin_client, second.reference.lower())
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert f"subject-access-{second.reference}.json" in response.headers["Content-Disposition"]
    export = json.loads(response.get_data(as_text=True))
    assert export["person"] == first.id
    assert [r["reference"] for r in export["referrals"]] == [first.reference, second.reference]
    text = response.get_data(as_text=True)
    assert "Lives with the suspect" in text and "Harassment" in text
    assert "Someone" not in text and "900999" not in text
    assert "dedupe_key" not in text and "match_name_dob" not in text
    assert {"deadlines", "contact_attempts", "messages", "key_dates"} <= set(export["referrals"][0])
    assert export["referrals"][0]["deadlines"][0]["kind"] == "phone_contact"
    views = [e for e in export["record_of_access"] if e["action"] == "referral.view"]
    assert views and views[0]["by"] == "Team leader"
    assert "@" not in json.dumps(export["record_of_access"])  # staff named by role only
    [event] = audit_rows("person.subject_access_export")
    assert event.person_id == first.id and event.actor_id == officer.id


def test_an_unknown_reference_is_refused_and_nothing_is_recorded(client, sign_in_as):
    sign_in_as("admin")
    response = download(client, "WP-NOTREAL1")
    assert response.status_code == 400
    assert "No referral has this reference" in response.get_data(as_text=True)
    assert audit_rows("person.subject_access_export") == []


def test_only_administrators_may_export(app, client, sign_in_as):
    first, _ = two_referrals_for_one_person_and_one_for_someone_else(app)
    sign_in_as("team_leader")
    response = post_form(
        client, "/admin/subject-access", {"reference": first.reference}, token_from="/account"
    )
    assert response.status_code == 403
    assert audit_rows("person.subject_access_export") == []


def test_command_line_export_writes_the_file(app, runner, tmp_path):
    first, second = two_referrals_for_one_person_and_one_for_someone_else(app)
    out = tmp_path / "export.json"
    result = runner.invoke(args=["people", "export", first.reference, "--out", str(out)])
    assert result.exit_code == 0, result.output
    export = json.loads(out.read_text())
    assert {r["reference"] for r in export["referrals"]} == {first.reference, second.reference}
    missing = runner.invoke(args=["people", "export", "WP-NOTREAL1"])
    assert missing.exit_code != 0 and "no referral has the reference" in missing.output


def test_an_administrator_can_export_from_the_referral_page(app, client, sign_in_as):
    first, second = two_referrals_for_one_person_and_one_for_someone_else(app)
    sign_in_as("admin")
    page = client.get(f"/referrals/{second.id}").get_data(as_text=True)
    assert "Subject access: download everything held about this person" in page
    response = post_form(
        client,
        "/admin/subject-access",
        {"reference": second.reference},
        token_from=f"/referrals/{second.id}",
    )
    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True))["person"] == first.id


def test_other_roles_do_not_see_the_export_button(app, client, sign_in_as):
    first, _ = two_referrals_for_one_person_and_one_for_someone_else(app)
    sign_in_as("team_leader")
    page = client.get(f"/referrals/{first.id}").get_data(as_text=True)
    assert "Subject access" not in page
