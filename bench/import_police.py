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
    rate = count / elapsed
    return report(
        f"police import, {count:,} rows into fresh SQLite",
        {
            "imported": f"{result.imported:,} (rejected {result.rejected:,}, declined rows)",
            "time": f"{elapsed:.2f} s",
            "rows per second": f"{rate:,.0f} (target at least 10,000)",
            "baseline (sqlite3 executemany)": f"{base:.2f} s",
        },
        elapsed / base,
        10,
        extra_ok=rate >= 10_000,
    )


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000) else 1)
