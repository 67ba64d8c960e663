"""The APScheduler process: a clock that runs the sweeps in scheduling.jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from casework.db import db, utcnow
from casework.staff import SessionPolicy
from scheduling import jobs

log = logging.getLogger("waypoint.scheduler")


def _policy(config) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
        max_failures=config["LOGIN_MAX_FAILURES"],
        lockout=timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
    )


def sweeps(config) -> dict[str, Callable]:
    """Every sweep by name, each taking a session and the moment to act as of."""
    policy = _policy(config)
    return {
        "end_expired_sessions": lambda session, now: jobs.end_expired_sessions(
            session, now=now, policy=policy
        ),
    }


def run_once(app, now=None) -> dict[str, object]:
    """Run every sweep once, as of ``now``; returns what each did."""
    now = now or utcnow()
    summary: dict[str, object] = {"now": now.isoformat()}
    with app.app_context():
        for name, sweep in sweeps(app.config).items():
            try:
                summary[name] = sweep(db.session, now)
            except Exception:
                db.session.rollback()
                log.exception("sweep %s failed", name)
                summary[name] = "failed"
            finally:
                db.session.remove()
    return summary


def build_scheduler(app, *, blocking: bool):
    """An APScheduler that runs all sweeps every SCHEDULER_INTERVAL_SECONDS, one at a time."""
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
