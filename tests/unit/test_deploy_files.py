"""deploy/: the environment file lists every setting and no secret; the systemd units run as
their own user with the hardening README promises; gunicorn leaves request lines to the app."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|_KEY$")  # not MATCH_KEY_LIMIT


def settings_read(path: Path) -> set[str]:
    """Names a module reads from the environment: os.environ.get("X"), os.environ["X"],
    _env_int("X", ...) and _env_bool("X", ...)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            reader = ast.unparse(node.func)
            if reader in ("os.environ.get", "_env_int", "_env_bool"):
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def env_example() -> dict[str, str]:
    """The example file as systemd's EnvironmentFile reads it: KEY=VALUE, quotes stripped."""
    values = {}
    previous = ""
    for number, line in enumerate((DEPLOY / "waypoint.env.example").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            previous = line
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        assert match, f"line {number} is not KEY=VALUE: {line!r}"
        name, value = match.groups()
        assert name not in values, f"{name} is listed twice"
        assert previous.startswith("# "), f"{name} has no comment line above it"
        if " " in value:
            assert value.startswith('"') and value.endswith('"'), f"quote {name}'s value"
        values[name] = value.strip('"')
        previous = line
    return values


def test_config_reads_settings_found_by_the_parser():
    # The parser itself: it must see the settings config.py spreads over several lines.
    read = settings_read(ROOT / "config.py")
    assert {"SECRET_KEY", "VICTIM_SERVICE_HOURS", "TRUSTED_PROXIES", "WAYPOINT_ENV"} <= read


def test_every_setting_config_and_gunicorn_read_is_in_the_environment_example():
    listed = set(env_example())
    read = settings_read(ROOT / "config.py") | settings_read(DEPLOY / "gunicorn.conf.py")
    assert read - listed == set(), "add these to deploy/waypoint.env.example"
    assert listed - read == set(), "nothing reads these"


def test_the_environment_example_holds_no_secret():
    values = env_example()
    secrets = [name for name in values if SECRET_NAME.search(name)]
    assert {"SECRET_KEY", "TWO_STEP_KEY", "TWILIO_AUTH_TOKEN", "SMTP_PASSWORD"} <= set(secrets)
    assert {name: values[name] for name in secrets if values[name]} == {}
    for name, value in values.items():
        assert not re.search(r"://[^/@\s]*:[^/@\s]*@", value), f"{name} carries a password"


def test_the_environment_example_describes_a_live_service():
    values = env_example()
    assert values["WAYPOINT_ENV"] == "production"
    assert values["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert values["PUBLIC_BASE_URL"].startswith("https://")
    assert values["SESSION_COOKIE_SECURE"] == "true"


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's settings, each name with all its values (some repeat)."""
    settings: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


@pytest.mark.parametrize(
    ("name", "command"),
    [
        (
            "waypoint-web.service",
            "/opt/waypoint/.venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app",
        ),
        ("waypoint-scheduler.service", "/opt/waypoint/.venv/bin/flask --app wsgi scheduler"),
    ],
)
def test_systemd_units_run_hardened_as_their_own_user(name, command):
    settings = unit(name)
    instance_dir = env_example()["WAYPOINT_INSTANCE_DIR"]
    assert settings["ExecStart"] == [command]
    assert settings["WorkingDirectory"] == ["/opt/waypoint"]
    expected = {
        "User": ["waypoint"],
        "Restart": ["on-failure"],
        "EnvironmentFile": ["/etc/waypoint/waypoint.env"],
        "NoNewPrivileges": ["yes"],
        "ProtectSystem": ["strict"],
        "ReadWritePaths": [instance_dir],  # the only place it may write
        "ReadOnlyPaths": ["/opt/waypoint"],
        "ProtectHome": ["yes"],
        "PrivateTmp": ["yes"],
        "PrivateDevices": ["yes"],
        "CapabilityBoundingSet": [""],
        "AmbientCapabilities": [""],
        "RestrictSUIDSGID": ["yes"],
    }
    assert {key: settings.get(key) for key in expected} == expected


def test_gunicorn_writes_no_access_log_of_its_own():
    """The app writes one line per request, never with a query string (app/request_log.py);
    gunicorn's access log would be a second, so it is off, and no format for it is kept that
    could be turned on with a query string or Referer in it."""
    tree = ast.parse((DEPLOY / "gunicorn.conf.py").read_text())
    settings = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert isinstance(settings["accesslog"], ast.Constant) and settings["accesslog"].value is None
    assert "access_log_format" not in settings
    assert ast.literal_eval(settings["errorlog"]) == "-"
