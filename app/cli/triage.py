"""``flask --app wsgi triage queue --json``: the triage queue for scripts (DESIGN.md Stable
interfaces).
"""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from casework.db import db

triage_cli = AppGroup("triage", help="The triage queue.")


def queue_entry(referral, tz) -> dict:
    """One referral as the ``triage queue --json`` contract in DESIGN.md describes it."""
    return {
        "id": referral.id,
        "crime_reference": referral.crime_reference,
        "priority": referral.priority,
        "reasons": list(referral.priority_reasons or []),
        "contact_method": referral.contact_method,
        "repeat_victim": bool(referral.repeat_victim),
        "obligations": [
            {
                "kind": o.kind,
                "channel": o.channel,
                "due_at": o.due_at.astimezone(tz).isoformat(),
                "status": o.status,
            }
            for o in referral.obligations
        ],
    }


@triage_cli.command("queue")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    required=True,
    help="Print the queue as JSON (the only format).",
)
def queue(as_json: bool) -> None:
    """Print every open referral in queue order as a JSON array (DESIGN.md contract)."""
    from zoneinfo import ZoneInfo

    from casework.referrals.queue import queue_for_export

    tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    click.echo("[", nl=False)
    for index, referral in enumerate(queue_for_export(db.session)):
        click.echo(("," if index else "") + json.dumps(queue_entry(referral, tz)), nl=False)
    click.echo("]")
