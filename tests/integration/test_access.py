"""Per-record access: nobody reaches a record by guessing its id, and every refusal is audited."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.conftest import CSRF_PATTERN, audit_rows


def without_csrf_token(html: str) -> str:
    """The page with each CSRF token's value blanked out."""
    assert CSRF_PATTERN.search(html), "the page has no form token to blank"
    return CSRF_PATTERN.sub('name="csrf_token" value=""', html)


def test_team_leader_sees_own_team_member(
    client, create_team_record, sign_in_as, create_staff_record
):
    team = create_team_record()
    leader = sign_in_as("team_leader", team=team)
    member = create_staff_record("caseworker", team=team)
    team_page = client.get("/team").get_data(as_text=True)
    # the staff list's link to the member's profile, followed as a browser would
    link = re.search(rf'href="([^"]+)">{re.escape(member.name)}</a>', team_page).group(1)
    assert link == f"/staff/{member.id}"
    response = client.get(link)
    assert response.status_code == 200
    view = audit_rows("staff.view")[-1]
    assert view.actor_id == leader.id and view.record_id == str(member.id)


def test_another_teams_id_gets_the_same_404_as_a_missing_one(
    client, create_team_record, sign_in_as, create_staff_record
):
    sign_in_as("team_leader", team=create_team_record())
    outsider = create_staff_record("caseworker", team=create_team_record())
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        other_team = client.get(f"/staff/{outsider.id}")
        clock.shift(timedelta(seconds=1.5))  # the two pages straddle a second
        missing = client.get("/staff/999999")
    assert other_team.status_code == missing.status_code == 404
    assert outsider.name not in other_team.get_data(as_text=True)
    # the same page, apart from the form token, which is signed with the time it was made
    assert without_csrf_token(other_team.get_data(as_text=True)) == without_csrf_token(
        missing.get_data(as_text=True)
    )
    denied = audit_rows("access.denied")
    assert [row.record_id for row in denied] == [str(outsider.id), "999999"]


def test_other_teams_staff_are_not_listed(
    client, create_team_record, sign_in_as, create_staff_record
):
    sign_in_as("team_leader", team=create_team_record())
    outsider = create_staff_record("caseworker", team=create_team_record())
    assert outsider.name not in client.get("/team").get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/admin/staff", "/admin/teams", "/admin/audit", "/admin/staff/new"]
)
def test_caseworker_cannot_reach_admin_pages(client, caseworker, path):
    response = client.get(path)
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)
    assert audit_rows("access.denied")[-1].actor_id == caseworker.id


@pytest.mark.parametrize(
    "path", ["/caseload", "/team", "/admin/staff", "/account", "/staff/1", "/admin/audit"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
