"""Benchmark: import a 100,000-row police download into a fresh SQLite database.

The download comes from the realistic generator (casework.demo.generator.police_rows): a
third repeat victims, two people to a household landline, 2% a common name with a placeholder
birth date, one hostel phone on 5,000 rows.

Baselines, measured in the same run: the storage floor (exactly the rows the import stored,
prebuilt, written with plain sqlite3 executemany into Waypoint's own schema) and, for
reference, the raw CSV rows inserted into one plain table. Targets: at least 10,000 rows/s;
at most 3x the storage floor; and growth: four times the rows (10,000 then 40,000) in at most
5x the time, so matching stays linear.
Run: .venv/bin/python -m bench.import_police [ROWS]
"""

from __future__ import annotations

import csv
import io
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import fresh_app, report


def baseline(data: str, folder: Path) -> float:
    rows = list(csv.reader(io.StringIO(data)))
    header, body = rows[0], rows[1:]
    conn = sqlite3.connect(folder / "baseline.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE download (id INTEGER PRIMARY KEY, {', '.join(header)})")
    marks = ", ".join("?" for _ in header)
    start = time.perf_counter()
    with conn:
        conn.executemany(f"INSERT INTO download ({', '.join(header)}) VALUES ({marks})", body)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


STORED_TABLES = (  # in an order the foreign keys accept
    "import_batch",
    "person",
    "person_name_word",
    "referral",
    "obligation",
    "match_key",
    "possible_match",
    "audit_event",
)


def storage_floor(imported: Path, folder: Path) -> tuple[float, int]:
    """Seconds to write exactly the rows the import stored, already built, with plain sqlite3
    executemany into a fresh database with Waypoint's schema, in one durable transaction.

    No import can be faster than this, whatever its Python does; printed so that the ratio
    to the baseline can be read against what the schema alone costs.
    """
    target = folder / "floor.db"
    fresh_app(target)
    source = sqlite3.connect(imported)
    rows = {table: source.execute(f"SELECT * FROM {table}").fetchall() for table in STORED_TABLES}
    source.close()
    conn = sqlite3.connect(target)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL", "cache_size=-65536"):
        conn.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    with conn:
        for table, values in rows.items():
            if values:
                marks = ", ".join("?" for _ in values[0])
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, sum(len(values) for values in rows.values())


def timed_import(count: int, folder: Path) -> tuple[float, object, Path]:
    """Seconds to import ``count`` generated rows into a fresh database in ``folder``."""
    from casework.audit import Origin
    from casework.db import db
    from casework.demo.generator import police_csv
    from casework.referrals.police_import import import_police_download
    from scheduling.service_calendars import victim_calendar

    received = datetime(2026, 11, 20, 7, tzinfo=UTC)
    data = police_csv(count, received_on=received.date()).encode()
    path = folder / f"waypoint-{count}.db"
    app = fresh_app(path)
    with app.app_context():
        start = time.perf_counter()
        result = import_police_download(
            db.session,
            data,
            filename="bench.csv",
            received_at=received,
            calendar=victim_calendar(app.config),
            origin=Origin.command_line("bench"),
            now=received,
            match_key_limit=app.config["MATCH_KEY_LIMIT"],
        )
        elapsed = time.perf_counter() - start
        db.session.remove()
        db.engine.dispose()
    return elapsed, result, path


def main(count: int = 100_000) -> bool:
    from casework.demo.generator import police_csv

    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-import-"))
    received = datetime(2026, 11, 20, 7, tzinfo=UTC)
    base = baseline(police_csv(count, received_on=received.date()), folder)
    elapsed, result, path = timed_import(count, folder)
    floor, stored_rows = storage_floor(path, folder)
    small, _, _ = timed_import(10_000, folder)
    large, _, _ = timed_import(40_000, folder)
    rate = count / elapsed
    growth = large / small
    return report(
        f"police import, {count:,} realistic rows into fresh SQLite",
        {
            "imported": f"{result.imported:,} (rejected {result.rejected:,}, declined rows)",
            "time": f"{elapsed:.2f} s",
            "rows per second": f"{rate:,.0f} (target at least 10,000)",
            "storage floor (the rows stored, prebuilt, executemany)": (
                f"{floor:.2f} s for {stored_rows:,} rows = {stored_rows / count:.1f} per input row"
            ),
            "most rows per second this machine's storage allows (floor alone)": (
                f"{count / floor:,.0f}"
            ),
            "raw CSV rows into one plain table (executemany)": (
                f"{base:.2f} s; import is {elapsed / base:.0f}x that"
            ),
            "growth: 10,000 then 40,000 rows": (
                f"{small:.2f} s, {large:.2f} s = {growth:.2f}x (target at most 5x)"
            ),
        },
        elapsed / floor,
        3,
        extra_ok=rate >= 10_000 and growth <= 5,
    )


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000) else 1)
