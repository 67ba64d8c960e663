"""The resource directory and giving resources on a contact's page (issue 16, deliverable 6)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.hsb.models import AdviceResource, ResourceGiven
from tests.conftest import audit_rows, csrf_token, post_form, sent_twice
from tests.integration.hsb_helpers import make_contact, make_resource

NEW = "/advice-line/resources/new"


def resource_form(**fields) -> dict:
    return {
        "title": "Brook sexual behaviours traffic light tool",
        "url": "https://www.brook.org.uk/training/traffic-light-tool/",
        "description": "Identifying and responding to sexual behaviours in children.",
        "kind": "material",
        "audiences": ["dsl", "early_years"],
        "topic": "identifying",
        "region": "",
        "local_authority": "",
        **fields,
    }


def stored() -> list[AdviceResource]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AdviceResource).order_by(AdviceResource.id)))


def test_an_advisor_adds_a_resource_and_it_is_listed_audited(sign_in_as, client):
    sign_in_as("hsb_advisor")
    response = post_form(client, NEW, resource_form())
    assert response.status_code == 302
    [resource] = stored()
    assert resource.audiences == ["dsl", "early_years"] and resource.region is None
    page = client.get("/advice-line/resources").get_data(as_text=True)
    assert "Brook sexual behaviours traffic light tool" in page
    assert "National" in page
    assert [e.record_id for e in audit_rows("advice_resource.created")] == [str(resource.id)]


def test_the_same_resource_form_sent_twice_adds_one_resource(sign_in_as, client):
    """A resend would list the resource twice, its giving counts split between the two."""
    sign_in_as("hsb_advisor")
    page = sent_twice(client, NEW, resource_form())
    assert [r.title for r in stored()] == ["Brook sexual behaviours traffic light tool"]
    assert len(audit_rows("advice_resource.created")) == 1
    assert "added to the directory" not in page  # the second send added nothing
    assert post_form(client, NEW, resource_form()).status_code == 302  # a fresh form: another
    assert len(stored()) == 2


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": "  "}, "Enter the resource&#39;s title"),
        ({"url": "javascript:alert(1)"}, "Enter a web address starting with https://"),
        ({"url": "ftp://files.example.org/x"}, "Enter a web address starting with https://"),
        ({"url": "https://no spaces.example.org"}, "Enter a web address starting with https://"),
        ({"url": "https://"}, "Enter a web address starting with https://"),
        ({"audiences": []}, "Select at least one audience"),
        ({"audiences": ["nobody"]}, "Select audiences from the list"),
        ({"kind": "spell"}, "Select what kind of resource it is"),
        ({"topic": ""}, "Select the resource&#39;s topic"),
        ({"region": "atlantis"}, "Select a region from the list"),
        ({"local_authority": "Leeds"}, "Select the local authority&#39;s region"),
    ],
)
def test_bad_resource_details_are_refused_and_nothing_is_stored(
    sign_in_as, client, fields, message
):
    sign_in_as("hsb_advisor")
    response = post_form(client, NEW, resource_form(**fields))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored() == []


def test_a_url_is_optional(sign_in_as, client):
    sign_in_as("hsb_advisor")
    assert post_form(client, NEW, resource_form(url="")).status_code == 302
    assert stored()[0].url is None


def test_search_ignores_case_and_accents_and_filters_combine(sign_in_as, client):
    advisor = sign_in_as("hsb_advisor")
    make_resource(advisor, title="Café conversations about consent", audiences=["parents"])
    make_resource(
        advisor,
        title="Leeds early help hub (fictional)",
        description="Local contact for EARLY help.",
        region="yorkshire_humber",
        local_authority="Leeds",
        audiences=["dsl", "social_work"],
        topic="support_services",
    )
    make_resource(advisor, title="CEOP", description="Report online abuse", topic="online")

    def titles(query):
        html = client.get("/advice-line/resources" + query).get_data(as_text=True)
        return [t for t in ("Café", "Leeds early help", "CEOP") if t in html]

    assert titles("?q=CAFE") == ["Café"]
    assert titles("?q=early+HELP") == ["Leeds early help"]
    assert titles("?audience=social_work") == ["Leeds early help"]
    assert titles("?audience=parents") == ["Café"]
    assert titles("?topic=online") == ["CEOP"]
    assert titles("?area=national") == ["Café", "CEOP"]
    assert titles("?area=yorkshire_humber") == ["Leeds early help"]
    assert titles("?area=london") == []
    assert titles("?local_authority=leeds") == ["Leeds early help"]
    assert titles("?local_authority=Wakefield") == []
    assert titles("?kind=contact") == ["Café", "Leeds early help", "CEOP"]
    assert titles("?q=nothing+matches") == []
    assert "No resources match" in client.get("/advice-line/resources?q=zzz").get_data(as_text=True)


def test_the_list_is_paginated(sign_in_as, client):
    advisor = sign_in_as("hsb_advisor")
    for n in range(23):
        make_resource(advisor, title=f"Resource {n:02d}")
    first = client.get("/advice-line/resources").get_data(as_text=True)
    assert "Resource 19" in first and "Resource 20" not in first
    second = client.get("/advice-line/resources?page=2").get_data(as_text=True)
    assert "Resource 20" in second and "Resource 22" in second and "Resource 00" not in second


def test_hiding_keeps_counts_and_leaves_searches_until_shown_again(app, sign_in_as, client):
    advisor = sign_in_as("hsb_advisor")
    resource = make_resource(advisor, title="Retired toolkit")
    contact = make_contact(app)
    page = f"/advice-line/contacts/{contact.id}/resources?q=toolkit"
    post_form(
        client,
        f"/advice-line/contacts/{contact.id}/resources/give",
        {"resource_id": resource.id},
        token_from=page,
    )
    edit = f"/advice-line/resources/{resource.id}"
    refused = post_form(
        client, edit + "/hide", {"hide-reason": "", "hide-version": "1"}, token_from=edit
    )
    assert refused.status_code == 302 and not stored()[0].hidden
    post_form(
        client,
        edit + "/hide",
        {"hide-reason": "The page has gone", "hide-version": "1"},
        token_from=edit,
        follow_redirects=True,
    )
    hidden = stored()[0]
    assert hidden.hidden and hidden.hidden_reason == "The page has gone"
    assert "Retired toolkit" not in client.get("/advice-line/resources").get_data(as_text=True)
    listed = client.get("/advice-line/resources?show=hidden").get_data(as_text=True)
    assert "Retired toolkit" in listed and "Hidden" in listed
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in listed
    # Hidden: not offered to give, but still shown as given on the contact.
    assert "Give<span" not in client.get(page).get_data(as_text=True)
    other = make_contact(app)
    refused = post_form(
        client,
        f"/advice-line/contacts/{other.id}/resources/give",
        {"resource_id": resource.id},
        token_from=page,
        follow_redirects=True,
    )
    assert "is hidden and cannot be given" in refused.get_data(as_text=True)
    assert "Retired toolkit" in client.get(f"/advice-line/contacts/{contact.id}").get_data(
        as_text=True
    )
    post_form(client, edit + "/unhide", {"unhide-version": "2"}, token_from=edit)
    assert not stored()[0].hidden
    assert db.session.scalar(sa.select(sa.func.count(ResourceGiven.id))) == 1
    assert len(audit_rows("advice_resource.hidden")) == 1
    assert len(audit_rows("advice_resource.unhidden")) == 1


def test_a_stale_edit_is_refused(sign_in_as, client):
    advisor = sign_in_as("hsb_advisor")
    resource = make_resource(advisor, title="Original title")
    edit = f"/advice-line/resources/{resource.id}"
    token = csrf_token(client, edit)
    fields = resource_form(title="First change", version="1", csrf_token=token)
    assert client.post(edit, data=fields).status_code == 302
    late = client.post(edit, data={**fields, "title": "Second change"})
    assert late.status_code == 400
    assert "Someone changed this resource" in late.get_data(as_text=True)
    assert stored()[0].title == "First change"
    stale_hide = client.post(
        edit + "/hide", data={"hide-reason": "x", "hide-version": "1", "csrf_token": token}
    )
    assert stale_hide.status_code == 302 and not stored()[0].hidden


def test_giving_a_resource_once_per_contact_with_a_clear_message(app, sign_in_as, client):
    advisor = sign_in_as("hsb_advisor")
    resource = make_resource(advisor, title="Stop It Now helpline")
    contact = make_contact(app)
    page = f"/advice-line/contacts/{contact.id}/resources?q=stop+it"
    found = client.get(page).get_data(as_text=True)
    assert "Stop It Now helpline" in found and "Give<span" in found
    give = f"/advice-line/contacts/{contact.id}/resources/give"
    first = post_form(client, give, {"resource_id": resource.id, "q": "stop it"}, token_from=page)
    assert first.status_code == 302
    again = post_form(
        client, give, {"resource_id": resource.id}, token_from=page, follow_redirects=True
    )
    assert "was already given to this professional: nothing changed" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ResourceGiven.id))) == 1
    assert len(audit_rows("advice_resource.given")) == 1
    contact_page = client.get(f"/advice-line/contacts/{contact.id}").get_data(as_text=True)
    assert "Resources given" in contact_page and "Stop It Now helpline" in contact_page
    missing = post_form(
        client, give, {"resource_id": "999999"}, token_from=page, follow_redirects=True
    )
    assert "That resource is not in the directory" in missing.get_data(as_text=True)
    assert client.post(give, data={"resource_id": resource.id}).status_code == 400  # no CSRF
    assert db.session.scalar(sa.select(sa.func.count(ResourceGiven.id))) == 1


def test_a_title_with_markup_is_escaped_in_the_banner(app, sign_in_as, client):
    advisor = sign_in_as("hsb_advisor")
    resource = make_resource(advisor, title="<script>x</script> guide")
    contact = make_contact(app)
    page = f"/advice-line/contacts/{contact.id}/resources?q=guide"
    shown = post_form(
        client,
        f"/advice-line/contacts/{contact.id}/resources/give",
        {"resource_id": resource.id},
        token_from=page,
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "<script>x</script>" not in shown and "&lt;script&gt;" in shown


@pytest.mark.parametrize("role", ["caseworker", "volunteer", "analyst"])
def test_others_are_refused_on_every_page(app, sign_in_as, client, create_staff_record, role):
    owner = create_staff_record("hsb_advisor")
    resource = make_resource(owner)
    contact = make_contact(app)
    sign_in_as(role)
    for path in (
        "/advice-line/resources",
        NEW,
        f"/advice-line/resources/{resource.id}",
        f"/advice-line/contacts/{contact.id}/resources",
    ):
        assert client.get(path).status_code == 403, path
    for path in (
        NEW,
        f"/advice-line/resources/{resource.id}",
        f"/advice-line/resources/{resource.id}/hide",
        f"/advice-line/resources/{resource.id}/unhide",
        f"/advice-line/contacts/{contact.id}/resources/give",
    ):
        assert client.post(path, data={"resource_id": resource.id}).status_code in (400, 403)
    assert db.session.scalar(sa.select(sa.func.count(ResourceGiven.id))) == 0


def test_an_hsb_team_leader_may_maintain(sign_in_as, client, create_team_record):
    sign_in_as("team_leader", team=create_team_record(service="hsb"))
    assert post_form(client, NEW, resource_form()).status_code == 302


def test_an_admin_may_maintain(sign_in_as, client):
    sign_in_as("admin")
    assert client.get("/advice-line/resources").status_code == 200


def test_a_victim_service_team_leader_is_refused(sign_in_as, client):
    sign_in_as("team_leader")
    assert client.get("/advice-line/resources").status_code == 403
    assert client.post(NEW, data=resource_form()).status_code in (400, 403)
    assert stored() == []
