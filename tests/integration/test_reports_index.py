"""The reports page lists the reports there are, each of which opens for whoever is shown it,
and never claims there is no data."""

import re

import pytest


@pytest.mark.parametrize("role", ["analyst", "team_leader", "HSB team_leader", "admin"])
def test_every_report_listed_opens_for_its_reader(client, sign_in_as, create_team_record, role):
    if role.startswith("HSB"):
        sign_in_as("team_leader", team=create_team_record(service="hsb"))
    else:
        sign_in_as(role)
    page = client.get("/reports").get_data(as_text=True)
    assert "There is no referral data to report on yet" not in page
    links = re.findall(r'<li><a class="govuk-link" href="([^"]+)">', page)
    # The victim service's returns are not the advice line's team leader's.
    victim_service = not role.startswith("HSB")
    assert ("/complaints/return" in links) is victim_service
    assert ("/reports/target-hardening" in links) is victim_service
    # Group sessions are for those who run them: the victim service's leaders and admins.
    assert ("/groups" in links) is (role in ("team_leader", "admin"))
    assert ("/reports/hsb-monthly" in links) is (role != "team_leader")
    for link in links:
        assert client.get(link).status_code == 200, link
