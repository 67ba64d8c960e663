"""One scheduler at a time (issue 17): a second `flask scheduler` waits for the first's lock,
sweeps nothing meanwhile, and takes over when the first dies."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from casework.db import db
from casework.heartbeat.models import SchedulerHeartbeat
from scheduling.lock import FileLock, PostgresLock, scheduler_lock
from scheduling.worker import EmbeddedScheduler
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
WAITING = "Waiting for the scheduler lock held by"


def test_the_lock_is_held_by_one_at_a_time_and_names_its_holder(app):
    first, second = scheduler_lock(db.engine.url), scheduler_lock(db.engine.url)
    expected = PostgresLock if db.engine.dialect.name == "postgresql" else FileLock
    assert isinstance(first, expected)
    try:
        assert first.try_acquire() and first.held()
        assert not second.try_acquire() and not second.held()
        assert f"pid {os.getpid()}" in second.holder()
        # Waiting as the development server does (in a thread) can be called off.
        stop = threading.Event()
        stop.set()
        assert second.wait(poll_seconds=0.01, stop=stop) is False
        first.release()
        assert second.try_acquire() and not first.try_acquire()
    finally:
        first.release()
        second.release()


def test_the_development_servers_scheduler_waits_in_its_thread_then_sweeps(database_uri, caplog):
    """`flask dev` starts its web server at once; its scheduler waits for the lock meanwhile."""
    caplog.set_level(logging.INFO, logger="waypoint.scheduler")
    app = make_app(database_uri, SCHEDULER_LOCK_POLL_SECONDS=0.05, SCHEDULER_INTERVAL_SECONDS=1)
    with app.app_context():
        other = scheduler_lock(db.engine.url)
        assert other.try_acquire()
        embedded = EmbeddedScheduler(app).start()  # returns while another holds the lock
        try:
            poll(lambda: WAITING in caplog.text, "the embedded scheduler to say it waits")
            assert heartbeat_pid() is None
            other.release()
            poll(lambda: heartbeat_pid() == os.getpid(), "the embedded scheduler to sweep")
            assert not other.try_acquire()  # it holds the lock now
        finally:
            embedded.stop()
            other.release()
            db.session.remove()
            db.engine.dispose()


def heartbeat_pid() -> int | None:
    db.session.rollback()
    beat = db.session.get(SchedulerHeartbeat, 1)
    return beat.pid if beat else None


def poll(condition, what: str, timeout: float = 90) -> None:
    """Wait for ``condition()``, generously: this proves order, not speed."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_a_second_scheduler_waits_for_the_lock_and_takes_over_when_the_first_dies(
    app, database_uri, tmp_path
):
    env = {
        **os.environ,
        "WAYPOINT_ENV": "development",
        "SCHEDULER_INTERVAL_SECONDS": "1",
        "SCHEDULER_LOCK_POLL_SECONDS": "1",
        "DATABASE_URL": os.environ.get("TEST_DATABASE_URL") or database_uri,
        "WAYPOINT_INSTANCE_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    logs = {name: tmp_path / f"{name}.log" for name in ("first", "second")}

    def start(name: str) -> subprocess.Popen:
        with logs[name].open("wb") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def log(name: str) -> str:
        return logs[name].read_text()

    processes = []
    try:
        first = start("first")
        processes.append(first)
        poll(lambda: heartbeat_pid() == first.pid, "the first scheduler to sweep")

        second = start("second")
        processes.append(second)
        poll(lambda: WAITING in log("second"), "the second scheduler to say it waits")
        assert f"pid {first.pid}" in log("second").split(WAITING, 1)[1].splitlines()[0]
        # The first goes on sweeping; the second sweeps nothing while it waits.
        swept = log("first").count("sweeps:")
        poll(lambda: log("first").count("sweeps:") >= swept + 2, "two more sweeps by the first")
        assert heartbeat_pid() == first.pid
        assert "sweeps:" not in log("second")
        assert "Waypoint scheduler running" not in log("second")

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        poll(lambda: heartbeat_pid() == second.pid, "the second scheduler to take over")
        assert "Scheduler lock taken" in log("second")
        assert "Waypoint scheduler running" in log("second")
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
