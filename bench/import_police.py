"""Benchmark: import a 100,000-row police download into a fresh SQLite database.

Baseline, measured in the same run: the same rows inserted with plain sqlite3 executemany in
one transaction. Target: at least 10,000 rows/s and no more than 10x the baseline's time.
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


STORED_TABLES = (
    "import_batch",
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


def main(count: int = 100_000) -> bool:
    from casework.audit import Origin
    from casework.db import db
    from casework.demo import police_csv
    from casework.police_import import import_police_download
    from scheduling.calendars import victim_calendar

    received = datetime(2026, 11, 20, 7, tzinfo=UTC)
    data = police_csv(count, received_on=received.date())
    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-import-"))
    base = baseline(data, folder)
    app = fresh_app(folder / "waypoint.db")
    with app.app_context():
        start = time.perf_counter()
        result = import_police_download(
            db.session,
            data.encode(),
            filename="bench.csv",
            received_at=received,
            calendar=victim_calendar(app.config),
            origin=Origin.command_line("bench"),
            now=received,
        )
        elapsed = time.perf_counter() - start
        db.session.remove()
        db.engine.dispose()
    floor, stored_rows = storage_floor(folder / "waypoint.db", folder)
    rate = count / elapsed
    return report(
        f"police import, {count:,} rows into fresh SQLite",
        {
            "imported": f"{result.imported:,} (rejected {result.rejected:,}, declined rows)",
            "time": f"{elapsed:.2f} s",
            "rows per second": f"{rate:,.0f} (target at least 10,000)",
            "baseline (sqlite3 executemany)": f"{base:.2f} s",
            "storage floor (the rows stored, prebuilt, executemany)": (
                f"{floor:.2f} s for {stored_rows:,} rows = {floor / base:.1f}x baseline"
            ),
        },
        elapsed / base,
        10,
        extra_ok=rate >= 10_000,
    )


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000) else 1)
