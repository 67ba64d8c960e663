"""The APScheduler process: a clock that runs the sweeps in scheduling/sweeps/."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import socket
import threading
from collections.abc import Callable
from time import perf_counter

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from casework.audit import Origin
from casework.db import db, utcnow
from casework.heartbeat.sweeps import record_sweep
from scheduling.lock import SchedulerLock, scheduler_lock
from scheduling.sweep_counts import sweep_counts
from scheduling.sweeps import SWEEPS, context

log = logging.getLogger("waypoint.scheduler")
SCHEDULER = Origin.command_line("scheduler")


def sweeps(config) -> dict[str, Callable]:
    """Every sweep by name, in the order they run; each takes a session and ``now``."""
    ctx = context(config)
    return {
        name: (lambda session, now, sweep=sweep: sweep(session, ctx, now=now))
        for name, sweep in SWEEPS.items()
    }


def run_once(app, now=None) -> dict[str, object]:
    """Run every sweep once, as of ``now``; returns what each did, and logs it in one line
    (counts only, and how long the run took)."""
    now = now or utcnow()
    started = perf_counter()
    summary: dict[str, object] = {"now": now.isoformat()}
    with app.app_context():
        try:
            for name, sweep in sweeps(app.config).items():
                try:
                    summary[name] = sweep(db.session, now)
                except Exception:
                    db.session.rollback()
                    log.exception("sweep %s failed", name)
                    summary[name] = "failed"
                # Each sweep commits its own work; what it loaded is not carried to the next.
                db.session.expunge_all()
            failed = [name for name, done in summary.items() if done == "failed"]
            if failed:
                # The heartbeat says the sweeps work, not only that the process lives: a sweep
                # failing run after run leaves it to go stale, and /readyz and the admins'
                # page to say so.
                log.error("not recording the heartbeat: sweeps failed: %s", ", ".join(failed))
            else:
                _record_heartbeat()
        finally:
            db.session.remove()
    duration = round((perf_counter() - started) * 1000, 1)
    log.info(
        "sweeps: ran in %s ms",
        duration,
        extra={"event": "sweeps", "duration_ms": duration, "sweeps": sweep_counts(summary)},
    )
    return summary


def _record_heartbeat() -> None:
    """Say when this run finished (the admins' page and /readyz read it); a failure to say so
    is logged, never fatal to the scheduler."""
    try:
        record_sweep(db.session, now=utcnow(), host=socket.gethostname(), pid=os.getpid())
    except Exception:
        db.session.rollback()
        log.exception("could not record the scheduler heartbeat")


def lock_for(app) -> SchedulerLock:
    """The one-scheduler-at-a-time lock for the app's database (scheduling/lock.py)."""
    with app.app_context():
        return scheduler_lock(db.engine.url)


def _sweep_while_locked(app, lock: SchedulerLock) -> None:
    """One scheduled run, only while this process still holds the lock (a PostgreSQL
    connection that dropped loses it: take it again if it is free, else stand aside)."""
    if not lock.held() and not lock.try_acquire():
        log.error("lost the scheduler lock to another scheduler: not sweeping")
        return
    run_once(app)


def build_scheduler(app, *, blocking: bool, lock: SchedulerLock | None = None):
    """An APScheduler that runs all sweeps every SCHEDULER_INTERVAL_SECONDS, one at a time,
    each run only while ``lock`` is held (take it first: see ``run_scheduler``).

    A run missed while the process was stopped is simply the next run: every sweep works from
    the rows that are due as of now, so nothing is lost or repeated.
    """
    lock = lock or SchedulerLock()
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone="UTC")
    scheduler.add_job(
        lambda: _sweep_while_locked(app, lock),
        "interval",
        seconds=app.config["SCHEDULER_INTERVAL_SECONDS"],
        id="sweeps",
        max_instances=1,
        coalesce=True,
        next_run_time=utcnow(),
    )
    return scheduler


def settle_heap() -> None:
    """What the scheduler process holds once started (modules, the app, the mapped classes and
    their compiled statements) lives as long as it does: collect once, then freeze it, so the
    garbage collector's full collections, which a busy sweep's loading sets off, stop
    re-reading all of it each time (one took 0.28 s of a 1.7 s sweep in bench/sweep.py).
    What a sweep allocates later is collected as usual, except garbage whose reference cycle
    runs through a frozen object (a dropped database connection the lock replaced, say): a
    small, bounded leak."""
    gc.collect()
    gc.freeze()


def run_scheduler(app, *, on_start: Callable[[], None] = lambda: None) -> None:
    """The scheduler process: wait for the lock, then sweep until stopped, then let it go."""
    lock = lock_for(app)
    scheduler = None
    try:
        lock.wait(poll_seconds=app.config["SCHEDULER_LOCK_POLL_SECONDS"])
        settle_heap()
        on_start()
        scheduler = build_scheduler(app, blocking=True, lock=lock)
        scheduler.start()
    finally:
        # Stopped (Ctrl+C): let a run in progress finish before the lock goes, or a waiting
        # scheduler would take it and sweep alongside that run.
        _finish_runs(scheduler)
        lock.release()


def _finish_runs(scheduler) -> None:
    """Stop ``scheduler`` taking new runs and wait for the one in progress, if any."""
    if scheduler is None:
        return
    with contextlib.suppress(SchedulerNotRunningError):
        scheduler.shutdown(wait=True)


class EmbeddedScheduler:
    """The development server's scheduler: waits for the lock in a background thread (the web
    server starts at once), then sweeps in the background until ``stop``."""

    def __init__(self, app) -> None:
        self.app = app
        self._stop = threading.Event()
        self._scheduler = None
        self._lock = lock_for(app)
        self._thread = threading.Thread(target=self._run, name="waypoint-scheduler", daemon=True)

    def start(self) -> EmbeddedScheduler:
        """Start waiting for the lock, and sweeping once it is taken."""
        self._thread.start()
        return self

    def _run(self) -> None:
        if not self._lock.wait(
            poll_seconds=self.app.config["SCHEDULER_LOCK_POLL_SECONDS"], stop=self._stop
        ):
            return
        scheduler = build_scheduler(self.app, blocking=False, lock=self._lock)
        scheduler.start()
        self._scheduler = scheduler
        if self._stop.is_set():
            self.stop()

    def stop(self) -> None:
        """Stop sweeping (or waiting) and let the lock go."""
        self._stop.set()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            _finish_runs(scheduler)
            self._lock.release()
