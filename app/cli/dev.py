"""``flask --app wsgi dev``: the development server with the scheduler beside it."""

from __future__ import annotations

import os

import click
from flask import current_app
from werkzeug.serving import WSGIRequestHandler


class RequestLineLeftToTheApp(WSGIRequestHandler):
    """Werkzeug's request handler without its own line per request: the app writes one for
    every request it answers (app/request_log.py), and two would be noise. What Werkzeug says
    itself (the address it serves, a malformed request it refused) is still logged, without
    query strings (app/logs.py)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@click.command("dev")
@click.option("--host", default="127.0.0.1", envvar="HOST", show_envvar=True)
@click.option("--port", default=5000, type=int, envvar="PORT", show_envvar=True)
def dev(host: str, port: int) -> None:
    """Development only: the web server with the scheduler running beside it. Links in
    letters and messages point at it, unless PUBLIC_BASE_URL says otherwise."""
    from config import local_base_url
    from scheduling.worker import EmbeddedScheduler

    app = current_app._get_current_object()
    if app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "`dev` is the development server; a live service runs gunicorn and the scheduler "
            "(README: Running it for real)."
        )
    if not os.environ.get("PUBLIC_BASE_URL"):
        app.config["PUBLIC_BASE_URL"] = local_base_url(host, port)
    # It takes the scheduler lock like `flask scheduler`, waiting in its thread if another
    # scheduler holds it, so the web server starts at once either way.
    scheduler = EmbeddedScheduler(app).start()
    click.echo(f"Waypoint on http://{host}:{port}/ with the scheduler running beside it.")
    from werkzeug.serving import run_simple

    try:
        # Werkzeug's server directly: Flask ignores app.run() inside a `flask` command.
        run_simple(
            host,
            port,
            app,
            use_reloader=False,
            use_debugger=False,
            threaded=True,
            request_handler=RequestLineLeftToTheApp,
        )
    finally:
        scheduler.stop()
