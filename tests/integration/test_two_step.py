"""Two-step verification: setting it up, signing in with a code, lockout, replay, the required
setting, and an administrator's reset."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from casework.db import db
from casework.staff import totp
from casework.staff.models import Staff
from tests.conftest import audit_rows, csrf_token, post_form, sign_in

T0 = datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC)


def code_at(secret: str, moment: datetime) -> str:
    return totp.code_for(secret, totp.step_at(moment))


def set_up(client, when: datetime) -> str:
    """Set up two-step verification through the account page; returns the secret shown."""
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = post_form(client, "/account/two-step", {"code": code_at(secret, when)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return secret


def fresh(staff_id: int) -> Staff:
    db.session.rollback()
    return db.session.get(Staff, staff_id)


def two_step_box_for(app):
    from app.auth.session import two_step_box

    with app.test_request_context():
        return two_step_box()


def test_setting_up_needs_a_code_from_the_app(app, client, sign_in_as):
    with time_machine.travel(T0, tick=False):
        me = sign_in_as("caseworker")
        page = client.get("/account/two-step").get_data(as_text=True)
        secret = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
        assert f"secret={secret}" in page.replace("&amp;", "&")
        wrong = post_form(client, "/account/two-step", {"code": "000000"})
        assert wrong.status_code == 400
        assert "Enter the 6-digit code" in wrong.get_data(as_text=True)
        assert not fresh(me.id).two_step_on
        # The same key is offered until it is proven, so a slow typist is not confused.
        assert secret.replace(" ", "") in client.get("/account/two-step").get_data(as_text=True)
        post_form(client, "/account/two-step", {"code": code_at(secret, T0)})
    staff = fresh(me.id)
    assert staff.two_step_on
    # Stored sealed: a copy of the database does not hold the key itself.
    assert secret not in staff.totp_secret
    assert two_step_box_for(app).open(staff.totp_secret) == secret
    assert audit_rows("auth.two_step_on")[-1].record_id == str(me.id)


def test_signing_in_takes_the_password_then_the_code(app, client, sign_in_as):
    with time_machine.travel(T0, tick=False):
        me = sign_in_as("team_leader")
        secret = set_up(client, T0)
    later = T0 + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        other = app.test_client()
        first = sign_in(other, me.email)
        assert first.status_code == 302 and first.headers["Location"].startswith("/login/code")
        assert other.get("/queue").status_code == 302  # not signed in yet
        wrong = post_form(other, "/login/code", {"code": "123456"})
        assert wrong.status_code == 401
        assert "Enter the 6-digit security code" in wrong.get_data(as_text=True)
        right = post_form(other, "/login/code", {"code": code_at(secret, later)})
        assert right.status_code == 302
        assert other.get("/queue").status_code == 200
    failures = [e.detail for e in audit_rows("auth.sign_in") if e.outcome == "failed"]
    assert len(failures) == 1 and "bad_code" in str(failures[0])


def test_a_code_cannot_be_used_twice(app, client, sign_in_as):
    with time_machine.travel(T0, tick=False):
        me = sign_in_as("caseworker")
        secret = set_up(client, T0)
    later = T0 + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        code = code_at(secret, later)
        first = app.test_client()
        sign_in(first, me.email)
        assert post_form(first, "/login/code", {"code": code}).status_code == 302
        second = app.test_client()
        sign_in(second, me.email)
        assert post_form(second, "/login/code", {"code": code}).status_code == 401


def test_wrong_codes_lock_the_account_like_wrong_passwords(app, client, sign_in_as):
    with time_machine.travel(T0, tick=False):
        me = sign_in_as("caseworker")
        secret = set_up(client, T0)
    later = T0 + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        other = app.test_client()
        sign_in(other, me.email)
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            post_form(other, "/login/code", {"code": "999999"})
        locked = post_form(other, "/login/code", {"code": code_at(secret, later)})
        assert locked.status_code == 302 and locked.headers["Location"] == "/login"
        assert other.get("/queue").status_code == 302
    assert fresh(me.id).locked_until is not None
    assert audit_rows("auth.lockout")


def test_the_code_must_follow_the_password_within_five_minutes(app, client, sign_in_as):
    with time_machine.travel(T0, tick=False):
        me = sign_in_as("caseworker")
        secret = set_up(client, T0)
    other = app.test_client()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        sign_in(other, me.email)
        token = csrf_token(other, "/login/code")
    late = T0 + timedelta(minutes=7)
    with time_machine.travel(late, tick=False):
        response = other.post(
            "/login/code", data={"csrf_token": token, "code": code_at(secret, late)}
        )
        assert response.status_code == 302 and response.headers["Location"] == "/login"
        assert other.get("/queue").status_code == 302


class TestRequired:
    @pytest.fixture
    def app_overrides(self):
        return {"REQUIRE_TWO_STEP": True}

    def test_until_it_is_set_up_every_page_leads_to_the_set_up_page(self, client, sign_in_as):
        with time_machine.travel(T0, tick=False):
            sign_in_as("team_leader")
            response = client.get("/queue")
            assert response.status_code == 302
            assert response.headers["Location"] == "/account/two-step"
            page = client.get("/account/two-step").get_data(as_text=True)
            assert "Before you can use it, set up two-step verification" in page
            set_up(client, T0)
            assert client.get("/queue").status_code == 200

    def test_public_pages_are_not_affected(self, client):
        assert client.get("/refer").status_code == 200
        assert client.get("/healthz").status_code == 200


def test_an_administrator_resets_it_and_the_person_is_signed_out(
    app, client, sign_in_as, create_staff_record
):
    with time_machine.travel(T0, tick=False):
        me = sign_in_as("caseworker")
        set_up(client, T0)
        boss = create_staff_record("admin")
        admin_client = app.test_client()
        sign_in(admin_client, boss.email)
        page = admin_client.get(f"/admin/staff/{me.id}").get_data(as_text=True)
        assert "Reset two-step verification" in page
        response = post_form(
            admin_client, f"/admin/staff/{me.id}/two-step", {}, token_from=f"/admin/staff/{me.id}"
        )
        assert response.status_code == 302
        assert client.get("/caseload").status_code == 302  # signed out everywhere
    assert not fresh(me.id).two_step_on
    assert audit_rows("auth.two_step_reset")[-1].record_id == str(me.id)


def test_only_an_administrator_may_reset_it(client, sign_in_as, create_staff_record):
    someone = create_staff_record("caseworker")
    sign_in_as("team_leader")
    response = post_form(client, f"/admin/staff/{someone.id}/two-step", {}, token_from="/account")
    assert response.status_code == 403


def test_a_changed_sealing_key_refuses_the_code_until_an_administrator_resets_it(
    app, client, sign_in_as
):
    with time_machine.travel(T0, tick=False):
        me = sign_in_as("caseworker")
        secret = set_up(client, T0)
    app.config["TWO_STEP_KEY"] = "a different key, set by mistake"
    later = T0 + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        other = app.test_client()
        sign_in(other, me.email)
        refused = post_form(other, "/login/code", {"code": code_at(secret, later)})
        assert refused.status_code == 302 and refused.headers["Location"] == "/login"
        assert other.get("/caseload").status_code == 302
    failures = [e.detail for e in audit_rows("auth.sign_in") if e.outcome == "failed"]
    assert "two_step_key_unreadable" in str(failures[-1])
