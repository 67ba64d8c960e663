"""With RATELIMIT_STORAGE_URI=redis://..., every web process counts against the same limit:
sign-in attempts spread over two separate app processes are limited together.

Needs the Redis server on 127.0.0.1:6379 (or REDIS_TEST_URL); the test uses its own database
number, emptied before and after. Skipped when Redis does not answer, except under CI=true."""

import json
import subprocess
import sys
from pathlib import Path

from casework.db import db
from tests.conftest import csrf_token, make_app

ROOT = Path(__file__).resolve().parents[2]
LIMIT = "3 per hour"

# The second web process: its own interpreter, its own app, the same database and Redis.
OTHER_PROCESS = """
import json, re, sys
from app import create_app

uri, storage, limit = sys.argv[1:4]
app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "RATELIMIT_ENABLED": True,
                  "RATELIMIT_STORAGE_URI": storage, "LOGIN_RATE_LIMIT": limit})
client = app.test_client()
statuses = []
for _ in range(2):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "email": "x@example.org", "password": "wrong"}
    statuses.append(client.post("/login", data=form).status_code)
print(json.dumps(statuses))
"""


def failed_sign_in(client) -> int:
    token = csrf_token(client, "/login")
    form = {"csrf_token": token, "email": "x@example.org", "password": "wrong"}
    return client.post("/login", data=form).status_code


def test_sign_in_limit_is_shared_by_separate_app_processes_through_redis(database_uri, redis_url):
    import redis

    app = make_app(
        database_uri,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_url,
        LOGIN_RATE_LIMIT=LIMIT,
    )
    with app.app_context():
        client = app.test_client()
        assert [failed_sign_in(client) for _ in range(2)] == [401, 401]

        other = subprocess.run(
            [sys.executable, "-c", OTHER_PROCESS, database_uri, redis_url, LIMIT],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert other.returncode == 0, other.stderr
        # The third attempt anywhere is the last one allowed: the fourth is refused there...
        assert json.loads(other.stdout.strip().splitlines()[-1]) == [401, 429]
        # ...and here, though this process has seen only two.
        assert failed_sign_in(client) == 429
        db.session.remove()
        db.engine.dispose()

    assert redis.Redis.from_url(redis_url).keys("LIMITS:*"), "the counters live in Redis"


# Nothing listens on port 1: the rate limits' storage is down.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_with_the_limits_storage_down_limited_requests_are_refused_with_a_page_not_a_500(
    database_uri,
):
    import sqlalchemy as sa

    from casework.audit import AuditEvent
    from casework.referrals.models import Referral

    app = make_app(database_uri, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DEAD_REDIS)
    with app.app_context():
        client = app.test_client()
        assert client.get("/login").status_code == 200  # reading a form is never limited
        token = csrf_token(client, "/login")
        signed = client.post(
            "/login", data={"csrf_token": token, "email": "x@example.org", "password": "wrong"}
        )
        assert signed.status_code == 503
        page = signed.get_data(as_text=True)
        assert "Try again in a few minutes" in page and "Traceback" not in page
        refer = client.post("/refer", data={"csrf_token": csrf_token(client, "/refer")})
        assert refer.status_code == 503
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
        # A refusal is still audited when its counter cannot be reached.
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        forged = client.post("/logout", data={})  # no CSRF token; sign-out is not limited
        assert forged.status_code == 400
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before + 1
        db.session.remove()
        db.engine.dispose()
