"""Operator commands (``flask --app wsgi GROUP ...``), one module per command group."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add every command group to ``flask --app wsgi``."""
    from app.cli import database
    from app.cli.demo import demo_cli
    from app.cli.dev import dev
    from app.cli.people import people_cli
    from app.cli.referrals import referrals_cli
    from app.cli.reports import reports_cli
    from app.cli.scheduler import scheduler_cli
    from app.cli.teams import teams_cli
    from app.cli.triage import triage_cli
    from app.cli.users import users_cli
    from app.cli.vetting import vetting_cli

    for command in (
        referrals_cli,
        triage_cli,
        people_cli,
        users_cli,
        teams_cli,
        demo_cli,
        vetting_cli,
        reports_cli,
        scheduler_cli,
        dev,
    ):
        app.cli.add_command(command)
    database.register(app)
