"""Evidence of local practice (issue 16, deliverable 7): recorded from a contact or on its own,
listed with filters, exported as CSV without any professional's details."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.hsb.models import PracticeEvidence
from tests.conftest import audit_rows, post_form, sent_twice
from tests.integration.hsb_helpers import make_contact


def evidence_form(**fields) -> dict:
    return {
        "kind": "barrier",
        "themes": ["information_sharing", "thresholds"],
        "region": "yorkshire_humber",
        "local_authority": "Leeds",
        "setting_type": "secondary",
        "summary": "Schools are not told the outcome of referrals to children's social care.",
        **fields,
    }


def stored() -> list[PracticeEvidence]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(PracticeEvidence).order_by(PracticeEvidence.id)))


def record(client, **fields):
    return post_form(client, "/advice-line/evidence/new", evidence_form(**fields))


def test_from_a_contact_the_area_and_setting_default_to_the_contacts(app, sign_in_as, client):
    sign_in_as("hsb_advisor")
    contact = make_contact(app, region="north_west", local_authority="Wigan")
    path = f"/advice-line/contacts/{contact.id}/evidence/new"
    page = client.get(path).get_data(as_text=True)
    assert '<option value="north_west" selected>' in page
    assert 'value="Wigan"' in page
    assert "Do not name any child" in page
    response = post_form(client, path, evidence_form(region="north_west", local_authority="Wigan"))
    assert response.status_code == 302
    [entry] = stored()
    assert entry.contact_id == contact.id and entry.region == "north_west"
    assert entry.themes == ["information_sharing", "thresholds"]
    shown = client.get(f"/advice-line/contacts/{contact.id}").get_data(as_text=True)
    assert "Barrier to multi-agency working" in shown and "outcome of referrals" in shown
    assert [e.record_id for e in audit_rows("practice_evidence.recorded")] == [str(entry.id)]


@pytest.mark.parametrize("from_a_contact", [True, False], ids=["from a contact", "on its own"])
def test_the_same_evidence_form_sent_twice_records_it_once(app, sign_in_as, client, from_a_contact):
    """A resend would count the barrier twice in the evidence reported to the commissioner."""
    sign_in_as("hsb_advisor")
    contact = make_contact(app) if from_a_contact else None
    path = (
        f"/advice-line/contacts/{contact.id}/evidence/new"
        if contact
        else "/advice-line/evidence/new"
    )
    sent_twice(client, path, evidence_form())
    assert [e.contact_id for e in stored()] == [contact.id if contact else None]
    assert len(audit_rows("practice_evidence.recorded")) == 1
    assert record(client).status_code == 302  # a fresh form records another
    assert len(stored()) == 2


def test_on_its_own(sign_in_as, client):
    sign_in_as("hsb_advisor")
    assert record(client, kind="good_practice").status_code == 302
    [entry] = stored()
    assert entry.contact_id is None and entry.kind == "good_practice"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": ""}, "Select whether it is good practice"),
        ({"kind": "gossip"}, "Select whether it is good practice"),
        ({"themes": []}, "Select at least one theme"),
        ({"themes": ["weather"]}, "Select themes from the list"),
        ({"region": "mars"}, "Select a region from the list"),
        ({"setting_type": "castle"}, "Select a setting from the list"),
        ({"summary": "   "}, "Enter a summary of the practice"),
        ({"summary": "x" * 4001}, "The summary must be 4,000 characters or fewer"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_stored(sign_in_as, client, fields, message):
    sign_in_as("hsb_advisor")
    response = record(client, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored() == []


def _seed(actor):
    """Three entries recorded on different days."""
    for when, fields in (
        (
            datetime(2026, 9, 1, 10, tzinfo=UTC),
            {
                "kind": "good_practice",
                "themes": ["training"],
                "region": "london",
                "summary": "Termly HSB training for all staff",
            },
        ),
        (
            datetime(2026, 10, 15, 10, tzinfo=UTC),
            {
                "kind": "challenge",
                "themes": ["online", "training"],
                "region": "north_east",
                "summary": '=HYPERLINK("http://evil.example") -1+2 @SUM',
            },
        ),
        (
            datetime(2026, 11, 2, 23, 30, tzinfo=UTC),
            {"kind": "barrier", "summary": "Outcome of referrals not shared"},
        ),
    ):
        values = {**evidence_form(), **fields}
        db.session.add(PracticeEvidence(**values, recorded_by_id=actor.id, recorded_at=when))
    db.session.commit()


def test_the_list_filters_by_kind_theme_region_and_dates(sign_in_as, client):
    _seed(sign_in_as("hsb_advisor"))

    def summaries(query):
        response = client.get("/advice-line/evidence" + query)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        html = response.get_data(as_text=True)
        return [s for s in ("Termly", "HYPERLINK", "Outcome of referrals") if s in html]

    assert summaries("") == ["Termly", "HYPERLINK", "Outcome of referrals"]
    assert summaries("?kind=challenge") == ["HYPERLINK"]
    assert summaries("?theme=training") == ["Termly", "HYPERLINK"]
    assert summaries("?region=london") == ["Termly"]
    assert summaries("?from=1/10/2026") == ["HYPERLINK", "Outcome of referrals"]
    assert summaries("?to=2026-10-15") == ["Termly", "HYPERLINK"]
    # 23:30 UTC on 2 November is still 2 November in London (GMT).
    assert summaries("?from=2/11/2026&to=2/11/2026") == ["Outcome of referrals"]
    assert "No evidence matches" in client.get(
        "/advice-line/evidence?region=london&kind=barrier"
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    "query, message",
    [
        ("?from=31/2/2026", "Enter the start date as a real date"),
        ("?to=yesterday", "Enter the end date as a real date"),
        ("?from=1/1/99999", "Enter the start date as a real date"),
        ("?from=" + "9" * 500, "Enter the start date as a real date"),
        ("?from=2/11/2026&to=1/11/2026", "The end date must be the same as or after"),
    ],
)
def test_bad_dates_are_a_clear_error_never_a_server_error(sign_in_as, client, query, message):
    sign_in_as("hsb_advisor")
    response = client.get("/advice-line/evidence" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    csv_response = client.get("/advice-line/evidence.csv" + query)
    assert csv_response.status_code == 302


def test_the_csv_has_no_professional_details_and_guards_against_formulas(app, sign_in_as, client):
    advisor = sign_in_as("hsb_advisor")
    contact = make_contact(app, name="Priya Sharma", email="priya@school.example")
    post_form(
        client,
        f"/advice-line/contacts/{contact.id}/evidence/new",
        evidence_form(summary="+44 7700 900123 is how the DSL shares concerns"),
    )
    _seed(advisor)
    response = client.get("/advice-line/evidence.csv?theme=training")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "Recorded on" and len(rows) == 3  # header and the two training rows
    assert rows[1][6] == '\'=HYPERLINK("http://evil.example") -1+2 @SUM'
    everything = client.get("/advice-line/evidence.csv").get_data(as_text=True)
    assert "Priya" not in everything and "priya@school.example" not in everything
    assert "+447700900123" not in everything
    assert "'+44 7700 900123 is how" in everything
    assert len(audit_rows("practice_evidence.exported")) == 2


@pytest.mark.parametrize("role", ["caseworker", "volunteer", "analyst"])
def test_others_are_refused_on_every_page(app, sign_in_as, client, role):
    contact = make_contact(app)
    sign_in_as(role)
    for path in (
        "/advice-line/evidence",
        "/advice-line/evidence.csv",
        "/advice-line/evidence/new",
        f"/advice-line/contacts/{contact.id}/evidence/new",
    ):
        assert client.get(path).status_code == 403, path
    for path in ("/advice-line/evidence/new", f"/advice-line/contacts/{contact.id}/evidence/new"):
        assert client.post(path, data=evidence_form()).status_code in (400, 403)
    assert stored() == []


def test_the_list_is_paginated(sign_in_as, client):
    sign_in_as("hsb_advisor")
    for n in range(22):
        db.session.add(
            PracticeEvidence(
                kind="challenge",
                themes=["capacity"],
                summary=f"Entry number {n:02d}",
                recorded_by_id=1,
                recorded_at=datetime(2026, 1, 1, tzinfo=UTC).replace(hour=n),
            )
        )
    db.session.commit()
    first = client.get("/advice-line/evidence").get_data(as_text=True)
    assert "Entry number 21" in first and "Entry number 01" not in first
    second = client.get("/advice-line/evidence?page=2").get_data(as_text=True)
    assert "Entry number 01" in second and "Entry number 00" in second
