"""Every search seeks by index, never reads a whole table of people, words or referrals: a
name prefix is a range of ``person_name_word``'s key, a phone a lookup of the person's indexed
columns and the matching keys (SQLite's plans; PostgreSQL's with sequential scans priced out)."""

from __future__ import annotations

import pytest

from casework.db import db
from casework.people.search import _parameters, _people_statement, _viewer
from casework.people.search_terms import parse_query
from tests.factories import create_referrals
from tests.police import police_csv, police_row
from tests.query_plans import sqlite_plans

# Tables that grow with the service: a search may seek in them, never scan them.
GROWING = (
    "person",
    "person_name_word",
    "referral",
    "match_key",
    "support_case",
    "audit_event",
    "staff_session",
)
QUERIES = [
    "moh kha",
    "zoe",
    "a b c",
    "07700 900123",
    "zoe@example.org",
    "LE2 1HL",
    "12/03/1985",
    "WP-ABCD2345",
    "WC-ABCD2345",
    "LC-20261120-0001",
]


def _scans(plan_rows) -> list[str]:
    found = []
    for *_ids, detail in plan_rows:
        words = detail.split()
        if len(words) >= 2 and words[0] == "SCAN" and words[1] in GROWING:
            found.append(detail)
    return found


@pytest.mark.parametrize("role", ["caseworker", "team_leader", "admin"])
def test_every_search_seeks_by_index_on_sqlite(app, client, sign_in_as, role):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plans")
    create_referrals(police_csv(police_row(crime_reference="LC-20261120-0001", forename="Zoë")))
    sign_in_as(role)
    with sqlite_plans() as plans:
        for q in QUERIES:
            assert client.get("/search", query_string={"q": q}).status_code == 200
    assert any("person_name_word" in statement for statement in plans)
    scans = {s: _scans(plan) for s, plan in plans.items() if _scans(plan)}
    assert not scans, "\n\n".join(f"{s}\n  -> {found}" for s, found in scans.items())


@pytest.mark.parametrize("q", ["moh kha", "07700 900123", "WP-ABCD2345", "12/03/1985"])
def test_a_search_can_seek_by_index_on_postgresql(app, create_staff_record, q):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("reads PostgreSQL's query plans")
    leader = create_staff_record("team_leader")
    query = parse_query(q)
    statement = _people_statement(_viewer(leader), query.kind, len(query.prefixes))
    sql = statement.params(_parameters(query)).compile(
        db.engine, compile_kwargs={"literal_binds": True}
    )
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}"))
    # With sequential scans priced out, a plan that still reads a whole table has no index it
    # can use for this query.
    assert "Seq Scan" not in plan, plan
    if query.kind == "name":
        assert "pk_person_name_word" in plan and ">=" in plan, plan
