"""Every scheduler sweep finds what is due by an index, never by reading a whole table.

The sweeps run every minute over every obligation and message the service has ever had; a
query that scans one of those tables costs the same whether anything is due or not.
"""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casework.db import db
from scheduling.worker import run_once
from tests.police import import_rows, police_row
from tests.query_plans import sqlite_plans

# Tables that grow with every referral: a sweep may seek in them, never scan them.
GROWING = (
    "referral",
    "obligation",
    "outbound_message",
    "match_key",
    "possible_match",
    "audit_event",
    "contact_attempt",
    "key_date",
    "staff_session",
    "import_job",
)
RECEIVED = datetime(2026, 11, 20, 7, tzinfo=UTC)
# A Monday inside service hours, so every sweep (reminders too) runs its queries.
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
def app_overrides(messaging):
    return messaging


def _scans(plan_rows) -> list[str]:
    """The plan steps that read a growing table from end to end, or every obligation with a
    given status (every open one): both grow with the service, not with what is due.

    (Reading the queued messages by status is allowed: they are the outbox being sent.)
    """
    found = []
    for *_ids, detail in plan_rows:
        words = detail.split()
        if len(words) < 2 or words[1] not in GROWING:
            continue
        if words[0] == "SCAN" or (words[1] == "obligation" and detail.endswith("(status=?)")):
            found.append(detail)
    return found


def test_every_sweep_query_seeks_by_index(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plans")
    rows = [
        police_row(crime_reference=f"LC-{i}", contact_method=method)
        for i, method in enumerate(("MOBILE_PHONE", "EMAIL", "POST", "IN_PERSON", "SMS"))
    ]
    import_rows(app, *rows, received=RECEIVED)
    with sqlite_plans(("SELECT", "UPDATE", "DELETE")) as plans:
        # The first run finds work; the second is the idle sweep that runs every minute.
        run_once(app, NOW)
        run_once(app, NOW)
    assert any("obligation" in statement for statement in plans)
    scans = {s: _scans(plan) for s, plan in plans.items() if _scans(plan)}
    assert not scans, "\n\n".join(f"{s}\n  -> {found}" for s, found in scans.items())


def test_asking_which_people_show_domestic_abuse_reads_only_their_flagged_referrals(app):
    """The message sweep asks this of hundreds of people at once, and a repeat victim may have
    hundreds of referrals: it reads the partial index of referrals that may show domestic
    abuse, not every referral each person has (on the engine the suite runs on; CI runs
    both)."""
    from casework.cases.records import people_flagged_domestic_abuse
    from casework.referrals.models import Referral

    rows = [
        police_row(
            crime_reference=f"LC-{i}",
            forename=name,
            mobile_phone=f"07700 90010{i}",
            flags="DOMESTIC_ABUSE" if name == "Cara" else "",
        )
        for i, name in enumerate(("Alex", "Bea", "Cara", "Dev"))
    ]
    import_rows(app, *rows, received=RECEIVED)
    person_ids = db.session.scalars(sa.select(Referral.person_id).order_by(Referral.id)).all()
    plans = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        if "person_id IN" in statement:
            explain = "EXPLAIN QUERY PLAN" if conn.dialect.name == "sqlite" else "EXPLAIN"
            plans.append(
                " ".join(
                    str(row[-1])
                    for row in conn.connection.dbapi_connection.execute(
                        f"{explain} {statement}", parameters
                    )
                )
            )

    if db.engine.dialect.name == "postgresql":
        # A handful of rows: let the planner show whether it can use the index at all.
        db.session.execute(sa.text("SET enable_seqscan = off"))
    sa.event.listen(db.engine, "before_cursor_execute", explain)
    try:
        flagged = people_flagged_domestic_abuse(db.session, person_ids)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", explain)
        db.session.rollback()
    assert len(set(person_ids)) == 4 and flagged == {person_ids[2]}
    assert plans and all("ix_referral_domestic_abuse" in plan for plan in plans), plans
