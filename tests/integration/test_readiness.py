"""The scheduler's heartbeat and ``GET /readyz`` (issue 17): ready only when the database
answers, its schema is at the migrations' head and the scheduler swept lately; never a 500."""

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from alembic.script import ScriptDirectory

from casework.db import db
from casework.heartbeat.models import SchedulerHeartbeat
from casework.heartbeat.readiness import migrations_head
from tests.conftest import POSTGRES_URL, make_app

SWEPT = datetime(2026, 11, 23, 6, 12, tzinfo=UTC)


def sweep_at(runner, moment: datetime) -> dict:
    """`scheduler run-once` with the clock stopped at ``moment``."""
    with time_machine.travel(moment, tick=False):
        result = runner.invoke(args=["scheduler", "run-once"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def heartbeat() -> SchedulerHeartbeat | None:
    db.session.rollback()
    return db.session.get(SchedulerHeartbeat, 1)


def readyz(client, moment: datetime):
    with time_machine.travel(moment, tick=False):
        response = client.get("/readyz")
    assert response.is_json, response.get_data(as_text=True)
    return response.status_code, response.get_json()


def test_run_once_records_the_heartbeat_and_each_run_moves_it_on(runner):
    assert heartbeat() is None
    sweep_at(runner, SWEPT)
    beat = heartbeat()
    assert (beat.last_sweep_at, beat.pid) == (SWEPT, os.getpid())
    assert beat.host
    sweep_at(runner, SWEPT + timedelta(minutes=1))
    assert heartbeat().last_sweep_at == SWEPT + timedelta(minutes=1)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SchedulerHeartbeat)) == 1


@pytest.fixture
def app_overrides(tmp_path) -> dict:
    return {"INBOX_DIR": str(tmp_path / "inbox")}


def test_a_run_whose_sweep_fails_records_no_heartbeat(app, client, runner, tmp_path):
    from tests.police import police_csv, police_row

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "today.csv").write_bytes(police_csv(police_row()))
    (inbox / "archive").write_text("a file where the archive folder should be")
    assert sweep_at(runner, SWEPT)["imports"] == "failed"
    assert heartbeat() is None
    status, body = readyz(client, SWEPT)
    assert (status, body["scheduler"]) == (503, "never")

    (inbox / "archive").unlink()  # mended: the next run sweeps cleanly, and says so
    sweep_at(runner, SWEPT + timedelta(minutes=1))
    assert heartbeat().last_sweep_at == SWEPT + timedelta(minutes=1)


def test_readyz_is_ok_when_everything_is_and_needs_no_sign_in(client, runner):
    sweep_at(runner, SWEPT)
    status, body = readyz(client, SWEPT + timedelta(seconds=299))
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "scheduler": "ok",
        "last_sweep_at": "2026-11-23T06:12:00+00:00",
    }


def test_readyz_is_503_once_the_scheduler_has_not_swept_for_five_minutes(client, runner):
    sweep_at(runner, SWEPT)
    assert readyz(client, SWEPT + timedelta(seconds=300))[0] == 200
    status, body = readyz(client, SWEPT + timedelta(seconds=301))
    assert status == 503
    assert body["status"] == "error" and body["failing"] == ["scheduler"]
    assert body["scheduler"] == "stale" and body["database"] == body["migrations"] == "ok"
    assert body["last_sweep_at"] == "2026-11-23T06:12:00+00:00"


def test_the_stale_limit_is_a_setting(database_uri, runner):
    sweep_at(runner, SWEPT)
    client = make_app(database_uri, READY_SCHEDULER_STALE_SECONDS=30).test_client()
    assert readyz(client, SWEPT + timedelta(seconds=31))[1]["scheduler"] == "stale"


def test_readyz_is_503_when_the_scheduler_never_swept(client):
    status, body = readyz(client, SWEPT)
    assert status == 503
    assert body["scheduler"] == "never" and body["failing"] == ["scheduler"]
    assert body["last_sweep_at"] is None


@pytest.fixture
def set_revision(app):
    """Set the database's alembic revision; the real one is put back afterwards (the
    PostgreSQL database is shared by the whole run)."""

    def _set(revision: str) -> None:
        db.session.rollback()
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        db.session.commit()

    [head] = migrations_head(app.extensions["migrate"].directory)
    yield _set
    _set(head)


def test_readyz_is_503_when_the_database_is_behind_the_migrations(
    app, client, runner, set_revision
):
    sweep_at(runner, SWEPT)
    scripts = ScriptDirectory(app.extensions["migrate"].directory)
    set_revision(scripts.get_revision(scripts.get_current_head()).down_revision)
    status, body = readyz(client, SWEPT + timedelta(seconds=10))
    assert status == 503
    assert body["migrations"] == "pending" and body["failing"] == ["migrations"]


def test_readyz_is_503_for_a_revision_these_migrations_do_not_know(client, runner, set_revision):
    sweep_at(runner, SWEPT)
    set_revision("0123456789ab")
    status, body = readyz(client, SWEPT + timedelta(seconds=10))
    assert status == 503 and body["migrations"] == "mismatch"


@pytest.fixture
def unmigrated_uri(tmp_path):
    """A database the migrations never ran on: an empty SQLite file, or on PostgreSQL an empty
    schema put first on the search path."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS readyz_empty CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA readyz_empty"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3Dreadyz_empty"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA readyz_empty CASCADE"))
        engine.dispose()


def test_readyz_is_503_not_500_when_the_migrations_never_ran(unmigrated_uri):
    app = make_app(unmigrated_uri)
    try:
        status, body = readyz(app.test_client(), SWEPT)
    finally:
        with app.app_context():
            db.engine.dispose()
    assert status == 503
    assert body["database"] == "ok" and body["migrations"] == "pending"
    assert body["scheduler"] == "unknown"
    assert body["failing"] == ["migrations", "scheduler"]


def test_readyz_is_503_when_the_database_does_not_answer(tmp_path):
    if POSTGRES_URL:
        url = sa.engine.make_url(POSTGRES_URL).set(host="127.0.0.1", port=1)
        broken = url.render_as_string(hide_password=False)
    else:
        broken = f"sqlite:///{tmp_path / 'no-such-directory' / 'waypoint.db'}"
    app = make_app(broken)
    status, body = readyz(app.test_client(), SWEPT)
    assert status == 503
    assert body == {
        "status": "error",
        "database": "unavailable",
        "migrations": "unknown",
        "scheduler": "unknown",
        "last_sweep_at": None,
        "failing": ["database", "migrations", "scheduler"],
    }


def test_the_admins_page_says_when_the_scheduler_last_swept(app, client, runner, sign_in_as):
    with time_machine.travel(SWEPT, tick=False) as clock:
        sign_in_as("admin")
        page = client.get("/admin/staff").get_data(as_text=True)
        assert "The scheduler has not swept yet." in page
        sweep_at(runner, SWEPT)
        clock.move_to(SWEPT + timedelta(minutes=3))
        page = client.get("/admin/staff").get_data(as_text=True)
        assert "Scheduler last swept: 23 Nov 2026 at 06:12 (3 minutes ago)." in page
        assert "govuk-warning-text" not in page
        clock.move_to(SWEPT + timedelta(minutes=6))  # past READY_SCHEDULER_STALE_SECONDS
        page = client.get("/admin/staff").get_data(as_text=True)
    assert "The scheduler has not swept since 23 Nov 2026 at 06:12 (6 minutes ago)." in page
    assert "govuk-warning-text" in page
