"""Signing in and out, lockout, timeouts and cookies, as staff and attackers would meet them."""

from datetime import timedelta

import pytest
import time_machine

from casework.db import db
from tests.conftest import PASSWORD, audit_rows, post_form, sign_in

HOME = {
    "caseworker": "/caseload",
    "team_leader": "/queue",
    "hsb_advisor": "/advice-line",
    "analyst": "/reports",
    "admin": "/admin/staff",
    "volunteer": "/my-cases",
}


def test_each_role_lands_on_its_home_page(client, signed_in_role):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == HOME[signed_in_role.role]
    page = client.get(HOME[signed_in_role.role])
    assert page.status_code == 200
    assert signed_in_role.name in page.get_data(as_text=True)


def test_a_member_of_the_public_at_the_front_door_finds_the_public_forms(client):
    """Signed out, "/" is the sign-in page: a victim or a partner who lands there is shown
    where to ask for support, and each link opens its form."""
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Not a member of staff?" in page
    for path in ("/refer", "/partner-referral", "/professionals"):
        assert f'href="{path}"' in page
        assert client.get(path).status_code == 200


def test_sign_in_is_audited_with_where_from(client, create_staff_record):
    staff = create_staff_record("caseworker")
    sign_in(client, staff.email, PASSWORD)
    [row] = audit_rows("auth.sign_in")
    assert row.actor_id == staff.id and row.outcome == "ok" and row.ip == "127.0.0.1"


def test_wrong_password_and_unknown_user_get_the_same_message(client, create_staff_record):
    staff = create_staff_record("caseworker")
    wrong = sign_in(client, staff.email, "not the password at all")
    unknown = sign_in(client, "nobody@waypoint.test", "not the password at all")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Enter a correct email address and password" in response.get_data(as_text=True)
    reasons = [row.detail_dict["reason"] for row in audit_rows("auth.sign_in")]
    assert reasons == ["bad_password", "unknown_user"]


def test_deactivated_user_cannot_sign_in(client, create_staff_record):
    staff = create_staff_record("caseworker")
    staff.active = False
    db.session.commit()
    response = sign_in(client, staff.email)
    assert response.status_code == 401
    assert audit_rows("auth.sign_in")[-1].detail_dict["reason"] == "inactive"


def test_account_locks_after_repeated_failures_even_for_the_right_password(
    app, client, create_staff_record
):
    staff = create_staff_record("caseworker")
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            sign_in(client, staff.email, "wrong wrong wrong")
        locked = sign_in(client, staff.email)
    assert locked.status_code == 401
    assert audit_rows("auth.lockout")
    assert audit_rows("auth.sign_in")[-1].detail_dict["reason"] == "locked"
    with time_machine.travel("2026-11-23 10:16 +0000", tick=False):
        assert sign_in(client, staff.email).status_code == 302


def test_idle_session_ends_after_the_idle_limit(app, client, create_staff_record):
    staff = create_staff_record("caseworker")
    idle = app.config["SESSION_IDLE_MINUTES"]
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False) as clock:
        sign_in(client, staff.email)
        clock.shift(timedelta(minutes=idle - 1))
        assert client.get("/caseload").status_code == 200
        clock.shift(timedelta(minutes=idle - 1))  # active a minute ago, so still signed in
        assert client.get("/caseload").status_code == 200
        clock.shift(timedelta(minutes=idle + 1))
        response = client.get("/caseload")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert audit_rows("auth.session_expired")[-1].detail_dict["reason"] == "idle_timeout"


def test_session_ends_at_the_absolute_limit_however_busy(app, client, create_staff_record):
    staff = create_staff_record("caseworker")
    with time_machine.travel("2026-11-23 08:00 +0000", tick=False) as clock:
        sign_in(client, staff.email)
        for _ in range(app.config["SESSION_ABSOLUTE_HOURS"] * 3 + 2):
            clock.shift(timedelta(minutes=20))
            response = client.get("/caseload")
            if response.status_code != 200:
                break
    assert response.status_code == 302
    assert audit_rows("auth.session_expired")[-1].detail_dict["reason"] == "absolute_timeout"


def test_sign_out_ends_the_session_so_a_copied_cookie_stops_working(app, client, caseworker):
    cookie = client.get_cookie("waypoint_session").value
    response = post_form(client, "/logout", {}, token_from="/caseload")
    assert response.status_code == 302
    thief = app.test_client()
    thief.set_cookie("waypoint_session", cookie)
    stolen = thief.get("/caseload")
    assert stolen.status_code == 302 and stolen.headers["Location"].startswith("/login")
    assert audit_rows("auth.sign_out")
    assert audit_rows("auth.session_rejected")[-1].detail_dict["reason"] == "signed_out"


def test_deactivating_a_user_ends_their_session_at_once(
    app, client, caseworker, create_staff_record
):
    boss = create_staff_record("admin")
    admin_client = app.test_client()
    sign_in(admin_client, boss.email)
    post_form(
        admin_client,
        f"/admin/staff/{caseworker.id}/active",
        {"active": "0"},
        token_from=f"/admin/staff/{caseworker.id}",
    )
    response = client.get("/caseload")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert audit_rows("staff.deactivate")[-1].record_id == str(caseworker.id)


def test_post_without_csrf_token_is_refused_and_audited(client, create_staff_record):
    staff = create_staff_record("caseworker")
    response = client.post("/login", data={"email": staff.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form has expired" in response.get_data(as_text=True)
    assert audit_rows("security.csrf_failed")
    assert not audit_rows("auth.sign_in")


def test_forged_cookie_is_ignored_and_audited(client):
    client.set_cookie("waypoint_session", "eyJfdXNlcl9pZCI6ImFkbWluIn0.forged.signature")
    response = client.get("/admin/staff")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert audit_rows("security.bad_cookie")


def test_no_remember_me_cookie_and_session_cookie_is_httponly(client, create_staff_record):
    staff = create_staff_record("caseworker")
    response = sign_in(client, staff.email)
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token") for c in cookies)
    session_cookie = next(c for c in cookies if c.startswith("waypoint_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Expires" not in session_cookie  # a browser-session cookie, gone when it closes


def test_next_parameter_only_follows_local_paths(client, create_staff_record):
    staff = create_staff_record("caseworker")
    token_page = "/login?next=//evil.example/steal"
    response = post_form(
        client, token_page, {"email": staff.email, "password": PASSWORD}, token_from="/login"
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example/phish",  # a tab, dropped by the browser: //evil.example
        "/%0a/evil.example/phish",  # a newline (gave a 500)
        "/%0d%0a/evil.example",
        "%20//evil.example",
        "/%5cevil.example",  # a backslash, read as a slash
        "https://evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_that_a_browser_would_read_as_another_site_goes_home(
    client, create_staff_record, target
):
    staff = create_staff_record("caseworker")
    response = post_form(
        client,
        f"/login?next={target}",
        {"email": staff.email, "password": PASSWORD},
        token_from="/login",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_to_a_page_on_this_site_is_followed(client, create_staff_record):
    staff = create_staff_record("caseworker")
    response = post_form(
        client,
        "/login?next=/queue%3Fpriority%3Denhanced",
        {"email": staff.email, "password": PASSWORD},
        token_from="/login",
    )
    assert response.headers["Location"] == "/queue?priority=enhanced"
