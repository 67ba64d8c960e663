"""Public forms and sign-in are rate limited per address (a clear 429, nothing stored)."""

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.referrals.models import Referral
from tests.conftest import csrf_token


@pytest.fixture
def app_overrides():
    return {
        "RATELIMIT_ENABLED": True,
        "PUBLIC_FORM_RATE_LIMIT": "2 per hour",
        "LOGIN_RATE_LIMIT": "3 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def test_public_form_and_sign_in_limits(client):
    for _ in range(2):
        client.post("/refer", data={"csrf_token": csrf_token(client, "/refer")})
    blocked = client.post(
        "/refer", data={"csrf_token": csrf_token(client, "/refer"), "forename": "Robin"}
    )
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert client.get("/refer").status_code == 200  # reading the form is never limited
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0

    for _ in range(3):
        client.post(
            "/login",
            data={
                "csrf_token": csrf_token(client, "/login"),
                "email": "x@example.org",
                "password": "wrong",
            },
        )
    assert (
        client.post(
            "/login",
            data={
                "csrf_token": csrf_token(client, "/login"),
                "email": "x@example.org",
                "password": "wrong",
            },
        ).status_code
        == 429
    )


def test_anonymous_refusals_write_one_audit_row_per_source_a_minute(app, client):
    from datetime import UTC, datetime, timedelta

    import time_machine
    from limits import parse

    from app.extensions import limiter
    from tests.conftest import audit_rows

    start = datetime(2026, 11, 22, 9, 0, 5, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(50):
            client.set_cookie("waypoint_session", "forged.value.here")
            client.get("/")
            client.delete_cookie("waypoint_session")
            client.post("/login", data={"email": "x@example.org"})  # no CSRF token
            client.post("/webhooks/twilio/status", data={"MessageSid": "SM1"})  # unsigned
        # Read inside the same minute: the limiter's counters expire by the clock.
        for action in (
            "security.bad_cookie",
            "security.csrf_failed",
            "security.bad_twilio_signature",
        ):
            assert len(audit_rows(action)) == 1, action
            key = parse("1 per minute").key_for("refusal", action, "127.0.0.1")
            assert limiter.storage.get(key) == 50  # the limiter holds the count of the rest

    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        client.post("/login", data={"email": "x@example.org"})
    assert len(audit_rows("security.csrf_failed")) == 2
