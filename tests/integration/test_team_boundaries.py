"""Team boundaries on the lists, suggestions and panels a team leader works from, not only on
pages opened by id: allocation is to one's own team, and another team's person stays hidden."""

import re

import sqlalchemy as sa

from casework.db import db
from casework.people.models import PossibleMatch
from casework.referrals.models import Referral
from tests.conftest import allocate_on_page, audit_rows, post_form, sign_in
from tests.factories import create_referrals
from tests.integration.test_queue import referral_by_ref
from tests.police import police_csv, police_row


def _offered(page: str) -> list[str]:
    return re.findall(r'govuk-radios__label" for="caseworker-\d+">([^<]+)<', page)


def test_team_leader_is_offered_and_allocates_to_own_team_only(
    app, client, team_leader, create_staff_record, create_team_record
):
    ours = create_staff_record("caseworker", team=team_leader.team, name="Our Worker")
    other_team = create_staff_record(
        "caseworker", team=create_team_record("Other victim team"), name="Their Worker"
    )
    hsb = create_staff_record(
        "caseworker", team=create_team_record("HSB line", service="hsb"), name="Line Worker"
    )
    create_referrals(police_csv(police_row(crime_reference="LC-1")))
    referral = referral_by_ref("LC-1")
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert _offered(page) == [ours.name]
    assert other_team.name not in page and hsb.name not in page

    for outsider in (other_team, hsb):
        response = allocate_on_page(client, referral.id, outsider.id)
        assert response.status_code == 400
        assert referral_by_ref("LC-1").allocated_to_id is None
        shown = response.get_data(as_text=True)
        assert "govuk-error-summary" in shown and "govuk-notification-banner" not in shown
        assert "Select an active caseworker in your team" in shown
    assert not audit_rows("referral.allocate")


def test_admin_is_offered_victim_teams_caseworkers_not_the_hsb_lines(
    app, client, admin, create_staff_record, create_team_record
):
    victim = create_staff_record("caseworker", team=create_team_record("Victims"), name="V Worker")
    create_staff_record(
        "caseworker", team=create_team_record("HSB line", service="hsb"), name="Line Worker"
    )
    create_referrals(police_csv(police_row(crime_reference="LC-1")))
    page = client.get(f"/referrals/{referral_by_ref('LC-1').id}").get_data(as_text=True)
    assert _offered(page) == [victim.name]


def _possible_match_held_by(team_b_worker):
    """LC-1 allocated to team B; LC-2, unallocated, possibly the same person (name and birth
    date only)."""
    first = referral_by_ref("LC-1")
    first.allocated_to_id = team_b_worker.id
    db.session.commit()
    match = db.session.scalars(sa.select(PossibleMatch)).one()
    assert match.earlier_referral_id == first.id
    return first, referral_by_ref("LC-2"), match


def test_possible_match_held_by_another_team_shows_no_detail_and_cannot_be_decided(
    app, client, team_leader, create_staff_record, create_team_record
):
    team_b = create_team_record("Team B")
    worker_b = create_staff_record("caseworker", team=team_b)
    create_referrals(
        police_csv(police_row(crime_reference="LC-1", forename="Maya", surname="Quartermain")),
    )
    create_referrals(
        police_csv(
            police_row(
                crime_reference="LC-2",
                forename="Maya",
                surname="Quartermain",
                mobile_phone="07700 900999",
            )
        ),
    )
    first, second, match = _possible_match_held_by(worker_b)

    page = client.get(f"/referrals/{second.id}").get_data(as_text=True)
    assert "A possible match with a referral held by another team" in page
    assert "That team's leader, who may see both referrals" in page
    assert first.reference not in page and f"/referrals/{first.id}" not in page
    assert "Same person" not in page  # nothing to decide here
    response = post_form(
        client,
        f"/referrals/{second.id}/matches/{match.id}",
        {"decision": "confirm"},
        token_from=f"/referrals/{second.id}",
    )
    assert response.status_code == 404
    db.session.rollback()
    assert db.session.get(PossibleMatch, match.id).status == "pending"
    assert not db.session.get(Referral, second.id).repeat_victim

    # Team B's leader sees both records, and decides.
    client.post("/logout", data={"csrf_token": _token(client, "/queue")})
    leader_b = create_staff_record("team_leader", team=team_b)
    sign_in(client, leader_b.email)
    page = client.get(f"/referrals/{second.id}").get_data(as_text=True)
    assert first.reference in page and "Same person" in page
    post_form(
        client,
        f"/referrals/{second.id}/matches/{match.id}",
        {"decision": "confirm"},
        token_from=f"/referrals/{second.id}",
    )
    db.session.rollback()
    assert db.session.get(PossibleMatch, match.id).status == "confirmed"


def _token(client, path):
    from tests.conftest import csrf_token

    return csrf_token(client, path)


def test_a_match_decision_without_a_choice_is_refused(app, client, team_leader):
    create_referrals(police_csv(police_row(crime_reference="LC-1", forename="Maya")))
    create_referrals(
        police_csv(police_row(crime_reference="LC-2", forename="Maya", mobile_phone="07700 900999"))
    )
    second = referral_by_ref("LC-2")
    match = db.session.scalars(sa.select(PossibleMatch)).one()
    for data in ({}, {"decision": "maybe"}):
        post_form(
            client,
            f"/referrals/{second.id}/matches/{match.id}",
            data,
            token_from=f"/referrals/{second.id}",
        )
    db.session.rollback()
    assert db.session.get(PossibleMatch, match.id).status == "pending"
    assert not audit_rows("referral.match_rejected")
