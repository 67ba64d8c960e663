"""gunicorn settings for Waypoint: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Read from the same environment file as the app (deploy/waypoint.env.example):
``WEB_BIND`` (default 127.0.0.1:8000, the reverse proxy's upstream), ``WEB_CONCURRENCY``
(worker processes, default 2) and ``WEB_TIMEOUT`` (seconds a worker may spend on one request,
default 60).
"""

import os

from gunicorn.http import wsgi as _gunicorn_wsgi

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "") or 2)
timeout = int(os.environ.get("WEB_TIMEOUT", "") or 60)
worker_class = "sync"  # behind a buffering reverse proxy (nginx, Caddy), as gunicorn advises

# Which proxy to believe is the app's decision (TRUSTED_PROXIES, werkzeug's ProxyFix): gunicorn
# itself trusts no X-Forwarded-* header, so there is one place that says who the client is.
forwarded_allow_ips = ""

# gunicorn 23+ opens a control socket in $HOME/.gunicorn by default; Waypoint does not use it,
# and the service's home is not writable (ProtectHome), so none.
control_socket_disable = True

# No access log of gunicorn's own: the app writes one line for each request it answers, with
# the route, status, duration, staff id and request id, and never a query string (app/logs.py,
# README: Logs); a second line per request would be noise. Its own lines (start-up, workers,
# errors) and the app's go to standard error, so the journal.
accesslog = None
errorlog = "-"


def _without_server_header(default_headers):
    """gunicorn always sends ``Server: gunicorn`` and has no setting to stop it (its issue
    #825); naming the server software only helps someone matching it to known flaws."""

    def headers(self):
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    return headers


_gunicorn_wsgi.Response.default_headers = _without_server_header(
    _gunicorn_wsgi.Response.default_headers
)
