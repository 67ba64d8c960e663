"""``flask --app wsgi referrals ...`` and ``triage ...``: imports and the queue for scripts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from casework.audit import Origin
from casework.db import db, utcnow
from casework.police_import import FileError, import_police_download
from scheduling.calendars import victim_calendar

referrals_cli = AppGroup("referrals", help="Referral intake.")
triage_cli = AppGroup("triage", help="The triage queue.")


def parse_moment(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 moment with its offset, for options like --received-at and --now."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            "use ISO 8601, e.g. 2026-11-23T09:00:00+00:00", param_hint=option
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter("include a UTC offset, e.g. +00:00", param_hint=option)
    return moment


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

    from casework.queue import queue_for_export

    tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    click.echo("[", nl=False)
    for index, referral in enumerate(queue_for_export(db.session)):
        click.echo(("," if index else "") + json.dumps(queue_entry(referral, tz)), nl=False)
    click.echo("]")


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


people_cli = AppGroup("people", help="People's rights over their data.")


@people_cli.command("export")
@click.argument("reference")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="write here")
def export_person(reference: str, out: Path | None):
    """Subject-access export: everything held about the person behind REFERENCE (WP-...)."""
    from casework.errors import NotFound
    from casework.subject_access import subject_access_export

    try:
        export = subject_access_export(
            db.session,
            reference,
            actor=None,
            origin=Origin.command_line("people export"),
            now=utcnow(),
        )
    except NotFound:
        raise click.ClickException(f"no referral has the reference {reference!r}") from None
    text = json.dumps(export, indent=2, ensure_ascii=False)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {len(export['referrals'])} referral(s) to {out}", err=True)
    else:
        click.echo(text)


@people_cli.command("anonymise-expired")
@click.option("--now", "now_text", help="as of this moment (ISO 8601 with offset)")
def anonymise_expired_people(now_text: str | None):
    """Remove the personal details of everyone past the retention period (RETENTION_YEARS)."""
    from casework.retention import anonymise_expired

    now = parse_moment(now_text, "--now") or utcnow()
    years = current_app.config["RETENTION_YEARS"]
    done = anonymise_expired(
        db.session, now=now, years=years, origin=Origin.command_line("people anonymise-expired")
    )
    click.echo(json.dumps({"anonymised": done, "retention_years": years}))
