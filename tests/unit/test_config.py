import pytest

from app import create_app
from config import INSECURE_DEV_KEY, ProductionConfig


class NoSecret(ProductionConfig):
    SECRET_KEY = INSECURE_DEV_KEY


class ShortSecret(ProductionConfig):
    SECRET_KEY = "too-short"


class RealSecret(ProductionConfig):
    SECRET_KEY = "x" * 48
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("config", [NoSecret, ShortSecret])
def test_production_refuses_to_start_without_a_real_secret(config):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_starts_with_a_real_secret_and_secure_cookies():
    app = create_app(RealSecret)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DISPLAY_TIMEZONE"] == "Europe/London"


class ShortSealingKey(RealSecret):
    TWO_STEP_KEY = "short"


def test_production_refuses_a_short_two_step_sealing_key():
    with pytest.raises(RuntimeError, match="TWO_STEP_KEY"):
        create_app(ShortSealingKey)


class MemoryRateLimits(RealSecret):
    RATELIMIT_STORAGE_URI = "memory://"


def test_production_refuses_memory_rate_limit_storage_and_says_what_to_set():
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI is memory:// in production") as e:
        create_app(MemoryRateLimits)
    assert "redis://" in str(e.value) and "RATELIMIT_ALLOW_MEMORY=1" in str(e.value)


class MemoryRateLimitsAllowed(MemoryRateLimits):
    RATELIMIT_ALLOW_MEMORY = True


def test_production_runs_on_memory_rate_limit_storage_when_explicitly_allowed():
    assert create_app(MemoryRateLimitsAllowed).config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_refuses_the_default_rate_limit_storage(monkeypatch):
    import config

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_ALLOW_MEMORY", raising=False)
    overrides = {"SECRET_KEY": "z" * 48, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    monkeypatch.setenv("WAYPOINT_ENV", "production")
    assert config.config_from_env() is ProductionConfig
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app(overrides)


def test_production_refuses_debug_mode(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="Debug mode is on"):
        create_app(RealSecret)


def test_production_flask_debug_command_line_refuses_to_start_and_says_why(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "WAYPOINT_ENV": "production",
        "SECRET_KEY": "y" * 48,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
        "WAYPOINT_INSTANCE_DIR": str(tmp_path),
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    }
    env.pop("FLASK_DEBUG", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    refused = subprocess.run(
        [*flask, "--debug", "routes"], cwd=root, env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "Debug mode is on" in refused.stderr + refused.stdout
    started = subprocess.run([*flask, "routes"], cwd=root, env=env, capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    assert "/healthz" in started.stdout


def _development_public_base_url(**env) -> str:
    """PUBLIC_BASE_URL as a fresh development process started with ``env`` sees it."""
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "HOST", "PORT")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import CONFIGS; print(CONFIGS['development'].PUBLIC_BASE_URL)",
        ],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    ).stdout.strip()


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({}, "http://127.0.0.1:5000"),
        ({"PORT": "8000"}, "http://127.0.0.1:8000"),
        ({"HOST": "0.0.0.0", "PORT": "8000"}, "http://127.0.0.1:8000"),  # noqa: S104
        ({"HOST": "waypoint.local", "PORT": "8080"}, "http://waypoint.local:8080"),
        (
            {"PORT": "8000", "PUBLIC_BASE_URL": "https://waypoint.example"},
            "https://waypoint.example",
        ),
    ],
)
def test_in_development_links_follow_the_port_the_server_runs_on(env, url):
    assert _development_public_base_url(**env) == url


def test_the_app_starts_whatever_a_tool_imported_first(tmp_path):
    """A tool that imports a model module before building the app (bench.crash_safety did:
    the messages' models, which name referrals) still gets an app; before, building it
    failed, since sign-in's statements were built before the referral model was mapped."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = (
        "import casework.messages.models\n"
        "from app import create_app\n"
        f"create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path / 'w.db'}'}})\n"
        "print('built')\n"
    )
    env = {**os.environ, "WAYPOINT_ENV": "test", "WAYPOINT_INSTANCE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == "built", done.stderr[-2000:]
