"""``flask --app wsgi people ...``: people's rights over their data (subject access, retention)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.common import parse_moment
from casework.audit import Origin
from casework.db import db, utcnow

people_cli = AppGroup("people", help="People's rights over their data.")


@people_cli.command("export")
@click.argument("reference")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="write here")
def export_person(reference: str, out: Path | None):
    """Subject-access export: everything held about the person behind REFERENCE (WP-...)."""
    from casework.errors import NotFound
    from casework.people.subject_access import subject_access_export

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
    from casework.people.retention import anonymise_expired

    now = parse_moment(now_text, "--now") or utcnow()
    years = current_app.config["RETENTION_YEARS"]
    done = anonymise_expired(
        db.session, now=now, years=years, origin=Origin.command_line("people anonymise-expired")
    )
    click.echo(json.dumps({"anonymised": done, "retention_years": years}))


@people_cli.command("anonymise-expired-professionals")
@click.option("--now", "now_text", help="as of this moment (ISO 8601 with offset)")
def anonymise_expired_professionals(now_text: str | None):
    """Remove the professional's details from HSB advice contacts received more than the
    line's retention years ago (its settings page); the anonymous advice is kept."""
    from casework.hsb.contacts import line_settings
    from casework.hsb.retention import anonymise_expired_contacts

    now = parse_moment(now_text, "--now") or utcnow()
    done = anonymise_expired_contacts(
        db.session, now=now, origin=Origin.command_line("people anonymise-expired-professionals")
    )
    years = line_settings(db.session).retention_years
    click.echo(json.dumps({"anonymised": done, "retention_years": years}))
