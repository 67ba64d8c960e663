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
    plans = {}

    def explain(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("SELECT", "UPDATE", "DELETE") and not executemany:
            raw = conn.connection.dbapi_connection
            plans[statement] = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()

    sa.event.listen(db.engine, "before_cursor_execute", explain)
    try:
        # The first run finds work; the second is the idle sweep that runs every minute.
        run_once(app, NOW)
        run_once(app, NOW)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", explain)
    assert any("obligation" in statement for statement in plans)
    scans = {s: _scans(plan) for s, plan in plans.items() if _scans(plan)}
    assert not scans, "\n\n".join(f"{s}\n  -> {found}" for s, found in scans.items())
