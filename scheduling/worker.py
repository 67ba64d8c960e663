"""The APScheduler process: a clock that runs the sweeps in scheduling.jobs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from casework.audit import Origin
from casework.db import db, utcnow
from casework.people.retention import anonymise_expired
from casework.staff.sign_in import SessionPolicy, end_expired_sessions
from scheduling import jobs
from scheduling.messaging.content import Wording
from scheduling.messaging.senders import email_sender, sms_sender
from scheduling.service_calendars import victim_calendar

log = logging.getLogger("waypoint.scheduler")
SCHEDULER = Origin.command_line("scheduler")


def context(config) -> jobs.Context:
    """Calendar, wording and senders, from the settings."""
    inbox = config.get("INBOX_DIR") or str(Path(config["INSTANCE_DIR"]) / "inbox")
    return jobs.Context(
        calendar=victim_calendar(config),
        wording=Wording(
            config["VICTIM_SERVICE_NAME"],
            config["SERVICE_PHONE"],
            config["PUBLIC_BASE_URL"].rstrip("/") + "/refer",
        ),
        sms=sms_sender(config),
        email=email_sender(config),
        inbox=Path(inbox),
        match_key_limit=config["MATCH_KEY_LIMIT"],
        import_job_stuck=timedelta(minutes=config["IMPORT_JOB_STUCK_MINUTES"]),
    )


def sweeps(config) -> dict[str, Callable]:
    """Every sweep by name, in the order they run; each takes a session and ``now``."""
    policy = SessionPolicy.from_settings(config)
    ctx = context(config)
    return {
        "imports": lambda session, now: jobs.import_inbox(session, ctx, now=now),
        "uploads": lambda session, now: jobs.import_uploads(session, ctx, now=now),
        "breaches": lambda session, now: jobs.mark_breaches(session, ctx, now=now),
        "messages_queued": lambda session, now: jobs.queue_contact_messages(session, ctx, now=now),
        "reminders_queued": lambda session, now: jobs.queue_reminders(session, ctx, now=now),
        "re_engagement_prompts": lambda session, now: jobs.queue_re_engagement_prompts(
            session, ctx, now=now
        ),
        "messages": lambda session, now: jobs.dispatch_messages(session, ctx, now=now),
        "stuck_messages": lambda session, now: jobs.flag_stuck_messages(session, now=now),
        "sessions_ended": lambda session, now: end_expired_sessions(
            session, now=now, policy=policy
        ),
        "anonymised": lambda session, now: anonymise_expired(
            session,
            now=now,
            years=config["RETENTION_YEARS"],
            origin=Origin.command_line("scheduler"),
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
