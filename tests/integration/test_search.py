"""Staff search at /search?q= (DESIGN.md Stable interfaces): what each kind of query finds, that
only people the searcher may open are found or counted, the audit trail, the request log, pages
and bad input. On SQLite and, with TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import http.cookiejar
import json
import logging
import re
import socket
import threading
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from html import unescape

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from casework.audit import AuditEvent, Origin
from casework.cases.opening import open_by_team_leader
from casework.db import db
from casework.people.models import Person, PersonNameWord
from casework.people.records import merge_people, undo_merge
from casework.people.search_terms import name_words
from tests.conftest import PASSWORD, audit_rows, sign_in
from tests.factories import create_referrals
from tests.police import police_csv, police_row, referral_by_crime

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)


def _row(crime: str, forename: str, surname: str, **fields) -> dict:
    number = int(re.sub(r"\D", "", crime)[-3:])
    return police_row(
        crime_reference=crime,
        forename=forename,
        surname=surname,
        date_of_birth=fields.pop("date_of_birth", f"1970-01-{number % 28 + 1:02}"),
        mobile_phone=fields.pop("mobile_phone", f"07700 900{number:03}"),
        postcode=fields.pop("postcode", "LE1 1AA"),
        **fields,
    )


@pytest.fixture
def teams(create_team_record, create_staff_record):
    """Two victim teams, each with a caseworker."""
    ours, theirs = create_team_record("City victims"), create_team_record("County victims")
    return {
        "ours": ours,
        "theirs": theirs,
        "our_worker": create_staff_record("caseworker", team=ours),
        "their_worker": create_staff_record("caseworker", team=theirs),
    }


@pytest.fixture
def people(app, teams):
    """Zoë Brown (unallocated, seen by everyone), Siobhán O'Brien and Mary Smith-Jones
    (allocated in our team), and another team's Zoe Brown-Hidden who shares Zoë's home phone."""
    create_referrals(
        police_csv(
            _row(
                "LC-20261120-0001",
                "Zoë",
                "Brown",
                date_of_birth="1985-03-12",
                mobile_phone="07700 900123",
                home_phone="(0116) 496 0123",
                email="Zoe.Brown@Example.org",
                postcode="LE2 1HL",
            ),
            _row("LC-20261120-0002", "Siobhán", "O'Brien"),
            _row("LC-20261120-0003", "Mary Jane", "Smith-Jones"),
            _row(
                "LC-20261120-0004",
                "Zoe",
                "Brown-Hidden",
                date_of_birth="1990-07-01",
                home_phone="0116 496 0123",
                postcode="LE2 1HL",
                email="hidden@example.org",
            ),
        )
    )
    zoe, siobhan, mary, hidden = (referral_by_crime(f"LC-20261120-000{n}") for n in (1, 2, 3, 4))
    siobhan.allocated_to_id = mary.allocated_to_id = teams["our_worker"].id
    hidden.allocated_to_id = teams["their_worker"].id
    db.session.commit()
    return {"zoe": zoe, "siobhan": siobhan, "mary": mary, "hidden": hidden}


def names_found(response) -> list[str]:
    html = response.get_data(as_text=True)
    found = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', html)
    return [unescape(name) for name in found]


def caption(response) -> str:
    match = re.search(r"<caption[^>]*>(.*?)</caption>", response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


def search(client, q: str, **params):
    return client.get("/search", query_string={"q": q, **params})


# --- what each kind of query finds -----------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "zoe",
        "Zoë",
        "ZOË BR",
        "br zo",
        "zo brown",
        "07700 900123",
        "+44 7700 900123",
        "07700900123",
        "(07700) 900-123",
        "zoe.brown@example.org",
        "ZOE.BROWN@EXAMPLE.ORG",
        "LE2 1HL",
        "le21hl",
        "1985-03-12",
        "12/03/1985",
        "12 March 1985",
        "LC-20261120-0001",
        "lc-20261120-0001",
    ],
)
def test_each_kind_of_query_finds_the_person(client, people, teams, sign_in_as, q):
    sign_in_as("team_leader", team=teams["ours"])
    response = search(client, q)
    assert response.status_code == 200
    assert names_found(response) == ["Zoë Brown"]


def test_a_referral_reference_finds_its_person_with_or_without_the_hyphen(
    client, people, teams, sign_in_as
):
    sign_in_as("caseworker", team=teams["ours"])
    reference = people["zoe"].reference
    for q in (reference, reference.lower(), reference.replace("-", ""), f" {reference} "):
        assert names_found(search(client, q)) == ["Zoë Brown"], q


def test_a_case_reference_finds_its_person_and_links_the_case(
    app, client, people, teams, create_staff_record, sign_in_as
):
    leader = create_staff_record("team_leader", team=teams["ours"])
    case = open_by_team_leader(
        db.session,
        people["mary"].id,
        caseworker_id=teams["our_worker"].id,
        reason="Needs support",
        actor=leader,
        origin=Origin.command_line("test"),
        now=NOW,
    )
    sign_in(client, leader.email)
    for q in (case.reference, case.reference.lower(), case.reference.replace("-", "")):
        response = search(client, q)
        assert names_found(response) == ["Mary Jane Smith-Jones"], q
    html = response.get_data(as_text=True)
    assert f'href="/search/open/case/{case.id}"' in html
    assert f'href="/search/open/referral/{people["mary"].id}"' in html


@pytest.mark.parametrize(
    "q,found",
    [
        ("o'b", ["Siobhán O'Brien"]),
        ("O’Brien", ["Siobhán O'Brien"]),
        ("obrien", ["Siobhán O'Brien"]),
        ("brien", ["Siobhán O'Brien"]),
        ("o brien", ["Siobhán O'Brien"]),
        ("siobhan", ["Siobhán O'Brien"]),
        ("smith", ["Mary Jane Smith-Jones"]),
        ("jones", ["Mary Jane Smith-Jones"]),
        ("smith-jones", ["Mary Jane Smith-Jones"]),
        ("jane sm", ["Mary Jane Smith-Jones"]),
        ("rown", []),  # the start of a word, not its middle
        ("zoe smith", []),  # every word typed must match
    ],
)
def test_apostrophes_and_hyphens_in_names(client, people, teams, sign_in_as, q, found):
    sign_in_as("team_leader", team=teams["ours"])
    assert names_found(search(client, q)) == found


def test_a_person_with_several_words_starting_alike_is_found_once(client, teams, admin):
    create_referrals(
        police_csv(
            _row("LC-20261120-0011", "Ann Annabel", "Annan-Anders"),
            _row("LC-20261120-0012", "Annie", "Brown"),
            _row("LC-20261120-0013", "Ola", "Williams"),
            _row("LC-20261120-0014", "Will", "Williamson"),
        )
    )
    response = search(client, "ann")
    assert names_found(response) == ["Ann Annabel Annan-Anders", "Annie Brown"]
    assert caption(response) == "2 people match this name"
    # A rare short prefix with a common long one: found whichever drives.
    assert names_found(search(client, "ola will")) == ["Ola Williams"]
    # A word typed twice asks for one word of the name, not two.
    assert names_found(search(client, "will will")) == ["Ola Williams", "Will Williamson"]
    assert names_found(search(client, "ann and")) == ["Ann Annabel Annan-Anders"]


def test_a_phone_given_on_a_later_referral_finds_the_person(client, people, teams, sign_in_as):
    # Zoë again, same name, birth date and mobile: the same person; a new work number.
    create_referrals(
        police_csv(
            _row(
                "LC-20261121-0005",
                "Zoë",
                "Brown",
                date_of_birth="1985-03-12",
                mobile_phone="07700 900123",
                work_phone="0116 496 0777",
            )
        )
    )
    assert referral_by_crime("LC-20261121-0005").person_id == people["zoe"].id
    sign_in_as("caseworker", team=teams["ours"])
    assert names_found(search(client, "0116 496 0777")) == ["Zoë Brown"]
    response = search(client, "zoe brown")
    assert names_found(response) == ["Zoë Brown"]
    assert "1 person matches this name" in caption(response)


# --- only people the searcher may open --------------------------------------------------------


@pytest.mark.parametrize("role", ["caseworker", "team_leader"])
def test_another_teams_person_never_appears_and_does_not_change_the_count(
    client, people, teams, sign_in_as, role
):
    sign_in_as(role, team=teams["ours"])
    brown = search(client, "brown")
    assert names_found(brown) == ["Zoë Brown"]
    assert caption(brown) == "1 person matches this name"
    shared_phone = search(client, "0116 496 0123")  # Zoë's home phone, also theirs
    assert names_found(shared_phone) == ["Zoë Brown"]
    assert caption(shared_phone) == "1 person matches this phone number"
    assert names_found(search(client, "LE2 1HL")) == ["Zoë Brown"]
    for q in (
        "hidden",
        "hidden@example.org",
        "1990-07-01",
        "LC-20261120-0004",
        people["hidden"].reference,
    ):
        response = search(client, q)
        assert response.status_code == 200
        assert names_found(response) == [], q
        assert "No people match" in response.get_data(as_text=True)
        assert "Brown-Hidden" not in response.get_data(as_text=True)


def test_their_team_leader_sees_their_person_and_not_ours(client, people, teams, sign_in_as):
    sign_in_as("team_leader", team=teams["theirs"])
    # Zoë is unallocated, so every team may open her; Siobhán and Mary are ours.
    assert names_found(search(client, "brown")) == ["Zoë Brown", "Zoe Brown-Hidden"]
    assert names_found(search(client, "o'brien")) == []
    assert names_found(search(client, "smith")) == []


def test_a_caseworker_sees_only_unallocated_people_and_their_own(
    client, people, teams, create_staff_record
):
    colleague = create_staff_record("caseworker", team=teams["ours"])
    sign_in(client, colleague.email)
    # Siobhán and Mary are allocated to another caseworker, even of the same team.
    assert names_found(search(client, "o'brien")) == []
    assert names_found(search(client, "zoe")) == ["Zoë Brown"]


def test_an_admin_finds_everyone(client, people, admin):
    assert names_found(search(client, "brown")) == ["Zoë Brown", "Zoe Brown-Hidden"]
    assert caption(search(client, "0116 496 0123")) == "2 people match this phone number"


def test_merged_and_anonymised_people_are_never_found(client, people, teams, admin):
    zoe = db.session.get(Person, people["zoe"].id)
    hidden = db.session.get(Person, people["hidden"].id)
    merge = merge_people(db.session, zoe, hidden, actor=admin, origin=Origin(), now=NOW)
    db.session.commit()
    # The merged-away person is found as the person they were merged into, never on their own.
    assert names_found(search(client, "brown-hidden")) == []
    assert names_found(search(client, "hidden@example.org")) == ["Zoë Brown"]
    assert names_found(search(client, people["hidden"].reference)) == ["Zoë Brown"]
    assert names_found(search(client, "1990-07-01")) == []

    undo_merge(db.session, merge.id, actor=admin, origin=Origin(), now=NOW)
    assert names_found(search(client, "brown-hidden")) == ["Zoe Brown-Hidden"]

    siobhan = db.session.get(Person, people["siobhan"].id)
    siobhan.anonymised_at = NOW
    db.session.commit()
    for q in (
        "siobhan",
        "o'brien",
        people["siobhan"].reference,
        "LC-20261120-0002",
        "07700 900002",
    ):
        assert names_found(search(client, q)) == [], q


@pytest.mark.parametrize("role", ["hsb_advisor", "analyst"])
def test_a_search_by_hsb_advisors_or_analysts_is_refused(client, people, sign_in_as, role):
    sign_in_as(role)
    response = search(client, "zoe")
    assert response.status_code == 403
    assert "Zoë" not in response.get_data(as_text=True)
    assert client.get(f"/search/open/referral/{people['zoe'].id}").status_code == 403
    assert not audit_rows("search") and not audit_rows("search.open")


def test_nobody_signed_in_is_sent_to_sign_in(client, people):
    response = search(client, "zoe")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert not audit_rows("search")


# --- the audit trail ------------------------------------------------------------------------


def test_each_search_is_audited_with_its_kind_and_count_never_the_text(
    client, people, teams, sign_in_as
):
    leader = sign_in_as("team_leader", team=teams["ours"])
    typed = {
        "zoe br": "name",
        "07700 900123": "phone",
        "Zoe.Brown@Example.org": "email",
        "le2 1hl": "postcode",
        "12 March 1985": "birth_date",
        "LC-20261120-0001": "crime_reference",
        people["zoe"].reference: "referral_reference",
        "nobody": "name",
    }
    for q in typed:
        assert search(client, q).status_code == 200
    rows = audit_rows("search")
    assert [json.loads(r.detail)["kind"] for r in rows] == list(typed.values())
    assert [json.loads(r.detail)["count"] for r in rows] == [1, 1, 1, 1, 1, 1, 1, 0]
    assert {r.actor_id for r in rows} == {leader.id}
    assert all(r.at is not None and r.outcome == "ok" for r in rows)
    # Nothing typed is anywhere in the trail, in any column of any row. The
    # timestamps are left out: their microseconds can hold "1985" or "900123"
    # by chance, and no typed text can reach them.
    every_row = " ".join(
        repr(value)
        for row in db.session.execute(sa.select(AuditEvent.__table__)).all()
        for value in row
        if not isinstance(value, datetime)
    ).lower()
    for needle in (
        "zoe",
        "brown",
        "900123",
        "le2",
        "1985",
        "lc-2026",
        "nobody",
        people["zoe"].reference.lower(),
    ):
        assert needle not in every_row, needle


def test_opening_a_result_is_audited_as_opened_from_search(client, people, teams, sign_in_as):
    sign_in_as("team_leader", team=teams["ours"])
    html = search(client, "o'brien").get_data(as_text=True)
    siobhan = people["siobhan"]
    link = f"/search/open/referral/{siobhan.id}"
    assert f'href="{link}"' in html
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/referrals/{siobhan.id}")
    (opened,) = audit_rows("search.open")
    assert (opened.record_type, opened.record_id, opened.person_id) == (
        "referral",
        str(siobhan.id),
        siobhan.person_id,
    )
    assert json.loads(opened.detail) == {"from": "search"}
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize("path", ["referral/{hidden}", "referral/999999", "case/999999"])
def test_opening_a_record_one_may_not_see_is_the_same_404(client, people, teams, sign_in_as, path):
    sign_in_as("caseworker", team=teams["ours"])
    response = client.get("/search/open/" + path.format(hidden=people["hidden"].id))
    assert response.status_code == 404
    assert not audit_rows("search.open")
    assert audit_rows("access.denied")


# --- the request log ---------------------------------------------------------------------------


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_request_log_never_holds_what_was_searched_for(
    app, people, teams, create_staff_record, live_server, caplog
):
    leader = create_staff_record("team_leader", team=teams["ours"])
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    typed = ["Zoë Brown", "07700 900123", "zoe.brown@example.org", "12/03/1985"]
    with caplog.at_level(logging.DEBUG):
        # Before signing in: sent to sign in with ?next=/search?q=...
        _get(browser, f"{live_server}/search?q=" + urllib.parse.quote(typed[0]))
        login = _get(browser, f"{live_server}/login").read().decode()
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login).group(1)
        body = urllib.parse.urlencode(
            {"csrf_token": token, "email": leader.email, "password": PASSWORD}
        ).encode()
        _get(browser, f"{live_server}/login", data=body)
        for q in typed:
            page = _get(browser, f"{live_server}/search?q=" + urllib.parse.quote_plus(q))
            assert page.status == 200
            assert "Zoë Brown" in page.read().decode()
        # A request written by hand with raw spaces in its query (no browser sends one).
        host, port = live_server.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(b"GET /search?q=Zoe Brown HTTP/1.1\r\nHost: x\r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/search" in logged and "/login" in logged, "the request log was not captured"
    for q in [*typed, "Zoe Brown"]:
        for form in {q, urllib.parse.quote(q), urllib.parse.quote_plus(q), *q.split()}:
            assert form.lower() not in logged.lower(), form
    assert "q=" not in logged and "next=" not in logged


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(opener, url, data=None):
    try:
        return opener.open(urllib.request.Request(url, data=data), timeout=10)  # noqa: S310 (http://127.0.0.1 only)
    except urllib.error.HTTPError as response:  # a redirect not followed, or a refusal
        return response


# --- pages, empty states and bad input -------------------------------------------------------


@pytest.fixture
def many_patels(app):
    """25 people called Patel, each their own person (different birth dates and phones)."""
    forenames = [f"Person{chr(ord('a') + n)}" for n in range(25)]
    create_referrals(
        police_csv(
            *(
                _row(f"LC-20261120-0{100 + n}", forename, "Patel")
                for n, forename in enumerate(reversed(forenames))
            )
        )
    )
    return forenames


def test_results_come_twenty_a_page_in_name_order(client, many_patels, admin):
    first = search(client, "patel")
    assert caption(first) == "25 people match this name"
    assert names_found(first) == [f"{f} Patel" for f in many_patels[:20]]
    html = first.get_data(as_text=True)
    assert 'aria-label="Page 2"' in html and "page=2" in html and "q=patel" in html
    second = search(client, "patel", page=2)
    assert names_found(second) == [f"{f} Patel" for f in many_patels[20:]]
    past_the_end = search(client, "patel", page=9)
    assert past_the_end.status_code == 200 and names_found(past_the_end) == []
    assert "There are no more results" in past_the_end.get_data(as_text=True)
    assert search(client, "patel", page="x").status_code == 200


def test_past_the_count_cap_the_page_says_so(client, many_patels, admin, monkeypatch):
    import app.search.routes as routes
    import casework.people.search as service

    monkeypatch.setattr(service, "COUNT_CAP", 10)
    monkeypatch.setattr(routes, "COUNT_CAP", 10)
    response = search(client, "pat")
    assert caption(response) == "More than 10 people match this name"
    assert len(names_found(response)) == 10
    assert "Only the first 10 people found are listed" in response.get_data(as_text=True)
    assert json.loads(audit_rows("search")[-1].detail)["more"] is True


def test_no_match_shows_an_empty_state(client, people, admin):
    response = search(client, "nobody")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No people match this name" in html and "<table" not in html


def test_the_search_page_without_a_query_shows_the_box(client, admin):
    response = client.get("/search")
    assert response.status_code == 200
    assert 'id="search-q"' in response.get_data(as_text=True)
    assert not audit_rows("search")


@pytest.mark.parametrize(
    "q,message",
    [
        ("", "Enter a name, a reference, a phone number"),
        ("   ", "Enter a name, a reference, a phone number"),
        ("x" * 201, "Search for at most 200 characters"),
        ("x" * 100_000, "Search for at most 200 characters"),
        ("Zoe\x01", "cannot be searched for"),
        ("Zoe\x1b[2J", "cannot be searched for"),
        ("31/02/1985", "not a real date"),
        ("a@b", "Enter the whole email address"),
    ],
)
def test_a_query_that_cannot_be_searched_is_refused_clearly(client, people, admin, q, message):
    response = search(client, q)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert "x" * 201 not in html
    assert not audit_rows("search")


@pytest.mark.parametrize(
    "raw", ["q=Zo%00e", "q=%FF%FE", "q=\xff\xfe", "q=%ED%A0%80", "q=Zoe&q=%00", "q=%C3%28"]
)
def test_nul_and_bytes_that_are_not_utf8_never_cause_an_error(client, people, admin, raw):
    response = client.get("/search", environ_overrides={"QUERY_STRING": raw})
    assert response.status_code in (200, 400)
    assert "Zoë" not in response.get_data(as_text=True) or response.status_code == 200


def test_the_header_has_a_search_box_for_staff_who_may_search(client, sign_in_as):
    sign_in_as("caseworker")
    assert 'id="header-search-q"' in client.get("/account").get_data(as_text=True)
    # but not on the search page, whose own box holds what was typed
    page = client.get("/search?q=zoe").get_data(as_text=True)
    assert 'id="header-search-q"' not in page and 'value="zoe"' in page


@pytest.mark.parametrize("role", ["hsb_advisor", "analyst"])
def test_the_header_has_no_search_box_for_other_roles(client, sign_in_as, role):
    sign_in_as(role)
    assert 'id="header-search-q"' not in client.get("/account").get_data(as_text=True)


def test_the_header_has_no_search_box_before_sign_in(client):
    assert "header-search-q" not in client.get("/login").get_data(as_text=True)


# --- the index of name words stays in step -------------------------------------------------


def words_of(person_id: int) -> set[str]:
    db.session.rollback()
    return set(
        db.session.scalars(
            sa.select(PersonNameWord.word).where(PersonNameWord.person_id == person_id)
        )
    )


def test_name_words_follow_the_person(app, people, admin):
    zoe_id = people["zoe"].id
    assert words_of(zoe_id) == {"zoe", "brown"}
    assert words_of(people["siobhan"].id) == {"siobhan", "obrien", "brien"}

    zoe = db.session.get(Person, zoe_id)
    zoe.forename, zoe.surname = "Zoë Ann", "Green"
    db.session.commit()
    assert words_of(zoe_id) == {"zoe", "ann", "green"}

    hidden = db.session.get(Person, people["hidden"].id)
    merge = merge_people(
        db.session, db.session.get(Person, zoe_id), hidden, actor=admin, origin=Origin(), now=NOW
    )
    db.session.commit()
    assert words_of(people["hidden"].id) == set()
    undo_merge(db.session, merge.id, actor=admin, origin=Origin(), now=NOW)
    assert words_of(people["hidden"].id) == {"zoe", "brownhidden", "hidden"}

    zoe = db.session.get(Person, zoe_id)
    zoe.anonymised_at = NOW
    db.session.commit()
    assert words_of(zoe_id) == set()


def test_retention_marks_the_person_anonymised_and_forgets_their_name_words(app, client, admin):
    from casework.people.retention import anonymise_expired

    create_referrals(police_csv(_row("LC-20261120-0001", "Old", "Case")))
    referral = referral_by_crime("LC-20261120-0001")
    referral.status, referral.updated_at = "closed", NOW
    db.session.commit()
    assert words_of(referral.person_id) == {"old", "case"}
    assert names_found(search(client, "old case")) == ["Old Case"]
    assert anonymise_expired(db.session, now=NOW.replace(year=2033), years=6) == 1
    assert words_of(referral.person_id) == set()
    assert db.session.get(Person, referral.person_id).anonymised_at is not None
    for q in ("old case", "07700 900001", "LE1 1AA", referral.reference):
        assert names_found(search(client, q)) == [], q


def test_every_imported_person_has_exactly_their_name_words(app, people):
    db.session.rollback()
    stored = {}
    for person_id, word in db.session.execute(
        sa.select(PersonNameWord.person_id, PersonNameWord.word)
    ):
        stored.setdefault(person_id, set()).add(word)
    expected = {
        p.id: set(name_words(p.forename, p.surname)) for p in db.session.scalars(sa.select(Person))
    }
    assert stored == expected


def test_a_person_without_a_case_is_said_to_have_none_in_words(client, people, teams, sign_in_as):
    sign_in_as("team_leader", team=teams["ours"])
    page = search(client, "zoe").get_data(as_text=True)
    row = page[page.index("Zoë Brown") : page.index("</tr>", page.index("Zoë Brown"))]
    assert "No case" in row and ">None<" not in row
