"""What every command group shares: errors in words, moments in ISO 8601."""

from __future__ import annotations

from datetime import datetime

import click

from casework.errors import ValidationError


def fail(exc: ValidationError) -> None:
    """Print a service's validation messages, one a line, and exit 2."""
    for field, message in exc.errors.items():
        click.echo(f"error: {field}: {message}", err=True)
    raise SystemExit(2)


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
