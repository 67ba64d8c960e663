"""``flask --app wsgi scheduler`` (the scheduler process) and ``scheduler run-once``."""

from __future__ import annotations

import contextlib
import json

import click
from flask import current_app


@click.group("scheduler", invoke_without_command=True)
@click.pass_context
def scheduler_cli(ctx) -> None:
    """Run the scheduler process (the sweeps that keep deadlines). Only one runs at a time:
    another started while it runs waits for its lock and takes over if it stops."""
    if ctx.invoked_subcommand is None:
        from scheduling.worker import run_scheduler

        # Each run logs one line (LOG_FORMAT, LOG_LEVEL: set up with the app, app/logs.py).
        app = current_app._get_current_object()
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            run_scheduler(
                app, on_start=lambda: click.echo("Waypoint scheduler running; Ctrl+C to stop.")
            )


@scheduler_cli.command("run-once")
@click.option("--now", "now_text", default=None, help="Act as of this ISO-8601 moment.")
def scheduler_run_once(now_text: str | None) -> None:
    """Run every sweep once and print a JSON summary of what each did (its log line, counts
    only, goes to standard error)."""
    from app.cli.common import parse_moment
    from scheduling.worker import run_once

    now = parse_moment(now_text, "--now")
    click.echo(json.dumps(run_once(current_app._get_current_object(), now)))
