"""Behind a reverse proxy (TRUSTED_PROXIES): rate limits count the client named in
X-Forwarded-For, the audit records it, and Twilio signatures are checked against the public
https URL the proxy was reached at. With no trusted proxy the headers change nothing."""

from contextlib import contextmanager

import pytest
from twilio.request_validator import RequestValidator

from casework.db import db
from tests.conftest import TWILIO_TOKEN, audit_rows, csrf_token, make_app

CLIENT_A = "203.0.113.10"
CLIENT_B = "203.0.113.20"
PROXY = "127.0.0.1"


@contextmanager
def proxied_app(database_uri, trusted_proxies: int, **overrides):
    """An app behind ``trusted_proxies`` proxies, with a low sign-in limit, in its context."""
    app = make_app(
        database_uri,
        TRUSTED_PROXIES=trusted_proxies,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        LOGIN_RATE_LIMIT="2 per hour",
        **overrides,
    )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def failed_sign_in(client, forwarded_for: str) -> int:
    """Status of a wrong-password sign-in (401, or 429 once limited) from ``forwarded_for``,
    through the proxy, as a browser sends it: with the Referer of the page the form was on."""
    headers = {
        "X-Forwarded-For": forwarded_for,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "public.example",
        "Referer": "https://public.example/login",
    }
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "x@example.org", "password": "wrong"},
        headers=headers,
        environ_base={"REMOTE_ADDR": PROXY},
    )
    return response.status_code


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_sign_in_limit(database_uri):
    with proxied_app(database_uri, 1) as app:
        client = app.test_client()
        assert [failed_sign_in(client, CLIENT_A) for _ in range(2)] == [401, 401]
        assert failed_sign_in(client, CLIENT_A) == 429
        # Another client behind the same proxy is not blocked by A's attempts.
        assert failed_sign_in(client, CLIENT_B) == 401


def test_without_a_trusted_proxy_forwarded_for_is_ignored_and_cannot_dodge_the_limit(
    database_uri,
):
    with proxied_app(database_uri, 0) as app:
        client = app.test_client()
        assert [failed_sign_in(client, CLIENT_A) for _ in range(2)] == [401, 401]
        # Claiming to be someone else does not give a fresh allowance.
        assert failed_sign_in(client, CLIENT_B) == 429


@pytest.mark.parametrize(("trusted", "recorded_ip"), [(1, CLIENT_A), (0, PROXY)])
def test_audited_refusals_record_the_forwarded_client_only_behind_a_trusted_proxy(
    database_uri, trusted, recorded_ip
):
    with proxied_app(database_uri, trusted) as app:
        app.test_client().post(
            "/login",
            data={"email": "x@example.org"},  # no CSRF token: refused and audited
            headers={"X-Forwarded-For": CLIENT_A},
            environ_base={"REMOTE_ADDR": PROXY},
        )
        assert [row.ip for row in audit_rows("security.csrf_failed")] == [recorded_ip]


PUBLIC = "https://public.example"


def twilio_status_via_proxy(client, path="/webhooks/twilio/status"):
    form = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC + path, form)
    return client.post(
        path,
        data=form,
        headers={
            "X-Twilio-Signature": signature,
            "X-Forwarded-For": "54.172.60.1",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "public.example",
        },
        environ_base={"REMOTE_ADDR": PROXY},
        base_url="http://127.0.0.1:8000",  # where the proxy reaches gunicorn
    )


@pytest.mark.parametrize(("trusted", "status"), [(1, 204), (0, 403)])
def test_twilio_signature_for_the_public_https_url_is_checked_through_the_proxy_headers(
    database_uri, trusted, status
):
    # PUBLIC_BASE_URL deliberately names somewhere else: only the proxy headers can make the
    # URL the request arrived at the one Twilio signed.
    with proxied_app(
        database_uri,
        trusted,
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        PUBLIC_BASE_URL="http://127.0.0.1:5000",
    ) as app:
        assert twilio_status_via_proxy(app.test_client()).status_code == status


def test_twilio_signature_for_public_base_url_is_accepted_without_proxy_headers_trusted(
    database_uri,
):
    with proxied_app(
        database_uri, 0, TWILIO_AUTH_TOKEN=TWILIO_TOKEN, PUBLIC_BASE_URL=PUBLIC
    ) as app:
        assert twilio_status_via_proxy(app.test_client()).status_code == 204


def test_a_negative_proxy_count_is_refused(database_uri):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES must be 0 or more"):
        make_app(database_uri, TRUSTED_PROXIES=-1)


def test_behind_an_https_proxy_forms_work_because_pages_let_browsers_send_our_own_referer(
    database_uri,
):
    with proxied_app(database_uri, 1) as app:
        client = app.test_client()
        page = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        # Browsers send a Referer to the same origin only: Flask-WTF needs it over HTTPS.
        assert page.headers["Referrer-Policy"] == "same-origin"
        assert failed_sign_in(client, CLIENT_A) == 401
        token = csrf_token(client, "/login")
        no_referer = client.post(
            "/login",
            data={"csrf_token": token, "email": "x@example.org", "password": "wrong"},
            headers={"X-Forwarded-For": CLIENT_A, "X-Forwarded-Proto": "https"},
        )
        assert no_referer.status_code == 400
