"""Public forms and sign-in are rate limited per address (a clear 429, nothing stored)."""

import re

import pytest
import time_machine

from tests.conftest import csrf_token
from tests.integration.test_public_referrals import referrals, submit


@pytest.fixture
def app_overrides():
    return {
        "RATELIMIT_ENABLED": True,
        "PUBLIC_FORM_RATE_LIMIT": "2 per hour",
        "LOGIN_RATE_LIMIT": "3 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def test_public_form_and_sign_in_limits(client):
    """Forms sent back with errors to put right are not counted: a person correcting mistakes
    is never locked out. Accepted referrals are; past the limit the page says when to try
    again, on the public form's own page (the way back to the form, 999, Exit this page)."""
    with time_machine.travel("2026-11-23 10:00 +0000", tick=True):
        for _ in range(5):
            assert submit(client, forename="").status_code == 400  # forename missing
        for n in range(2):
            assert submit(client, surname=f"Sample{n}").status_code == 302
        blocked = submit(client, surname="Sample3")
        assert blocked.status_code == 429
        html = blocked.get_data(as_text=True)
        assert "This form has been sent too many times" in html
        assert "You can send it again after 11:00." in html  # 10:00 UTC is 10:00 in London
        assert "call 999" in html and "Exit this page" in html
        assert 'href="/refer">Back to the form: Ask for support</a>' in html
        assert "/login" not in html.split("<main")[1]
        assert client.get("/refer").status_code == 200  # reading the form is never limited
    assert [r.surname for r in referrals()] == ["Sample0", "Sample1"]

    wrong = {"email": "x@example.org", "password": "wrong"}
    for _ in range(3):
        client.post("/login", data={**wrong, "csrf_token": csrf_token(client, "/login")})
    blocked = client.post("/login", data={**wrong, "csrf_token": csrf_token(client, "/login")})
    assert blocked.status_code == 429
    assert re.search(r"Try again after \d\d:\d\d\.", blocked.get_data(as_text=True))


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
