"""``flask --app wsgi teams create``: teams of the victim service and the HSB advice line."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from casework.audit import Origin
from casework.db import db, utcnow
from casework.errors import ValidationError
from casework.staff.accounts import create_team
from casework.staff.models import SERVICES

teams_cli = AppGroup("teams", help="Teams of the victim service and the HSB advice line.")


@teams_cli.command("create")
@click.argument("name")
@click.option(
    "--service", required=True, type=click.Choice(list(SERVICES)), help="The team's service."
)
def teams_create(name: str, service: str) -> None:
    """Create a team (audited); prints {"id", "name", "service"}. An existing name exits 1."""
    try:
        team = create_team(
            db.session,
            name=name,
            service=service,
            actor=None,
            origin=Origin.command_line("teams create"),
            now=utcnow(),
        )
    except ValidationError as exc:
        db.session.rollback()
        for message in exc.errors.values():
            click.echo(f"error: {message}", err=True)
        raise SystemExit(1) from None
    click.echo(json.dumps({"id": team.id, "name": team.name, "service": team.service}))
