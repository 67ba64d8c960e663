"""Who reaches the advice line from the menu and from their home page, and the public pages
that anyone reaches, signed in or not."""

import pytest

from tests.conftest import sign_in


def _menu(client) -> str:
    return client.get("/account").get_data(as_text=True)


def test_an_advisor_starts_on_the_line_with_its_menu(client, sign_in_as, create_team_record):
    sign_in_as("hsb_advisor", team=create_team_record(service="hsb"))
    assert client.get("/").headers["Location"].endswith("/advice-line")
    menu = _menu(client)
    for link in ("/advice-line/resources", "/advice-line/evidence", "/reports/hsb-monthly"):
        assert f'href="{link}"' in menu
    assert 'href="/queue"' not in menu


def test_an_hsb_team_leader_leads_the_line_not_the_victim_queue(
    client, sign_in_as, create_team_record
):
    sign_in_as("team_leader", team=create_team_record(service="hsb"))
    assert client.get("/").headers["Location"].endswith("/advice-line")
    menu = _menu(client)
    assert 'href="/advice-line/feedback"' in menu and 'href="/advice-line/settings"' in menu
    assert 'href="/queue"' not in menu


def test_a_victim_team_leader_has_no_advice_line_in_the_menu_and_is_refused_it(
    client, sign_in_as, create_team_record
):
    sign_in_as("team_leader", team=create_team_record(service="victim"))
    assert client.get("/").headers["Location"].endswith("/queue")
    assert "/advice-line" not in _menu(client)
    assert client.get("/advice-line").status_code == 403


@pytest.mark.parametrize("path", ["/professionals", "/professionals/feedback/not-a-token"])
def test_a_signed_in_volunteer_still_reaches_the_public_pages(client, sign_in_as, path):
    sign_in_as("volunteer")
    response = client.get(path)
    assert response.status_code in (200, 404)  # an unknown feedback link is a plain 404 page
    assert "You cannot see this page" not in response.get_data(as_text=True)
    if path == "/professionals":
        assert response.status_code == 200


def test_an_hsb_team_leader_sees_no_victim_referral_case_or_person(
    client, sign_in_as, create_team_record
):
    """The line's team leader leads professionals' advice; victims' records are the victim
    service's alone, even the unallocated queue every victim team leader sees."""
    import sqlalchemy as sa

    from casework.db import db
    from casework.referrals.models import Referral
    from tests.factories import create_referrals
    from tests.police import police_csv, police_row

    create_referrals(police_csv(police_row(forename="Vicky", surname="Victim")))
    referral = db.session.scalars(sa.select(Referral)).one()
    sign_in_as("team_leader", team=create_team_record(service="hsb"))
    # Refused as the whole service's pages are, the same for a referral there is and one not.
    assert client.get(f"/referrals/{referral.id}").status_code == 403
    assert client.get(f"/referrals/{referral.id + 1}").status_code == 403
    assert referral.reference not in client.get("/queue").get_data(as_text=True)
    found = client.get("/search?q=Vicky").get_data(as_text=True)
    assert f"/referrals/{referral.id}" not in found and "Victim" not in found


# The victim service's pages, each reached by its own menu or a link on another.
VICTIM_SERVICE_PAGES = [
    "/queue",
    "/caseload",
    "/team",
    "/referrals/new",
    "/imports/police",
    "/deadlines",
    "/letters",
    "/groups",
    "/complaints",
    "/complaints/return",
    "/hardship",
    "/approvals",
    "/reports/target-hardening",
    "/search?q=Vicky",
]


@pytest.mark.parametrize("path", VICTIM_SERVICE_PAGES)
def test_an_hsb_team_leader_is_refused_the_victim_services_pages(
    client, sign_in_as, create_team_record, path
):
    """The line's team leader holds the role 'team leader' as the victim service's do, but
    none of that service's pages is theirs: not its queue, its imports, its referral entry,
    its letters, funds, returns or search."""
    sign_in_as("team_leader", team=create_team_record(service="hsb"))
    assert client.get(path).status_code == 403


def test_an_hsb_team_leader_cannot_record_a_victims_referral(
    client, sign_in_as, create_team_record
):
    import sqlalchemy as sa

    from casework.db import db
    from casework.referrals.models import Referral
    from tests.conftest import csrf_token

    sign_in_as("team_leader", team=create_team_record(service="hsb"))
    token = csrf_token(client, "/advice-line")
    data = {"csrf_token": token, "forename": "Jo", "surname": "Fairgoer", "route": "phone"}
    assert client.post("/referrals/new", data=data).status_code == 403
    assert db.session.scalars(sa.select(Referral)).all() == []


def test_an_hsb_team_leaders_reports_are_the_advice_lines_alone(
    client, sign_in_as, create_team_record
):
    sign_in_as("team_leader", team=create_team_record(service="hsb"))
    menu = _menu(client)
    assert 'href="/approvals"' not in menu
    reports = client.get("/reports").get_data(as_text=True)
    assert 'href="/reports/hsb-monthly"' in reports
    for victim_report in ("/reports/target-hardening", "/hardship", "/complaints/return"):
        assert f'href="{victim_report}"' not in reports


def test_a_victim_team_leader_still_reaches_the_services_pages(
    client, sign_in_as, create_team_record
):
    sign_in_as("team_leader", team=create_team_record(service="victim"))
    for path in VICTIM_SERVICE_PAGES:
        assert client.get(path).status_code == 200, path
    reports = client.get("/reports").get_data(as_text=True)
    assert 'href="/reports/target-hardening"' in reports and 'href="/hardship"' in reports


# What each of these may open: the pages everyone signed in has, the public forms, and their own.
EVERYONE = {
    "main.accessibility",
    "main.account",
    "main.healthz",
    "main.privacy",
    "main.two_step",
    "public.partner_referral",
    "public.refer",
    "advice_line.professionals",
}


@pytest.mark.parametrize(
    ("role", "service", "theirs"),
    [
        ("hsb_advisor", "hsb", ("advice_line.",)),
        # Reports lists the advice line's alone for them.
        ("team_leader", "hsb", ("advice_line.", "main.reports")),
        ("volunteer", "victim", ("support.my_cases",)),
    ],
)
def test_every_page_they_reach_by_its_address_is_theirs(
    app, client, create_staff_record, create_team_record, role, service, theirs
):
    """Every page with no id in its address, typed in: the advice line's staff reach the advice
    line's pages and volunteers their own cases, besides what everyone has; the victim
    service's pages (the partner registry among them, which names who referred victims) are
    refused, whatever the menu shows."""
    staff = create_staff_record(role, team=create_team_record(service=service))
    sign_in(client, staff.email)
    reached = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.endpoint != "static"
        and client.get(rule.rule).status_code == 200
    }
    assert {e for e in reached - EVERYONE if not e.startswith(theirs)} == set()
    assert any(e.startswith(theirs) for e in reached)
