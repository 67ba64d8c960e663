"""The triage queue, one referral's page, and the team leader's decisions."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import time_machine

from casework.db import db
from casework.obligations.models import Obligation
from casework.people.models import PossibleMatch
from casework.referrals.models import Referral
from tests.conftest import allocate_on_page, audit_rows, post_form, sign_in
from tests.factories import create_referrals
from tests.police import SAMPLE, police_csv, police_row

ROOT = Path(__file__).resolve().parents[2]
RECEIVED = datetime(2026, 11, 20, 7, tzinfo=UTC)


def referral_by_ref(crime_reference: str) -> Referral:
    db.session.rollback()
    return db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == crime_reference)
    ).one()


def test_queue_json_contract_and_order(app, runner):
    create_referrals((ROOT / SAMPLE).read_bytes())
    result = runner.invoke(args=["triage", "queue", "--json"])
    entries = json.loads(result.output)
    assert [e["crime_reference"][-4:] for e in entries] == [
        "0063",
        "0061",
        "0070",
        "0057",
        "0071",
        "0042",
    ]
    first = entries[0]
    assert set(first) == {
        "id",
        "crime_reference",
        "priority",
        "reasons",
        "contact_method",
        "repeat_victim",
        "obligations",
    }
    assert first["reasons"] == ["hate crime", "under 18"]
    assert first["obligations"] == [
        {
            "kind": "initial_message",
            "channel": "email",
            "due_at": "2026-11-20T18:00:00+00:00",
            "status": "due",
        }
    ]
    bands = [e["priority"] for e in entries]
    assert bands == sorted(bands)  # every enhanced before any standard
    assert entries[2]["repeat_victim"] is True  # the police REPEAT_VICTIM flag


def test_queue_page_shows_priority_reasons_and_time_left(app, client, sign_in_as):
    create_referrals((ROOT / SAMPLE).read_bytes())
    with time_machine.travel("2026-11-20 14:40 +0000", tick=False):
        sign_in_as("team_leader")
        html = client.get("/queue").get_data(as_text=True)
    assert "6 open referrals" in html
    assert "hate crime, under 18" in html
    assert "due in 3 h 20 min" in html  # 18:00 close for the email referral
    assert html.index("Tomasz") < html.index("Aisha")  # enhanced before standard
    with time_machine.travel("2026-11-20 19:00 +0000", tick=False):
        sign_in_as("team_leader")  # over four hours idle: signed out meanwhile
        late = client.get("/queue?due=overdue").get_data(as_text=True)
    assert "Overdue by 1 h" in late and "Aisha" not in late


def test_queue_filters_and_pagination(app, client, team_leader):
    rows = [
        police_row(
            crime_reference=f"LC-{i:03}",
            forename=f"P{i}",
            contact_method="EMAIL" if i % 2 else "MOBILE_PHONE",
            email="p@example.org",
            npa="Rutland" if i < 5 else "Melton",
        )
        for i in range(30)
    ]
    create_referrals(police_csv(*rows))
    assert "30 open referrals" in client.get("/queue").get_data(as_text=True)
    assert "15 open referrals" in client.get("/queue?method=EMAIL").get_data(as_text=True)
    assert "5 open referrals" in client.get("/queue?npa=Rutland").get_data(as_text=True)
    second = client.get("/queue?page=2").get_data(as_text=True)
    assert second.count('class="govuk-table__row"') == 5 + 1
    assert "No open referrals match these filters" in client.get(
        "/queue?priority=enhanced"
    ).get_data(as_text=True)


def test_combined_filters_count_what_the_database_holds(app, client, sign_in_as):
    create_referrals((ROOT / SAMPLE).read_bytes())
    ones = referral_by_ref("LC-20261120-0042"), referral_by_ref("LC-20261120-0057")
    with time_machine.travel("2026-11-20 09:00 +0000", tick=False):
        leader = sign_in_as("team_leader")
        ones[0].allocated_to_id = leader.id  # no longer unallocated
        db.session.commit()
        end_of_day = datetime(2026, 11, 21, tzinfo=UTC)  # London is on GMT in November
        expected = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Referral)
            .where(
                Referral.status == "open",
                Referral.source == "police",
                Referral.allocated_to_id.is_(None),
                Referral.next_due_at < end_of_day,
            )
        )
        html = client.get("/queue?due=today&allocated=no&source=police").get_data(as_text=True)
        everything = client.get("/queue").get_data(as_text=True)
    assert 0 < expected < 6
    assert f"{expected} open referral" in html and "6 open referrals" in everything
    assert ones[0].forename not in html


def test_team_leader_sees_their_teams_allocations_not_another_teams(
    app, client, create_team_record, create_staff_record, sign_in_as
):
    create_referrals((ROOT / SAMPLE).read_bytes())
    team = create_team_record()
    colleague = create_staff_record("caseworker", team=team)
    outsider = create_staff_record("caseworker", team=create_team_record())
    ours, theirs = referral_by_ref("LC-20261120-0042"), referral_by_ref("LC-20261120-0057")
    ours.allocated_to_id, theirs.allocated_to_id = colleague.id, outsider.id
    db.session.commit()
    sign_in_as("team_leader", team=team)
    html = client.get("/queue").get_data(as_text=True)
    assert "5 open referrals" in html
    assert ours.forename in html and colleague.name in html
    assert theirs.forename not in html and outsider.name not in html


def test_caseworker_sees_unallocated_and_own_only(app, client, create_staff_record, sign_in_as):
    create_referrals((ROOT / SAMPLE).read_bytes())
    me = sign_in_as("caseworker")
    other = create_staff_record("caseworker")
    mine, theirs = referral_by_ref("LC-20261120-0042"), referral_by_ref("LC-20261120-0057")
    mine.allocated_to_id, theirs.allocated_to_id = me.id, other.id
    db.session.commit()
    html = client.get("/queue").get_data(as_text=True)
    assert "5 open referrals" in html and "Dean" not in html
    assert client.get(f"/referrals/{theirs.id}").status_code == 404
    assert audit_rows("access.denied")[-1].record_id == str(theirs.id)
    assert client.get(f"/referrals/{mine.id}").status_code == 200
    assert "Aisha" in client.get("/caseload").get_data(as_text=True)


def test_viewing_a_referral_is_audited_against_the_person(app, client, team_leader):
    create_referrals((ROOT / SAMPLE).read_bytes())
    referral = referral_by_ref("LC-20261120-0061")
    html = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Margaret Oduya" in html and "vulnerable" in html
    view = audit_rows("referral.view")[-1]
    assert view.record_id == str(referral.id) and view.person_id == referral.id


def test_analyst_cannot_see_referrals(app, client, sign_in_as):
    create_referrals((ROOT / SAMPLE).read_bytes())
    sign_in_as("analyst")
    assert client.get("/queue").status_code == 403
    assert client.get(f"/referrals/{referral_by_ref('LC-20261120-0042').id}").status_code == 403


def test_team_leader_allocates_from_ranked_suggestions(
    app, client, team_leader, create_staff_record
):
    create_referrals((ROOT / SAMPLE).read_bytes())
    specialist = create_staff_record(
        "caseworker", team=team_leader.team, specialisms=("hate_crime", "children_young_people")
    )
    create_staff_record("caseworker", team=team_leader.team)
    referral = referral_by_ref("LC-20261120-0063")
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    ranked = re.findall(r'govuk-radios__label" for="caseworker-\d+">([^<]+)<', page)
    assert ranked[0] == specialist.name and len(ranked) == 2
    assert "specialism: children and young people; specialism: hate crime" in page
    response = allocate_on_page(client, referral.id, specialist.id)
    assert response.status_code == 302
    assert referral_by_ref("LC-20261120-0063").allocated_to_id == specialist.id
    assert audit_rows("referral.allocate")


def test_allocating_to_a_non_caseworker_is_refused(app, client, team_leader):
    create_referrals((ROOT / SAMPLE).read_bytes())
    referral = referral_by_ref("LC-20261120-0042")
    allocate_on_page(client, referral.id, team_leader.id)
    assert referral_by_ref("LC-20261120-0042").allocated_to_id is None


def test_raising_priority_brings_the_first_call_forward_to_24_hours(app, client, team_leader):
    create_referrals((ROOT / SAMPLE).read_bytes())
    referral = referral_by_ref("LC-20261120-0042")
    assert referral.priority == "standard"
    empty = post_form(
        client,
        f"/referrals/{referral.id}/raise-priority",
        {"reason": ""},
        token_from=f"/referrals/{referral.id}",
    )
    assert empty.status_code == 400 and "Give the reason" in empty.get_data(as_text=True)
    post_form(
        client,
        f"/referrals/{referral.id}/raise-priority",
        {"reason": "Victim told the officer she is frightened to go home"},
        token_from=f"/referrals/{referral.id}",
    )
    referral = referral_by_ref("LC-20261120-0042")
    assert referral.priority == "enhanced"
    assert referral.priority_reasons[-1].startswith("raised by team leader: Victim told")
    due = db.session.scalars(
        sa.select(Obligation.due_at).where(Obligation.referral_id == referral.id)
    ).one()
    assert due == RECEIVED + timedelta(hours=24)
    assert audit_rows("referral.raise_priority")[-1].detail_dict["from"] == "standard"


def test_repeat_victims_certain_matches_link_and_uncertain_wait(app, client, team_leader):
    create_referrals(police_csv(police_row(crime_reference="LC-1", email="a@example.org")))
    create_referrals(
        police_csv(
            police_row(crime_reference="LC-2", email="a@example.org"),  # name, dob, phone
            police_row(
                crime_reference="LC-3", mobile_phone="07700 900999", email=""
            ),  # name and dob only
            police_row(
                crime_reference="LC-4",
                forename="Someone",
                surname="Else",
                mobile_phone="07700 900555",
                email="a@example.org",
            ),  # email only
        ),
    )
    first, certain = referral_by_ref("LC-1"), referral_by_ref("LC-2")
    assert certain.repeat_victim and certain.person_id == first.id
    uncertain = referral_by_ref("LC-3")
    assert not uncertain.repeat_victim and uncertain.person_id == uncertain.id
    pending = db.session.scalars(
        sa.select(PossibleMatch).where(PossibleMatch.referral_id == uncertain.id)
    ).all()
    assert {tuple(m.matched_on) for m in pending} == {("name and date of birth",)}
    page = client.get(f"/referrals/{uncertain.id}").get_data(as_text=True)
    assert "Possible repeat victim" in page and "matched on name and date of birth" in page
    assert client.get("/queue").get_data(as_text=True).count("Possible repeat victim") == 2
    assert "07700 900999" in page  # shown as people write it, stored as +447700900999
    match = pending[0]
    post_form(
        client,
        f"/referrals/{uncertain.id}/matches/{match.id}",
        {"decision": "confirm"},
        token_from=f"/referrals/{uncertain.id}",
    )
    confirmed = referral_by_ref("LC-3")
    assert confirmed.repeat_victim and confirmed.person_id == first.id
    email_only = db.session.scalars(
        sa.select(PossibleMatch).where(PossibleMatch.referral_id == referral_by_ref("LC-4").id)
    ).all()
    assert email_only and all(m.matched_on == ["email"] for m in email_only)
    post_form(
        client,
        f"/referrals/{referral_by_ref('LC-4').id}/matches/{email_only[0].id}",
        {"decision": "reject"},
        token_from=f"/referrals/{referral_by_ref('LC-4').id}",
    )
    assert not referral_by_ref("LC-4").repeat_victim
    assert audit_rows("referral.match_rejected")


def test_upload_refuses_a_file_that_is_not_csv(client, team_leader):
    from io import BytesIO

    response = post_form(
        client,
        "/imports/police",
        {"file": (BytesIO(b"hello"), "notes.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The file must be a .csv file" in response.get_data(as_text=True)


def test_a_very_long_queue_counts_up_to_its_cap(app, client, team_leader, monkeypatch):
    from app.queue.routes import QueuePage

    monkeypatch.setattr(QueuePage, "CAP", 5)
    create_referrals((ROOT / SAMPLE).read_bytes())
    html = client.get("/queue").get_data(as_text=True)
    assert "5+ open referrals" in html
    assert "Use the filters to find others" in html


def test_a_detail_shared_by_many_referrals_is_not_a_match_on_its_own(app):
    shared = "0116 496 0999"  # say, a refuge's office number
    rows = [
        police_row(crime_reference=f"LC-{i}", forename=f"Person{chr(65 + i)}", home_phone=shared)
        for i in range(25)
    ]
    create_referrals(police_csv(*rows))
    create_referrals(
        police_csv(
            police_row(crime_reference="LC-NEW", forename="Newcomer", home_phone=shared),
            police_row(crime_reference="LC-AGAIN", forename="PersonD", home_phone=shared),
        ),
    )
    db.session.rollback()
    newcomer = referral_by_ref("LC-NEW")
    assert (
        db.session.scalars(
            sa.select(PossibleMatch).where(PossibleMatch.referral_id == newcomer.id)
        ).all()
        == []
    )
    # Same name and birth date, and that number: the number is no evidence (26 people hold
    # it, over MATCH_KEY_LIMIT), so a team leader decides rather than a silent merge.
    again = referral_by_ref("LC-AGAIN")
    assert not again.repeat_victim and again.person_id == again.id
    [match] = db.session.scalars(
        sa.select(PossibleMatch).where(PossibleMatch.referral_id == again.id)
    )
    assert match.earlier_referral_id == referral_by_ref("LC-3").id
    assert match.matched_on == ["name and date of birth"]


def test_raise_priority_is_not_offered_on_an_enhanced_referral(app, client, team_leader):
    create_referrals((ROOT / SAMPLE).read_bytes())
    enhanced, standard = referral_by_ref("LC-20261120-0063"), referral_by_ref("LC-20261120-0042")
    assert enhanced.priority == "enhanced" and standard.priority == "standard"
    assert "Raise priority" not in client.get(f"/referrals/{enhanced.id}").get_data(as_text=True)
    assert "Raise priority" in client.get(f"/referrals/{standard.id}").get_data(as_text=True)
    response = post_form(
        client,
        f"/referrals/{enhanced.id}/raise-priority",
        {"reason": "Victim told us they are frightened"},
        token_from=f"/referrals/{enhanced.id}",
    )
    assert response.status_code == 400
    assert "This referral is already enhanced" in response.get_data(as_text=True)
    assert not audit_rows("referral.raise_priority")


def test_a_referral_in_a_case_or_closed_is_not_allocated_anew(
    app, client, team_leader, create_staff_record
):
    """Allocating is for open referrals: re-allocating a closed one (in a case, or closed at
    triage) would only open it to another caseworker, apart from its case. Refused, with the
    way to do it instead; nothing changes, and the other caseworker still cannot open it."""
    from tests.factories import create_case

    create_referrals((ROOT / SAMPLE).read_bytes())
    sam = create_staff_record("caseworker", team=team_leader.team)
    jo = create_staff_record("caseworker", team=team_leader.team)
    in_case = referral_by_ref("LC-20261120-0063")
    case = create_case(in_case.id, caseworker=sam, leader=team_leader)
    closed = referral_by_ref("LC-20261120-0042")
    closed.status = "closed"
    db.session.commit()
    jo_email, allocations = jo.email, len(audit_rows("referral.allocate"))
    for referral_id, said in (
        (
            in_case.id,
            f"This referral is closed and part of case {case.reference}: reassign the case",
        ),
        (closed.id, "This referral is closed, so it is not allocated to anyone new"),
    ):
        page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
        assert said in page and 'name="caseworker"' not in page
        refused = allocate_on_page(client, referral_id, jo.id)
        assert refused.status_code == 400 and said in refused.get_data(as_text=True)
    assert referral_by_ref("LC-20261120-0063").allocated_to_id == sam.id
    assert referral_by_ref("LC-20261120-0042").allocated_to_id is None
    assert len(audit_rows("referral.allocate")) == allocations
    other = app.test_client()
    assert sign_in(other, jo_email).status_code == 302
    assert other.get(f"/referrals/{in_case.id}").status_code == 404


def test_suggestions_count_each_caseworkers_open_cases_as_the_team_view_does(
    app, client, team_leader, create_staff_record
):
    """A caseworker with three open cases (their referrals closed into them) and one referral
    of their own is not offered as having nothing on: their caseload is four, as "My team"
    says, and the caseworker with none comes first."""
    from tests.factories import create_case_for_notes
    from tests.police import police_row

    busy = create_staff_record("caseworker", team=team_leader.team, name="Bea Busy")
    create_staff_record("caseworker", team=team_leader.team, name="Fay Free")
    for n in range(3):
        create_case_for_notes(
            caseworker=busy,
            team_leader=team_leader,
            row=police_row(crime_reference=f"LC-CASE-{n}", forename=f"Case{'abc'[n]}"),
        )
    create_referrals(police_row(crime_reference="LC-HERS", forename="Held"))
    create_referrals(police_row(crime_reference="LC-NEW", forename="Newly"))
    allocate_on_page(client, referral_by_ref("LC-HERS").id, busy.id)
    page = client.get(f"/referrals/{referral_by_ref('LC-NEW').id}").get_data(as_text=True)
    ranked = re.findall(r'govuk-radios__label" for="caseworker-\d+">([^<]+)<', page)
    assert ranked == ["Fay Free", "Bea Busy"]
    assert "caseload of 4 (open cases and referrals)" in page
    assert "caseload of 0 (open cases and referrals)" in page
    team = client.get("/team").get_data(as_text=True)
    cells = r"Bea Busy<span[^<]*</span></a></td>\s*<td[^>]*>3</td>\s*<td[^>]*>1</td>"
    assert re.search(cells, team)  # three open cases, one referral


def test_a_referrals_flags_are_listed_in_words(app, client, team_leader):
    create_referrals(
        police_row(crime_reference="LC-FLAGS", flags="DOMESTIC_ABUSE;REFUSED_PHONE;VULNERABLE")
    )
    page = client.get(f"/referrals/{referral_by_ref('LC-FLAGS').id}").get_data(as_text=True)
    assert "domestic abuse, refused contact by phone, vulnerable" in page
    assert "DOMESTIC_ABUSE" not in page
