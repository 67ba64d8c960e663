"""SQLite's query plans of what a piece of code runs, for the tests that check it seeks by
index rather than reading a table that grows with the service."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from casework.db import db


@contextmanager
def sqlite_plans(verbs: tuple[str, ...] = ("SELECT",)):
    """Yields a dict, filled as statements run inside the block: each statement whose verb is
    one of ``verbs`` (run once, not executemany) to SQLite's plan rows for it."""
    plans: dict[str, list] = {}

    def explain(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in verbs and not executemany:
            raw = conn.connection.dbapi_connection
            plans[statement] = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()

    sa.event.listen(db.engine, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", explain)
