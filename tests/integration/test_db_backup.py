"""``flask --app wsgi db backup PATH``: a consistent copy of the live SQLite database, made while
another process writes to it, that restores to a working database; never over an existing file;
on PostgreSQL, the pg_dump command instead of a copy."""

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade

from casework.db import db
from tests.conftest import POSTGRES_URL, make_app

ROOT = Path(__file__).resolve().parents[2]

# Another process writing through the app's services: each team is created with its audit
# row in one transaction, so any consistent copy has as many teams as team.create events.
WRITER = """
import sys
from pathlib import Path
from app import create_app
from casework.audit import Origin
from casework.db import db, utcnow
from casework.staff.accounts import create_team

uri, stop = sys.argv[1], Path(sys.argv[2])
app = create_app({"SQLALCHEMY_DATABASE_URI": uri})
with app.app_context():
    n = 0
    while not stop.exists():
        n += 1
        create_team(db.session, name=f"Writer team {n}", service="victim", actor=None,
                    origin=Origin.command_line("backup test writer"), now=utcnow())
"""


def wait_for(condition, what: str, timeout: float = 120.0):
    """Poll ``condition`` until it is truthy (a generous limit, not a timing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def sqlite_path(migrated_database, tmp_path) -> Path:
    """A migrated SQLite file, whichever engine the rest of the run uses."""
    path = tmp_path / "live" / "waypoint.db"
    path.parent.mkdir()
    if POSTGRES_URL:
        app = make_app(f"sqlite:///{path}")
        with app.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()
    else:
        shutil.copy(migrated_database, path)
    return path


def read(path: Path, sql: str):
    connection = sqlite3.connect(path, timeout=60)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def teams_and_events(path: Path) -> tuple[int, int]:
    (teams,) = read(path, "SELECT count(*) FROM team")[0]
    (events,) = read(path, "SELECT count(*) FROM audit_event WHERE action = 'team.create'")[0]
    return teams, events


def dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_backup_while_another_process_writes_is_consistent_and_restores(sqlite_path, tmp_path):
    uri = f"sqlite:///{sqlite_path}"
    stop = tmp_path / "stop-writing"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, uri, str(stop)], cwd=ROOT)
    try:
        wait_for(lambda: teams_and_events(sqlite_path)[0] >= 20, "the writer's first teams")
        during = tmp_path / "backups" / "during.db"
        during.parent.mkdir()
        backup = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "backup", str(during)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": uri},
            capture_output=True,
            text=True,
        )
        assert backup.returncode == 0, backup.stderr
        assert backup.stdout.startswith(f"Backed up {sqlite_path} to {during}: ")
        assert f"({during.stat().st_size} bytes)" in backup.stdout
        copied, _ = teams_and_events(during)
        # The writer went on while and after the copy was made: it was live.
        wait_for(lambda: teams_and_events(sqlite_path)[0] > copied + 5, "more teams")
    finally:
        stop.touch()
        writer.wait()
    assert writer.returncode == 0

    # A snapshot of one moment: integrity holds, every team came with its audit event, and
    # the teams are exactly the first n the writer made (none missing in between).
    assert read(during, "PRAGMA integrity_check") == [("ok",)]
    teams, events = teams_and_events(during)
    assert teams == events >= 20
    names = {name for (name,) in read(during, "SELECT name FROM team")}
    assert names == {f"Writer team {n}" for n in range(1, teams + 1)}
    assert not Path(f"{during}-wal").exists()  # one self-contained file

    # With the writer stopped, a backup is the source row for row.
    app = make_app(uri)
    after = tmp_path / "backups" / "after.db"
    old_umask = os.umask(0o022)  # an operator's usual umask: the copy must not follow it
    try:
        result = app.test_cli_runner().invoke(args=["db", "backup", str(after)])
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    assert dump(after) == dump(sqlite_path)
    assert stat.S_IMODE(after.stat().st_mode) == 0o600  # every record: its owner's eyes only
    assert sorted(p.name for p in after.parent.iterdir()) == ["after.db", "during.db"]

    # Restore (README: stop the services, put the copy in place, start them): the app runs
    # on the copy and sees the database as it was when the copy was made.
    for leftover in (sqlite_path, Path(f"{sqlite_path}-wal"), Path(f"{sqlite_path}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(during, sqlite_path)
    restored = make_app(uri)
    with restored.app_context():
        assert restored.test_client().get("/healthz").status_code == 200
        from casework.staff.models import Team

        assert db.session.query(Team).count() == teams
        db.session.remove()
        db.engine.dispose()


def test_backup_never_overwrites_a_file_nor_writes_into_a_missing_folder(runner, tmp_path):
    existing = tmp_path / "taken.db"
    existing.write_bytes(b"an earlier backup")
    refused = runner.invoke(args=["db", "backup", str(existing)])
    assert refused.exit_code == 1
    assert f"{existing} already exists: a backup never overwrites a file" in refused.output
    assert existing.read_bytes() == b"an earlier backup"

    nowhere = tmp_path / "no-such-folder" / "backup.db"
    refused = runner.invoke(args=["db", "backup", str(nowhere)])
    assert refused.exit_code == 1
    assert f"The folder {nowhere.parent} does not exist" in refused.output
    assert not nowhere.parent.exists()


def test_backup_on_postgresql_prints_pg_dump_and_pg_restore_without_the_password(tmp_path):
    app = make_app("postgresql+psycopg://waypoint:s3cret-pw@db.example:5432/waypoint")
    target = tmp_path / "waypoint.dump"
    result = app.test_cli_runner().invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 2
    url = "postgresql://waypoint@db.example:5432/waypoint"
    assert f"pg_dump --format=custom --file {target} {url}" in result.output
    assert f"pg_restore --clean --if-exists --no-owner --dbname {url} {target}" in result.output
    assert "s3cret-pw" not in result.output
    assert not target.exists()


def test_backup_of_a_missing_database_says_so_and_creates_nothing(tmp_path):
    missing = tmp_path / "nothing-here.db"
    app = make_app(f"sqlite:///{missing}")
    target = tmp_path / "backup.db"
    result = app.test_cli_runner().invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 1
    assert f"There is no database at {missing}" in result.output
    assert not missing.exists() and not target.exists()
