"""``flask --app wsgi users create``: staff accounts for scripts."""

from __future__ import annotations

import json
import os

import click
from flask.cli import AppGroup

from app.cli.common import fail
from casework.audit import Origin
from casework.db import db, utcnow
from casework.errors import ValidationError
from casework.staff.accounts import StaffDetails, create_staff
from casework.staff.directory import team_named
from casework.staff.models import ROLES

users_cli = AppGroup("users", help="Staff accounts.")


def _team_by_name(name: str | None) -> int | None:
    if not name:
        return None
    team = team_named(db.session, name)
    if team is None:
        raise click.BadParameter(f"no team called {name!r}", param_hint="--team")
    return team.id


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice(list(ROLES)), help="Role.")
@click.option("--team", default=None, help="Team name (must exist).")
def users_create(email: str, name: str, role: str, team: str | None) -> None:
    """Create a staff account; the password comes from WAYPOINT_PASSWORD or a prompt."""
    password = os.environ.get("WAYPOINT_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        staff = create_staff(
            db.session,
            StaffDetails(email=email, name=name, role=role, team_id=_team_by_name(team)),
            password=password,
            actor=None,
            origin=Origin.command_line("users create"),
            now=utcnow(),
        )
    except ValidationError as exc:
        db.session.rollback()
        fail(exc)
    click.echo(json.dumps({"id": staff.id, "email": staff.email, "role": staff.role}))
