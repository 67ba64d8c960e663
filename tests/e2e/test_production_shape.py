"""The production shape, end to end: gunicorn with two workers (deploy/gunicorn.conf.py) and the
scheduler process, on PostgreSQL, with Redis holding the rate-limit counters.

A team leader signs in and allocates a referral; the referral is then read back until both
workers have answered, each showing the allocation (what one worker wrote, the other sees); the
scheduler's heartbeat makes /readyz ready; and failed sign-ins spread over both workers are
limited together, because the counter is in Redis, not in either worker.

It needs PostgreSQL (TEST_DATABASE_URL: CI's PostgreSQL half runs it) and Redis.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from casework.db import db
from tests.conftest import PASSWORD, POSTGRES_URL
from tests.factories import create_referrals
from tests.integration.test_gunicorn import GUNICORN, wait_for
from tests.police import police_row

ROOT = Path(__file__).resolve().parents[2]
LOGIN_LIMIT = 10  # sign-in attempts per address per hour, counted across the workers
# gunicorn's own access log, with the pid of the worker that answered each request.
TIMEOUT = 60  # seconds a request may take: a worker imports the app on its first request
ACCESS = re.compile(r'^<(\d+)> "(\w+) (\S+)" (\d{3})$')

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="the production shape runs on PostgreSQL: set TEST_DATABASE_URL "
    "(CI's PostgreSQL half runs it)",
)


def _environment(tmp_path: Path, redis: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PYTEST_"))}
    env.update(
        WAYPOINT_ENV="production",
        SECRET_KEY="s" * 48,
        TWO_STEP_KEY="t" * 48,
        DATABASE_URL=POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://"),
        WAYPOINT_INSTANCE_DIR=str(tmp_path / "instance"),
        RATELIMIT_STORAGE_URI=redis,
        LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per hour",
        REQUIRE_TWO_STEP="false",  # the two-step journey has its own tests
        SESSION_COOKIE_SECURE="false",  # plain HTTP on localhost, no TLS proxy in front
        SCHEDULER_INTERVAL_SECONDS="2",
        WEB_BIND="127.0.0.1:0",
        WEB_CONCURRENCY="2",
    )
    return env


@pytest.fixture
def production(app, tmp_path, redis_url):
    """gunicorn (two workers) and the scheduler, started as deployed; yields (base URL, the
    access log's path)."""
    env = _environment(tmp_path, redis_url)
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    processes = []
    with access_log.open("w") as out, error_log.open("w") as err:
        processes.append(
            subprocess.Popen(
                [
                    str(GUNICORN),
                    "-c",
                    "deploy/gunicorn.conf.py",
                    "--access-logformat",
                    '%(p)s "%(m)s %(U)s" %(s)s',
                    "--access-logfile",
                    str(access_log),
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=err,
            )
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
                cwd=ROOT,
                env=env,
                stdout=err,
                stderr=subprocess.STDOUT,
            )
        )
    try:

        def listening():
            if processes[0].poll() is not None:
                raise AssertionError(f"gunicorn exited: {error_log.read_text()}")
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", error_log.read_text())
            return found and int(found.group(1))

        port = wait_for(listening, "gunicorn to listen")
        wait_for(lambda: error_log.read_text().count("Booting worker") >= 2, "both workers")
        yield f"http://127.0.0.1:{port}", access_log
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _served(access_log: Path) -> list[tuple[int, str, str, int]]:
    """(worker pid, method, path, status) for each request answered so far, in order."""
    rows = []
    for line in access_log.read_text().splitlines():
        found = ACCESS.match(line.strip())
        if found:
            rows.append((int(found[1]), found[2], found[3], int(found[4])))
    return rows


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_two_workers_and_the_scheduler_share_postgresql_and_redis(
    app, production, create_team_record, create_staff_record
):
    import requests

    team = create_team_record("Victims")
    leader = create_staff_record("team_leader", team=team)
    worker = create_staff_record("caseworker", team=team, name="Priya Caseworker")
    create_referrals(police_row(crime_reference="LC-20261123-0001"))
    from casework.referrals.models import Referral

    referral_id = db.session.query(Referral.id).scalar()
    db.session.commit()
    base, access_log = production

    # The scheduler, its own process on the same database, has swept: ready.
    def ready():
        response = requests.get(f"{base}/readyz", timeout=TIMEOUT)
        return response.status_code == 200 and response.json()

    assert wait_for(ready, "/readyz to be ready (the scheduler's first sweep)")["scheduler"] == "ok"

    # A team leader signs in and allocates the referral.
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=TIMEOUT)
    signed_in = browser.post(
        f"{base}/login",
        data={"csrf_token": _token(page.text), "email": leader.email, "password": PASSWORD},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert signed_in.status_code == 302, signed_in.text
    page = browser.get(f"{base}/referrals/{referral_id}", timeout=TIMEOUT)
    assert page.status_code == 200
    allocated = browser.post(
        f"{base}/referrals/{referral_id}/allocate",
        data={"csrf_token": _token(page.text), "caseworker": str(worker.id)},
        timeout=TIMEOUT,
    )
    assert allocated.status_code == 200
    assert "Allocated to Priya Caseworker" in allocated.text

    # Read back until both workers have answered: each shows the allocation and the session.
    # Two requests at once, as two staff would send them: a sync worker takes one connection at
    # a time, so while one is busy the other must answer (one after another, the kernel tends
    # to hand every connection to the same idle worker).
    path = f"/referrals/{referral_id}"

    def read_back(_) -> str:
        reader = requests.Session()
        reader.cookies.update(browser.cookies)
        page = reader.get(f"{base}{path}", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        return page.text

    def both_workers_answered():
        with ThreadPoolExecutor(max_workers=2) as pool:
            pages = list(pool.map(read_back, range(2)))
        assert all("Priya Caseworker" in page for page in pages)
        return len({pid for pid, _, p, _ in _served(access_log) if p == path}) >= 2

    wait_for(both_workers_answered, "both workers to serve the referral", timeout=120)

    # Failed sign-ins from one address, two at a time: the limit counts them together, whichever
    # worker answers. One attempt is already spent (the leader's sign-in).
    def failed_sign_in(_) -> int:
        visitor = requests.Session()
        form = visitor.get(f"{base}/login", timeout=TIMEOUT)
        attempt = visitor.post(
            f"{base}/login",
            data={"csrf_token": _token(form.text), "email": "x@example.org", "password": "no"},
            timeout=TIMEOUT,
        )
        return attempt.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(failed_sign_in, range(LOGIN_LIMIT)))
    assert sorted(statuses) == [401] * (LOGIN_LIMIT - 1) + [429]

    def sign_in_posts():  # a worker writes its access line just after it answers
        posts = [
            pid for pid, method, p, _ in _served(access_log) if (method, p) == ("POST", "/login")
        ]
        return posts if len(posts) >= LOGIN_LIMIT + 1 else None

    posts = wait_for(sign_in_posts, "every sign-in in the access log")
    assert len(posts) == LOGIN_LIMIT + 1
    assert len(set(posts)) == 2, f"every sign-in was answered by one worker: {posts}"
    assert failed_sign_in(None) == 429  # and it holds
