"""The APScheduler process: a clock that runs the sweeps in scheduling/sweeps/."""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from casework.audit import Origin
from casework.db import db, utcnow
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
    """Run every sweep once, as of ``now``; returns what each did."""
    now = now or utcnow()
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
        finally:
            db.session.remove()
    return summary


def build_scheduler(app, *, blocking: bool):
    """An APScheduler that runs all sweeps every SCHEDULER_INTERVAL_SECONDS, one at a time.

    A run missed while the process was stopped is simply the next run: every sweep works from
    the rows that are due as of now, so nothing is lost or repeated.
    """
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone="UTC")
    scheduler.add_job(
        lambda: log.info("sweeps: %s", run_once(app)),
        "interval",
        seconds=app.config["SCHEDULER_INTERVAL_SECONDS"],
        id="sweeps",
        max_instances=1,
        coalesce=True,
        next_run_time=utcnow(),
    )
    return scheduler
