"""One log line per request and per sweep, JSON under LOG_FORMAT=json, never a person's details
(app/request_log.py, app/log_format.py, scheduling/worker.run_once; README: Logs).

The lines are read where they are written: the process's standard error (``capfd``)."""

import json
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import csrf
from casework.db import db
from casework.referrals.models import Referral
from scheduling.worker import run_once
from tests.conftest import make_app
from tests.factories import create_referrals
from tests.police import police_row

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)  # Monday, inside service hours


@pytest.fixture
def app_overrides():
    return {"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}


def logged(capfd) -> tuple[str, list[dict]]:
    """Everything written to standard error since the last look, and its lines parsed (every
    line must be JSON)."""
    err = capfd.readouterr().err
    return err, [json.loads(line) for line in err.splitlines() if line.strip()]


def requests_in(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line.get("event") == "request"]


def test_a_request_is_one_json_line_with_its_route_status_time_and_staff_id(
    app, client, sign_in_as, capfd
):
    staff = sign_in_as("caseworker")
    create_referrals(police_row(forename="Zanele", surname="Quarshie"))
    referral_id = db.session.scalar(sa.select(Referral.id))
    capfd.readouterr()

    response = client.get(f"/referrals/{referral_id}?q=Quarshie&phone=07700900100")

    err, lines = logged(capfd)
    [line] = requests_in(lines)
    assert line["logger"] == "waypoint.requests"
    assert line["level"] == "INFO"
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0
    assert line["time"].endswith("Z")
    assert line["method"] == "GET"
    assert line["path"] == f"/referrals/{referral_id}"
    assert line["route"] == "/referrals/<int:referral_id>"
    assert line["endpoint"] == "referrals.referral"
    assert line["status"] == response.status_code == 200
    assert isinstance(line["duration_ms"], int | float) and line["duration_ms"] >= 0
    assert line["staff_id"] == staff.id
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert line["message"].startswith(f"GET /referrals/{referral_id} 200 ")
    for never in ("Quarshie", "Zanele", "07700", "q=", staff.email, staff.name):
        assert never not in err


def test_each_request_has_its_own_line_and_id_and_a_public_page_no_staff_id(client, capfd):
    capfd.readouterr()
    responses = [client.get("/login"), client.get("/refer"), client.get("/healthz")]
    _, lines = logged(capfd)
    logged_requests = requests_in(lines)
    assert [line["request_id"] for line in logged_requests] == [
        r.headers["X-Request-Id"] for r in responses
    ]
    assert len({line["request_id"] for line in logged_requests}) == 3
    assert [line["path"] for line in logged_requests] == ["/login", "/refer", "/healthz"]
    assert all(line["staff_id"] is None for line in logged_requests)


@pytest.mark.parametrize("incoming", ["abc-123", "lb.7f3a_9", "A" * 64])
def test_a_short_token_sent_as_the_request_id_is_kept(client, capfd, incoming):
    capfd.readouterr()
    response = client.get("/login", headers={"X-Request-Id": incoming})
    _, lines = logged(capfd)
    assert response.headers["X-Request-Id"] == incoming
    assert requests_in(lines)[0]["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["Zoe Brown", "A" * 65, 'x","staff_id":1', "id;drop", "zoë", "a/b"],
)
def test_any_other_request_id_is_replaced_with_a_new_one(client, capfd, incoming):
    capfd.readouterr()
    response = client.get("/login", headers={"X-Request-Id": incoming})
    err, lines = logged(capfd)
    replaced = response.headers["X-Request-Id"]
    assert replaced != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)
    assert requests_in(lines)[0]["request_id"] == replaced
    assert incoming not in err


def test_a_path_holding_a_token_is_logged_as_its_route_and_an_unknown_path_not_at_all(
    client, capfd
):
    capfd.readouterr()
    client.get("/professionals/feedback/Zq8secret-token")
    client.get("/people/Zoe-Brown-07700900100")
    err, lines = logged(capfd)
    token_line, unknown_line = requests_in(lines)
    assert token_line["path"] == token_line["route"] == "/professionals/feedback/<token>"
    assert token_line["endpoint"] == "advice_line.public_feedback"
    assert unknown_line["status"] == 404
    assert unknown_line["path"] is None and unknown_line["route"] is None
    for never in ("Zq8secret", "Zoe", "Brown", "07700900100"):
        assert never not in err


def test_an_unhandled_error_logs_its_traceback_and_request_id_but_not_the_form(app, capfd):
    def explode(number):
        raise RuntimeError("the view failed")

    app.add_url_rule("/explode/<int:number>", "explode", csrf.exempt(explode), methods=["POST"])
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: Flask logs it, shows a 500
    capfd.readouterr()

    response = app.test_client().post(
        "/explode/7?q=Quarshie",
        data={"surname": "Quarshie", "phone": "07700 900123"},
        headers={"Cookie": "waypoint_session=Quarshie"},
    )

    err, lines = logged(capfd)
    assert response.status_code == 500
    [error] = [line for line in lines if line["level"] == "ERROR"]
    [request_line] = requests_in(lines)
    assert error["message"] == "Exception on /explode/7 [POST]"
    assert error["exception"].startswith("Traceback")
    assert "RuntimeError: the view failed" in error["exception"]
    assert error["request_id"] == request_line["request_id"] == response.headers["X-Request-Id"]
    assert request_line["status"] == 500
    for never in ("Quarshie", "900123"):
        assert never not in err


def test_a_sweep_run_is_one_json_line_of_counts_and_its_duration(app, capfd):
    capfd.readouterr()
    run_once(app, NOW)
    _, lines = logged(capfd)
    [line] = [line for line in lines if line.get("event") == "sweeps"]
    assert line["logger"] == "waypoint.scheduler"
    assert line["duration_ms"] >= 0
    assert line["sweeps"]["breaches"] == 0
    assert line["sweeps"]["imports"] == {"count": 0}
    assert line["sweeps"]["messages"] == {"sent": 0, "failed": 0, "retrying": 0}
    assert "now" not in line["sweeps"]


def test_the_text_format_is_one_readable_line_per_request(database_uri, capfd):
    app = make_app(database_uri, LOG_FORMAT="text")
    capfd.readouterr()
    response = app.test_client().get("/login?next=%2Fsearch%3Fq%3DQuarshie")
    err = capfd.readouterr().err
    [line] = [line for line in err.splitlines() if "waypoint.requests" in line]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO waypoint\.requests GET /login 200 [\d.]+ ms "
        r"request_id=[0-9a-f]{32} method=GET path=/login route=/login endpoint=auth\.login "
        r"status=200 duration_ms=[\d.]+",
        line,
    )
    assert response.headers["X-Request-Id"] in line
    assert "Quarshie" not in err and "next" not in err


def test_log_level_warning_leaves_out_the_request_lines(database_uri, capfd):
    app = make_app(database_uri, LOG_FORMAT="json", LOG_LEVEL="warning")
    capfd.readouterr()
    app.test_client().get("/login")
    assert "waypoint.requests" not in capfd.readouterr().err


@pytest.mark.parametrize(
    "setting,value,message",
    [
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be text or json, not 'xml'"),
        ("LOG_FORMAT", "", "LOG_FORMAT must be text or json, not ''"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_a_log_setting_that_cannot_work_is_refused_at_start_up(
    database_uri, setting, value, message
):
    with pytest.raises(RuntimeError, match=re.escape(message)):
        create_app({"SQLALCHEMY_DATABASE_URI": database_uri, setting: value})
