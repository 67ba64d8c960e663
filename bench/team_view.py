"""Benchmark: the team leader's team view (/team) for a team of 20 caseworkers holding 400, 800
and 1,600 open cases, each case with a support plan of 10 actions (to do, in progress, done, no
longer needed; some overdue), a plan review obligation, and a plan for reducing support on a
third of them; among closed cases of the same team and another team as large (SQLite).

Server time, median and p95 over 100 requests of each, taken in turn with a bare Flask route
returning a constant in the same process. Target: the p95 at most 15x the bare route's. The view
reads a constant number of grouped queries whatever the team's size (tests/integration/
test_support_plans.py checks that); the figures show how their cost grows with the cases.
Run: .venv/bin/python -m bench.team_view
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import fresh_app, median, percentile, report

REQUESTS = 100
SIZES = (400, 800, 1_600)
WORKERS = 20
ACTIONS = 10
CLOSED = 800  # closed cases per team, with plans
LIMIT = 15
STATUSES = ("to_do", "in_progress", "done", "not_needed", "to_do")


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


class _Ids:
    """Ids handed out in turn for rows inserted in bulk."""

    def __init__(self):
        self.next = {}

    def take(self, table: str, count: int) -> list[int]:
        start = self.next.get(table, 1)
        self.next[table] = start + count
        return list(range(start, start + count))


def _seed_team(app, ids: _Ids, name: str, open_cases: int, password: str, now: datetime):
    """A team: a leader and 20 caseworkers, ``open_cases`` open cases and CLOSED closed ones,
    each with a plan of 10 actions and a review obligation. Returns the leader's email."""
    from casework.audit import Origin
    from casework.bulk import Same, bulk_insert
    from casework.cases.models import Case
    from casework.db import db
    from casework.obligations.models import Obligation
    from casework.people.models import Person
    from casework.plans.models import PlanAction, ResiliencePlan, SupportPlan
    from casework.staff.accounts import StaffDetails, create_staff, create_team

    origin = Origin.command_line("bench")
    session = db.session
    team = create_team(session, name=name, service="victim", actor=None, origin=origin, now=now)

    def staff(email, role):
        return create_staff(
            session,
            StaffDetails(email=email, name=email.split("@")[0], role=role, team_id=team.id),
            password=password,
            actor=None,
            origin=origin,
            now=now,
        )

    slug = name.lower().replace(" ", "")
    leader = staff(f"leader@{slug}.test", "team_leader")
    workers = [staff(f"worker{n}@{slug}.test", "caseworker").id for n in range(WORKERS)]
    total = open_cases + CLOSED
    people = ids.take("person", total)
    bulk_insert(
        session,
        Person.__table__,
        {
            "id": people,
            "forename": Same("Bench"),
            "surname": [f"Person{p}" for p in people],
            "address_needs_checking": Same(False),
            "created_at": Same(now),
            "updated_at": Same(now),
            "version": Same(1),
        },
    )
    cases = ids.take("case", total)
    status = ["open"] * open_cases + ["closed"] * CLOSED
    bulk_insert(
        session,
        Case.__table__,
        {
            "id": cases,
            "reference": [f"BC-{c:07d}" for c in cases],
            "person_id": people,
            "team_id": Same(team.id),
            "caseworker_id": [workers[n % WORKERS] for n in range(total)],
            "status": status,
            "opened_at": [now - timedelta(days=n % 90, hours=3) for n in range(total)],
            "opened_how": Same("team_leader"),
            "closed_at": [now if s == "closed" else None for s in status],
            "created_at": Same(now),
            "updated_at": Same(now),
            "version": Same(1),
        },
    )
    plans = ids.take("plan", total)
    bulk_insert(
        session,
        SupportPlan.__table__,
        {
            "id": plans,
            "case_id": cases,
            "goals": Same("Feel safe at home"),
            "created_by_id": Same(leader.id),
            "created_at": Same(now - timedelta(days=30)),
            "updated_at": Same(now),
            "version": Same(1),
        },
    )
    today = now.date()
    rows = [(p, c, k) for p, c in zip(plans, cases, strict=True) for k in range(ACTIONS)]
    bulk_insert(
        session,
        PlanAction.__table__,
        {
            "plan_id": [p for p, _, _ in rows],
            "case_id": [c for _, c, _ in rows],
            "area": Same("personal_safety"),
            "description": Same("Fit a new lock"),
            "owner_kind": Same("caseworker"),
            "due_on": [today + timedelta(days=(c * 7 + k * 11) % 90 - 30) for _, c, k in rows],
            "status": [STATUSES[(c + k) % len(STATUSES)] for _, c, k in rows],
            "created_at": Same(now),
            "updated_at": Same(now),
            "version": Same(1),
        },
    )
    bulk_insert(
        session,
        Obligation.__table__,
        {
            "case_id": cases,
            "kind": Same("plan_review"),
            "channel": Same("staff"),
            "due_at": [now + timedelta(days=n % 40 - 10) for n in range(total)],
            "status": Same("due"),
            "created_at": Same(now),
        },
    )
    resilient = cases[::3]
    bulk_insert(
        session,
        ResiliencePlan.__table__,
        {
            "case_id": resilient,
            "plan": Same("Calls every fortnight, then monthly"),
            "recorded_by_id": Same(leader.id),
            "recorded_at": Same(now),
        },
    )
    session.commit()
    return leader.email


def _client(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    return client


def main() -> bool:
    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-team-"))
    app = fresh_app(folder / "waypoint.db")
    app.add_url_rule("/bench-constant", "bench_constant", lambda: "ok")
    password = "benchmark password 1"  # noqa: S105 (a throwaway local account)
    now = datetime.now(UTC).replace(microsecond=0)
    ids = _Ids()
    leaders = {}
    with app.app_context():
        for size in SIZES:
            leaders[size] = _seed_team(app, ids, f"Team {size}", size, password, now)
        _seed_team(app, ids, "Other team", max(SIZES), password, now)
    clients = {"bare": _client(app, leaders[SIZES[0]], password)}
    paths = {"bare": "/bench-constant"}
    for size in SIZES:
        clients[size] = _client(app, leaders[size], password)
        paths[size] = "/team"
        html = clients[size].get("/team").get_data(as_text=True)
        assert "Overdue actions" in html and "Resilience plan due" in html, size
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
            f"team view, {WORKERS} caseworkers, {size:,} open cases with {size * ACTIONS:,} "
            f"plan actions, {REQUESTS} requests",
            {
                "median": f"{median(samples) * 1000:.2f} ms "
                f"({median(samples) / bare50:.1f}x the bare route's median)",
                "p95": f"{p95 * 1000:.2f} ms",
                "bare route median": f"{bare50 * 1000:.2f} ms",
                "bare route p95": f"{bare95 * 1000:.2f} ms",
                f"growth from {SIZES[0]} cases (median)": f"{growth:.2f}x",
            },
            p95 / bare95,
            LIMIT,
        )
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
