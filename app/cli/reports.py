"""``flask --app wsgi reports ...``: the reports other tools script against."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from casework.audit import Origin
from casework.db import db, utcnow

reports_cli = AppGroup("reports", help="Reports for funders and commissioners.")


def _month(ctx, param, value):
    from casework.hsb.monthly import parse_month

    try:
        return parse_month(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@reports_cli.command("hsb-monthly")
@click.option("--month", required=True, callback=_month, help="the UK calendar month, like 2026-10")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object (DESIGN.md)")
def hsb_monthly(month, as_json: bool) -> None:
    """The HSB advice line's monthly monitoring for MONTH (anonymised counts)."""
    from casework.hsb.monthly import csv_rows, monthly_report

    report = monthly_report(
        db.session,
        month,
        actor=None,
        origin=Origin.command_line("reports hsb-monthly"),
        now=utcnow(),
        what="json" if as_json else "text",
    )
    if as_json:
        click.echo(json.dumps(report.figures))
        return
    click.echo(f"HSB advice line, {report.month.label}")
    for section, measure, value in csv_rows(report)[1:]:
        click.echo(f"{section}: {measure}: {value or '-'}")
