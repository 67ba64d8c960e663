"""``flask --app wsgi demo ...``: synthetic demonstration data, never real people."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from casework.db import db, utcnow
from casework.demo.groups import seed_demo_groups
from casework.demo.hardship import seed_demo_hardship
from casework.demo.hsb_advice import seed_demo_hsb_advice
from casework.demo.hsb_calls import seed_demo_hsb_calls
from casework.demo.hsb_feedback import seed_demo_hsb_feedback
from casework.demo.hsb_resources import seed_demo_hsb_resources
from casework.demo.onward import seed_demo_onward
from casework.demo.partners import seed_partners
from casework.demo.restorative import seed_demo_restorative
from casework.demo.seed import seed_demo_referrals, seed_demo_staff
from casework.demo.volunteers import seed_demo_volunteers
from scheduling.service_calendars import hsb_calendar, victim_calendar

demo_cli = AppGroup("demo", help="Synthetic demonstration data (never real people).")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Add demo teams and staff (idempotent) and print each account's fresh password."""
    now = utcnow()
    rows = seed_demo_staff(db.session, now)
    partners = seed_partners(db.session, now)
    click.echo(f"Demo partner registry: {len({a.id for a in partners.values()})} agencies")
    seeded = seed_demo_referrals(db.session, victim_calendar(current_app.config), now)
    if seeded:
        click.echo("Demo referrals: " + ", ".join(f"{n} {route}" for route, n in seeded.items()))
        onward = seed_demo_onward(
            db.session, partners, now=now, calendar=victim_calendar(current_app.config)
        )
        if onward:
            click.echo("Demo onward referrals: " + ", ".join(f"{n} {s}" for s, n in onward.items()))
        click.echo(seed_demo_restorative(db.session, now=now))
        hardship = seed_demo_hardship(db.session, now)
        if hardship:
            click.echo(
                "Demo hardship fund and statements: "
                + ", ".join(f"{n} {k}" for k, n in hardship.items())
            )
        groups = seed_demo_groups(db.session, now=now)
        if groups:
            click.echo(
                "Demo group sessions and complaints: "
                + ", ".join(f"{n} {s}" for s, n in groups.items())
            )
    volunteers = seed_demo_volunteers(db.session, now)
    if volunteers:
        click.echo("Demo volunteers: " + ", ".join(f"{n} {s}" for s, n in volunteers.items()))
    seed_demo_advice_line(now)
    click.echo("\nDemo staff accounts (synthetic; passwords are new on every seed):")
    width = max(len(r[1]) for r in rows)
    for role, email, password in rows:
        click.echo(f"  {role:<14} {email:<{width}}  {password}")
    click.echo("")


def seed_demo_advice_line(now) -> None:
    """The HSB advice line's demo: calls and callbacks, advice on contacts, feedback (each
    once), printing a line each."""
    line = hsb_calendar(current_app.config)
    click.echo(seed_demo_hsb_calls(db.session, now, calendar=line))
    click.echo(seed_demo_hsb_advice(db.session, now, calendar=line))
    click.echo(seed_demo_hsb_feedback(db.session, now, calendar=line))
    click.echo(seed_demo_hsb_resources(db.session, now))


@demo_cli.command("police-csv")
@click.option(
    "--rows", type=click.IntRange(1, 5_000_000), required=True, help="How many victims (rows)."
)
@click.option("--seed", type=int, default=2026, help="Random seed, for repeatable files.")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def demo_police_csv(rows: int, seed: int, path: Path) -> None:
    """Write a valid synthetic police download of any size to PATH."""
    from casework.demo.generator import police_rows
    from casework.referrals.police_import import COLUMNS

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(police_rows(rows, received_on=utcnow().date(), seed=seed))
    click.echo(json.dumps({"rows": rows, "path": str(path)}))
