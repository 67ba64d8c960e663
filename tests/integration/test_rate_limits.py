"""Public forms and sign-in are rate limited per address (a clear 429, nothing stored)."""

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.referral import Referral
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
