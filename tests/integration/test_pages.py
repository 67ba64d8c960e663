"""Security headers, health, error pages and the public information pages."""

import pytest

from app.security import CSP


@pytest.mark.parametrize("path", ["/login", "/healthz", "/accessibility", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "'unsafe-inline'" not in CSP
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client, admin):
    for path in ("/login", "/admin/staff", "/admin/audit", "/account"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<script " not in html.replace(
            '<script type="module" src=', ""
        )


def test_static_assets_may_be_cached(client):
    response = client.get("/static/js/app.mjs")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_unknown_page_gets_a_plain_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_pages_are_branded_waypoint_without_the_crown(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Waypoint" in html
    assert "GOV.UK" not in html and "govuk-crest" not in html and "crown" not in html.lower()
