"""``flask --app wsgi vetting expiring``: staff whose vetting is due to expire (spec 12)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from casework.db import db, utcnow
from casework.staff.vetting import local_today
from casework.staff.vetting_expiry import expiring_vetting
from triage.vetting import EXPIRY_WARNING_DAYS

vetting_cli = AppGroup("vetting", help="Staff vetting and training.")


def expiring_entry(row, today) -> dict:
    """One staff member of ``vetting expiring --json``."""
    return {
        "staff_id": row.staff.id,
        "name": row.staff.name,
        "email": row.staff.email,
        "role": row.staff.role,
        "team": row.staff.team.name if row.staff.team else None,
        "soonest": row.soonest.isoformat(),
        "expired": row.soonest <= today,
        "police_vetting_expires_on": row.nppv_expires_on and row.nppv_expires_on.isoformat(),
        "dbs_recheck_on": row.dbs_recheck_on and row.dbs_recheck_on.isoformat(),
        "what": list(row.what),
    }


@vetting_cli.command("expiring")
@click.option(
    "--days",
    type=click.IntRange(0, 3660),
    default=EXPIRY_WARNING_DAYS,
    show_default=True,
    help="How many days ahead to look.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of text.")
def expiring(days: int, as_json: bool) -> None:
    """Active staff whose police vetting or DBS check expires within DAYS (default 60) or
    already has, soonest first."""
    today = local_today(utcnow())
    rows = expiring_vetting(db.session, today, days)
    if as_json:
        click.echo(json.dumps([expiring_entry(row, today) for row in rows]))
        return
    if not rows:
        click.echo(f"No police vetting or DBS check expires in the next {days} days.")
        return
    for row in rows:
        team = f", {row.staff.team.name}" if row.staff.team else ""
        state = "EXPIRED" if row.soonest <= today else f"in {(row.soonest - today).days} days"
        click.echo(
            f"{row.soonest.isoformat()}  {state:<12} {row.staff.name} "
            f"({row.staff.role_label}{team}): {'; '.join(row.what)}"
        )
