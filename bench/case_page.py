"""Benchmark: a case with 2,000 timeline events, its summary page and its timeline's first page
(SQLite).

Server time, median and p95 over 200 requests of each, taken in turn with a bare Flask route
returning a constant in the same process. Target: each p95 at most 15x the bare route's. The
audit trail also holds 100,000 events about other records, so the timeline is found by index.
Run: .venv/bin/python -m bench.case_page [EVENTS]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import fresh_app, median, percentile, report

REQUESTS = 200
BACKGROUND = 100_000
LIMIT = 15


def timed(client, paths: list[str]) -> dict[str, list[float]]:
    """Server time of each path, REQUESTS times, taken in turn (one of each per round), so a
    moment of load elsewhere on the machine falls on all of them alike."""
    samples = {path: [] for path in paths}
    for _ in range(REQUESTS):
        for path in paths:
            start = time.perf_counter()
            response = client.get(path)
            samples[path].append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
    return samples


def _seed(app, events: int, password: str) -> int:
    """Two referrals of one person in a case, ``events`` audit events on them, and a
    background of other records' events; returns the case id."""
    from casework.audit import AuditEvent, Origin
    from casework.bulk import Same, bulk_insert
    from casework.cases.opening import open_by_team_leader
    from casework.db import db
    from casework.demo.generator import police_csv
    from casework.referrals.models import Referral
    from casework.referrals.police_import import import_police_download
    from casework.staff.accounts import StaffDetails, create_staff, create_team
    from scheduling.service_calendars import victim_calendar

    origin = Origin.command_line("bench")
    received = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    with app.app_context():
        team = create_team(
            db.session, name="Bench team", service="victim", actor=None, origin=origin, now=received
        )
        staff = {}
        for role in ("team_leader", "caseworker"):
            staff[role] = create_staff(
                db.session,
                StaffDetails(
                    email=f"{role}@bench.test", name=role.title(), role=role, team_id=team.id
                ),
                password=password,
                actor=None,
                origin=origin,
                now=received,
            )
        import_police_download(
            db.session,
            police_csv(200, received_on=received.date(), seed=7)
            .encode()
            .replace(b"DECLINE", b"ACCEPT"),
            filename="bench.csv",
            received_at=received,
            calendar=victim_calendar(app.config),
            origin=origin,
            now=received,
        )
        referral = db.session.scalars(db.select(Referral).order_by(Referral.id)).first()
        case = open_by_team_leader(
            db.session,
            referral.id,
            caseworker_id=staff["caseworker"].id,
            reason="Benchmark",
            actor=staff["team_leader"],
            origin=origin,
            now=received,
        )
        others = db.session.scalars(db.select(Referral.id).where(Referral.id != referral.id)).all()
        worker = staff["caseworker"]

        def rows(count, record_type, record_ids, person_ids, start):
            bulk_insert(
                db.session,
                AuditEvent.__table__,
                {
                    "at": [start + timedelta(seconds=n) for n in range(count)],
                    "actor_id": Same(worker.id),
                    "actor_email": Same(worker.email),
                    "action": [
                        ("contact.attempt", "referral.view", "contact.key_date")[n % 3]
                        for n in range(count)
                    ],
                    "outcome": Same("ok"),
                    "record_type": Same(record_type)
                    if isinstance(record_type, str)
                    else record_type,
                    "record_id": record_ids,
                    "person_id": person_ids,
                    "ip": Same(None),
                    "user_agent": Same("bench"),
                    "detail": Same(json.dumps({"channel": "telephone", "outcome": "no_answer"})),
                },
            )

        # The case's own events: half on the case, half on its referral.
        rows(
            events,
            ["case" if n % 2 else "referral" for n in range(events)],
            [str(case.id if n % 2 else referral.id) for n in range(events)],
            [case.person_id] * events,
            received,
        )
        # Everyone else's.
        rows(
            BACKGROUND,
            "referral",
            [str(others[n % len(others)]) for n in range(BACKGROUND)],
            [others[n % len(others)] for n in range(BACKGROUND)],
            received,
        )
        db.session.commit()
        return case.id


def main(events: int = 2_000) -> bool:
    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-case-"))
    app = fresh_app(folder / "waypoint.db")
    app.add_url_rule("/bench-constant", "bench_constant", lambda: "ok")
    password = "benchmark password 1"  # noqa: S105 (a throwaway local account)
    case_id = _seed(app, events, password)

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"csrf_token": token, "email": "caseworker@bench.test", "password": password}
    )
    summary, timeline = f"/cases/{case_id}", f"/cases/{case_id}/timeline"
    assert "Why this priority" in client.get(summary).get_data(as_text=True)
    first = client.get(timeline).get_data(as_text=True)
    assert "newest first (page 1 of" in first, "timeline did not render"
    # For reference, not held to the target: the referral page, which audits its view the
    # same way (one durable commit a request, PRAGMA synchronous=FULL).
    with app.app_context():
        from casework.db import db
        from casework.referrals.models import Referral

        referral = db.session.scalar(db.select(Referral.id).where(Referral.case_id == case_id))
    reference = f"/referrals/{referral}"

    paths = ["/bench-constant", summary, timeline, reference]
    timed(client, paths)  # warm up
    found = timed(client, paths)
    bare, case_page, timeline_page, referral_page = (found[path] for path in paths)
    bare50, bare95 = median(bare), percentile(bare, 0.95)
    ok = True
    for name, samples in (("case page", case_page), ("timeline, first page", timeline_page)):
        p95 = percentile(samples, 0.95)
        ok &= report(
            f"{name}, a case with {events:,} timeline events, {REQUESTS} requests",
            {
                f"{name} median": f"{median(samples) * 1000:.2f} ms "
                f"({median(samples) / bare50:.1f}x the bare route's median)",
                f"{name} p95": f"{p95 * 1000:.2f} ms",
                "bare route median": f"{bare50 * 1000:.2f} ms",
                "bare route p95": f"{bare95 * 1000:.2f} ms",
                "for reference, the referral page": f"median {median(referral_page) * 1000:.2f} "
                f"ms, p95 {percentile(referral_page, 0.95) * 1000:.2f} ms",
            },
            p95 / bare95,
            LIMIT,
        )
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000) else 1)
