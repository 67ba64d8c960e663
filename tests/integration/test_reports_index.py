"""The reports page lists the reports there are, each of which opens for whoever is shown it,
and never claims there is no data."""

import re

import pytest


@pytest.mark.parametrize("role", ["analyst", "team_leader", "admin"])
def test_every_report_listed_opens_for_its_reader(client, sign_in_as, role):
    sign_in_as(role)
    page = client.get("/reports").get_data(as_text=True)
    assert "There is no referral data to report on yet" not in page
    links = re.findall(r'<li><a class="govuk-link" href="([^"]+)">', page)
    assert "/complaints/return" in links and "/reports/target-hardening" in links
    assert ("/groups" in links) is (role != "analyst")  # sessions are for those who run them
    for link in links:
        assert client.get(link).status_code == 200, link
