"""Benchmark: the triage queue's first page with 200,000 open referrals (SQLite).

Server time, median and p95 over 200 requests, against a bare Flask route returning a
constant in the same process. Target: p95 under 100 ms and no more than 10x the bare route.
Run: .venv/bin/python -m bench.queue_page [REFERRALS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import fresh_app, median, percentile, report

REQUESTS = 200


def timed(client, path: str) -> list[float]:
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return samples


def main(count: int = 200_000) -> bool:
    from casework.audit import Origin
    from casework.db import db
    from casework.demo.generator import police_csv
    from casework.referrals.police_import import import_police_download
    from casework.staff.accounts import StaffDetails, create_staff
    from scheduling.service_calendars import victim_calendar

    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-queue-"))
    app = fresh_app(folder / "waypoint.db")
    app.add_url_rule("/bench-constant", "bench_constant", lambda: "ok")
    received = datetime.now(UTC).replace(microsecond=0)
    password = "benchmark password 1"  # noqa: S105 (a throwaway local account)
    with app.app_context():
        # Generated in batches so a 200,000-referral queue fits comfortably in memory.
        for batch in range(0, count, 50_000):
            size = min(50_000, count - batch)
            import_police_download(
                db.session,
                police_csv(size, received_on=received.date(), seed=batch)
                .encode()
                .replace(b"DECLINE", b"ACCEPT")
                .replace(b"LC-", f"B{batch}-".encode()),
                filename=f"bench-{batch}.csv",
                received_at=received,
                calendar=victim_calendar(app.config),
                origin=Origin.command_line("bench"),
                now=received,
            )
        create_staff(
            db.session,
            StaffDetails(email="lead@bench.test", name="Lead", role="team_leader"),
            password=password,
            actor=None,
            origin=Origin(),
            now=received,
        )
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"csrf_token": token, "email": "lead@bench.test", "password": password}
    )
    first = client.get("/queue").get_data(as_text=True)
    assert "open referral" in first and "Tara" not in first, "queue page did not render"

    timed(client, "/bench-constant")  # warm up both
    bare = timed(client, "/bench-constant")
    queue = timed(client, "/queue")
    p95 = percentile(queue, 0.95)
    ratio = percentile(queue, 0.95) / percentile(bare, 0.95)
    return report(
        f"triage queue first page, {count:,} open referrals, {REQUESTS} requests",
        {
            "queue median": f"{median(queue) * 1000:.1f} ms",
            "queue p95": f"{p95 * 1000:.1f} ms (target under 100 ms)",
            "bare route median": f"{median(bare) * 1000:.2f} ms",
            "bare route p95": f"{percentile(bare, 0.95) * 1000:.2f} ms",
        },
        ratio,
        10,
        extra_ok=p95 < 0.1,
    )


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000) else 1)
