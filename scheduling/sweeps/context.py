"""What the sweeps need besides a session and the time, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from casework.people.matching import MATCH_KEY_LIMIT
from casework.staff.sign_in import SessionPolicy
from scheduling.messaging.content import Wording
from scheduling.messaging.senders import email_sender, sms_sender
from scheduling.service_calendars import victim_calendar


@dataclass(frozen=True)
class Context:
    """The calendar, the wording and the senders, the inbox, and the settings sweeps read."""

    calendar: object
    wording: Wording
    sms: object
    email: object
    inbox: Path | None = None
    match_key_limit: int = MATCH_KEY_LIMIT
    import_job_stuck: timedelta = timedelta(minutes=30)
    session_policy: SessionPolicy | None = None
    retention_years: int = 6


def context(config) -> Context:
    """The sweeps' context from the app's settings."""
    inbox = config.get("INBOX_DIR") or str(Path(config["INSTANCE_DIR"]) / "inbox")
    return Context(
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
        session_policy=SessionPolicy.from_settings(config),
        retention_years=config["RETENTION_YEARS"],
    )
