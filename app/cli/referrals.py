"""``flask --app wsgi referrals ...``: police downloads and emailed partner referrals."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.common import parse_moment
from casework.audit import Origin
from casework.db import db, utcnow
from casework.referrals.police_import import FileError, import_police_download
from scheduling.service_calendars import victim_calendar

referrals_cli = AppGroup("referrals", help="Referral intake.")


@referrals_cli.command("import-police")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--received-at", "received_text", help="When the download arrived (ISO 8601).")
def import_police(path: Path, received_text: str | None) -> None:
    """Import a police daily download and print the JSON summary (DESIGN.md)."""
    received_at = parse_moment(received_text, "--received-at") or utcnow()
    try:
        result = import_police_download(
            db.session,
            path.read_bytes(),
            filename=path.name,
            received_at=received_at,
            calendar=victim_calendar(current_app.config),
            origin=Origin.command_line("referrals import-police"),
            now=utcnow(),
            match_key_limit=current_app.config["MATCH_KEY_LIMIT"],
        )
    except FileError as exc:
        db.session.rollback()
        click.echo(f"error: {path.name}: {exc}; nothing was imported", err=True)
        raise SystemExit(2) from None
    click.echo(json.dumps(result.as_json()))


@referrals_cli.command("import-email")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def import_email(paths: tuple[Path, ...]) -> None:
    """Import standard emailed partner referrals (.eml files); prints a JSON summary."""
    from casework.referrals.email_referral import import_referral_email

    summary = {"imported": 0, "duplicates": 0, "rejected": 0, "rejections": []}
    calendar = victim_calendar(current_app.config)
    origin = Origin.command_line("referrals import-email")
    for path in paths:
        outcome, detail = import_referral_email(
            db.session, path.read_bytes(), calendar=calendar, now=utcnow(), origin=origin
        )
        if outcome == "imported":
            summary["imported"] += 1
        elif outcome == "duplicate":
            summary["duplicates"] += 1
        else:
            summary["rejected"] += 1
            summary["rejections"].append({"file": path.name, "reason": detail})
    click.echo(json.dumps(summary))
