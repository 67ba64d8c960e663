"""A page past a list's last one says there is no such page, never the list's empty state
("You have no open cases", "Nothing is waiting for a decision"), which would be untrue."""

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.referrals.models import Referral
from tests.factories import create_referrals
from tests.police import police_csv, police_row

LISTS = [
    ("/caseload", "caseworker"),
    ("/queue", "team_leader"),
    ("/approvals", "team_leader"),
    ("/approvals?decided=1", "team_leader"),
    ("/groups", "caseworker"),
    ("/hardship", "team_leader"),
    ("/complaints", "team_leader"),
    ("/admin/staff", "admin"),
    ("/admin/vetting/expiring", "admin"),
    ("/admin/audit", "admin"),
    ("/partners", "admin"),
    ("/advice-line/feedback", "team_leader of the HSB line"),
]
# (The advice line's resource directory and evidence show their last page instead.)


@pytest.mark.parametrize("path, role", LISTS)
def test_a_page_past_the_last_says_there_is_no_such_page(
    client, sign_in_as, create_team_record, path, role
):
    if role.endswith("HSB line"):
        sign_in_as("team_leader", team=create_team_record(service="hsb"))
    else:
        sign_in_as(role)
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}page=500")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is no page 500:" in page
    assert 'href="' + path.split("?")[0] in page.split("There is no page 500:")[1]


def test_a_caseworker_past_the_last_page_is_not_told_their_caseload_is_empty(client, sign_in_as):
    worker = sign_in_as("caseworker")
    create_referrals(police_csv(police_row()))
    db.session.execute(sa.update(Referral).values(allocated_to_id=worker.id))
    db.session.commit()
    page = client.get("/caseload?page=2").get_data(as_text=True)
    assert "There is no page 2: this list has 1 page." in page
    assert "You have no open cases or referrals" not in page
    assert "Go to the first page" in page


def test_the_queue_past_its_last_page_does_not_say_no_referrals_match(client, sign_in_as):
    sign_in_as("team_leader")
    create_referrals(police_csv(police_row()))
    page = client.get("/queue?page=3").get_data(as_text=True)
    assert "There is no page 3: this list has 1 page." in page
    assert "No open referrals match" not in page


def test_a_page_number_past_a_hundred_thousand_is_answered_as_itself(client, sign_in_as):
    """A long list (the audit trail, over years) may pass 100,000 pages: the number asked for
    is the one answered, not quietly page 1."""
    sign_in_as("admin")
    page = client.get("/admin/audit?page=250000").get_data(as_text=True)
    assert "There is no page 250000:" in page
    # A number no list could reach is nonsense: the first page.
    page = client.get("/admin/audit?page=99999999999999999999").get_data(as_text=True)
    assert "There is no page" not in page
