"""The production server as deployed: gunicorn with deploy/gunicorn.conf.py serving wsgi:app,
with the settings of deploy/waypoint.env.example. Its responses do not name the server
software, and its log has the app's one JSON line per request, with no query string."""

import http.client
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL
from tests.unit.test_deploy_files import env_example

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def wait_for(condition, what: str, timeout: float = 60.0):
    """Poll ``condition`` until it returns something truthy (a generous limit, not a timing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def gunicorn(database_uri, tmp_path):
    """A real gunicorn, one worker, on a free port chosen by the kernel; yields (port, the
    file its standard error goes to)."""
    if not GUNICORN.exists():
        pytest.fail(f"{GUNICORN} is missing: pip install -r requirements.txt")
    database_url = POSTGRES_URL or database_uri
    env = {
        **os.environ,
        # As deployed: every setting from deploy/waypoint.env.example, then the secrets and
        # the places that are this test's own.
        **env_example(),
        "SECRET_KEY": "s" * 48,
        "TWO_STEP_KEY": "t" * 48,
        "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgresql://"),
        "WAYPOINT_INSTANCE_DIR": str(tmp_path / "instance"),
        "RATELIMIT_STORAGE_URI": "memory://",  # Redis has its own test
        "RATELIMIT_ALLOW_MEMORY": "1",
        "WEB_BIND": "127.0.0.1:0",
        "WEB_CONCURRENCY": "1",
    }
    env.pop("FLASK_DEBUG", None)
    output = tmp_path / "output.log"
    error_log = tmp_path / "error.log"
    with output.open("w") as out, error_log.open("w") as err:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
    try:

        def listening_port():
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {error_log.read_text()}")
            for line in error_log.read_text().splitlines():
                if "Listening at: http://127.0.0.1:" in line:
                    return int(line.rsplit(":", 1)[1].split()[0])
            return None

        port = wait_for(listening_port, "gunicorn to listen")
        yield port, error_log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait()


def get(port: int, path: str) -> http.client.HTTPResponse:
    def answer():
        connection = http.client.HTTPConnection("127.0.0.1", port)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return response
        except ConnectionError:
            return None  # the worker is still booting
        finally:
            connection.close()

    return wait_for(answer, f"an answer to GET {path}")


def test_gunicorn_answers_without_naming_its_software_or_logging_query_strings(gunicorn):
    port, error_log = gunicorn
    response = get(port, "/healthz?q=Jane+Doe+01-02-2003")
    assert response.status == 200
    headers = {name.lower(): value for name, value in response.getheaders()}
    assert "server" not in headers, headers
    assert "x-powered-by" not in headers
    assert not any("gunicorn" in v.lower() or "python" in v.lower() for v in headers.values())
    assert headers["x-content-type-options"] == "nosniff"  # the app's own headers still come

    def request_lines():
        lines = [line for line in error_log.read_text().splitlines() if line.startswith("{")]
        return [entry for entry in map(json.loads, lines) if entry.get("event") == "request"]

    [line] = wait_for(request_lines, "the app's line for the request")
    assert line["path"] == "/healthz" and line["status"] == 200
    assert line["request_id"] == headers["x-request-id"]
    logged = error_log.read_text()
    assert "Jane" not in logged and "q=" not in logged and "?" not in logged
