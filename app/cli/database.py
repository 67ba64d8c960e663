"""``flask --app wsgi db backup PATH``: a consistent copy of the live SQLite database.

Added to Flask-Migrate's ``db`` group (beside ``db upgrade``), which Migrate.init_app puts on
the app's command line in register_extensions."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from casework.backup import (
    BackupRefused,
    backup_sqlite,
    check_destination,
    pg_dump_commands,
    sqlite_database,
)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def db_backup(path: Path) -> None:
    """Copy the live SQLite database to PATH, safely while the web and scheduler run; a
    new file only (an existing PATH exits 1). On PostgreSQL, print the pg_dump command to use
    instead and exit 2."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        source = sqlite_database(uri)
        if source is None:
            check_destination(path.absolute())
            dump, restore = pg_dump_commands(uri, path.absolute())
            click.echo(
                "The database is PostgreSQL: back it up with pg_dump (nothing was copied).\n"
                f"  back up:  {dump}\n"
                f"  restore:  {restore}",
                err=True,
            )
            raise SystemExit(2)
        made = backup_sqlite(
            source, path, busy_timeout_ms=current_app.config["SQLITE_BUSY_TIMEOUT_MS"]
        )
    except BackupRefused as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"Backed up {made.source} to {made.destination}: {made.pages} pages of "
        f"{made.page_size} bytes ({made.size_bytes} bytes), integrity checked."
    )


def register(app: Flask) -> None:
    """Add ``backup`` to the ``db`` group (Flask-Migrate's, shared by every app)."""
    app.cli.commands["db"].add_command(db_backup)
