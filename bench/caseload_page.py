"""Benchmark: the caseload page's first page for caseworkers holding 50, 500 and 2,000 lines (a
third of them cases, the rest referrals, with calls recorded), among 2,000 other referrals held
by colleagues (SQLite).

Server time, median and p95 over 100 requests of each, taken in turn with a bare Flask route
returning a constant in the same process. Target: each p95 at most 15x the bare route's. The page
reads a constant number of queries whatever the caseload's size (tests/integration/
test_caseloads.py checks that); ordering by next deadline reads each of the worker's lines once,
so the figures also show how that grows from 50 to 2,000 lines.
Run: .venv/bin/python -m bench.caseload_page
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import fresh_app, median, percentile, report

REQUESTS = 100
SIZES = (50, 500, 2_000)
BACKGROUND = 2_000
LIMIT = 15


def timed(clients: dict, paths: dict[str, str]) -> dict[str, list[float]]:
    """Server time of each (client, path), REQUESTS times, taken in turn."""
    samples = {name: [] for name in paths}
    for _ in range(REQUESTS):
        for name, path in paths.items():
            start = time.perf_counter()
            response = clients[name].get(path)
            samples[name].append(time.perf_counter() - start)
            assert response.status_code == 200, (name, response.status_code)
    return samples


def _seed(app, password: str) -> None:
    """One team: a leader, a caseworker per size holding that many lines, and a colleague
    holding the background; two failed calls on every other referral."""
    import sqlalchemy as sa

    from casework.audit import Origin
    from casework.bulk import Same, bulk_insert
    from casework.cases.opening import open_by_team_leader
    from casework.contact.models import ContactAttempt
    from casework.db import db
    from casework.demo.generator import police_csv
    from casework.errors import ValidationError
    from casework.referrals.models import Referral
    from casework.referrals.police_import import import_police_download
    from casework.staff.accounts import StaffDetails, create_staff, create_team
    from scheduling.service_calendars import victim_calendar

    origin = Origin.command_line("bench")
    received = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    with app.app_context():
        team = create_team(
            db.session, name="Bench team", service="victim", actor=None, origin=origin, now=received
        )

        def staff(email, role):
            return create_staff(
                db.session,
                StaffDetails(email=email, name=email.split("@")[0], role=role, team_id=team.id),
                password=password,
                actor=None,
                origin=origin,
                now=received,
            )

        leader = staff("leader@bench.test", "team_leader")
        workers = [staff(f"worker{size}@bench.test", "caseworker") for size in SIZES]
        colleague = staff("colleague@bench.test", "caseworker")
        total = sum(SIZES) + BACKGROUND
        import_police_download(
            db.session,
            police_csv(int(total * 1.3), received_on=received.date(), seed=11)
            .encode()
            .replace(b"DECLINE", b"ACCEPT"),
            filename="bench.csv",
            received_at=received,
            calendar=victim_calendar(app.config),
            origin=origin,
            now=received,
        )
        ids = db.session.scalars(
            sa.select(Referral.id).where(Referral.status == "open").order_by(Referral.id)
        ).all()
        start = 0
        for worker, size in (*zip(workers, SIZES, strict=True), (colleague, BACKGROUND)):
            mine = ids[start : start + size]
            start += size
            db.session.execute(
                sa.update(Referral).where(Referral.id.in_(mine)).values(allocated_to_id=worker.id)
            )
            db.session.commit()
            calls = mine[::2]
            bulk_insert(
                db.session,
                ContactAttempt.__table__,
                {
                    "referral_id": [r for r in calls for _ in range(2)],
                    "channel": Same("telephone"),
                    "mode": Same("telephone"),
                    "outcome": Same("no_answer"),
                    "attempted_at": [
                        received + timedelta(hours=3 * n) for _ in calls for n in (1, 2)
                    ],
                    "notes": Same(None),
                    "recorded_by_id": Same(worker.id),
                    "created_at": Same(received),
                },
            )
            db.session.commit()
            for referral_id in mine[::3]:
                try:
                    open_by_team_leader(
                        db.session,
                        referral_id,
                        caseworker_id=worker.id,
                        reason="Benchmark",
                        actor=leader,
                        origin=origin,
                        now=received,
                    )
                except ValidationError:  # the same person twice: one open case each
                    db.session.rollback()


def _client(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    return client


def main() -> bool:
    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-caseload-"))
    app = fresh_app(folder / "waypoint.db")
    app.add_url_rule("/bench-constant", "bench_constant", lambda: "ok")
    password = "benchmark password 1"  # noqa: S105 (a throwaway local account)
    _seed(app, password)
    clients = {"bare": _client(app, "leader@bench.test", password)}
    paths = {"bare": "/bench-constant"}
    for size in SIZES:
        clients[size] = _client(app, f"worker{size}@bench.test", password)
        paths[size] = "/caseload"
        html = clients[size].get("/caseload").get_data(as_text=True)
        assert "lines, overdue first" in html, f"caseload of {size} did not render"
    timed(clients, paths)  # warm up
    found = timed(clients, paths)
    bare = found["bare"]
    bare50, bare95 = median(bare), percentile(bare, 0.95)
    ok = True
    for size in SIZES:
        samples = found[size]
        p95 = percentile(samples, 0.95)
        growth = median(samples) / median(found[SIZES[0]])
        ok &= report(
            f"caseload page, first page of {size:,} lines, {REQUESTS} requests",
            {
                "median": f"{median(samples) * 1000:.2f} ms "
                f"({median(samples) / bare50:.1f}x the bare route's median)",
                "p95": f"{p95 * 1000:.2f} ms",
                "bare route median": f"{bare50 * 1000:.2f} ms",
                "bare route p95": f"{bare95 * 1000:.2f} ms",
                f"growth from {SIZES[0]} lines (median)": f"{growth:.2f}x",
            },
            p95 / bare95,
            LIMIT,
        )
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
