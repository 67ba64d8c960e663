"""Waypoint configuration, read from environment variables.

Every setting is listed with its default in README.md. ``WAYPOINT_ENV`` picks the class:
``development`` (default), ``test`` or ``production``.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSECURE_DEV_KEY = "dev-only-not-secret"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from exc


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(default_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{default_path}"
    # Heroku-style URLs name the old driver; Waypoint uses psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEV_KEY)
    INSTANCE_DIR = Path(os.environ.get("WAYPOINT_INSTANCE_DIR", BASE_DIR / "instance"))
    SQLALCHEMY_DATABASE_URI = _database_url(INSTANCE_DIR / "waypoint.db")
    # Errors name the SQL, never the values bound to it (a person's details): logs are not audited.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 5000)
    SQLITE_CACHE_MB = _env_int("SQLITE_CACHE_MB", 64)

    # Logs on standard error: "text" or "json" (one object a line), at this level (app/logs.py).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    DISPLAY_TIMEZONE = os.environ.get("DISPLAY_TIMEZONE", "Europe/London")
    SERVICE_NAME = "Waypoint"

    # Sessions: idle and absolute limits are enforced server-side (casework.staff.StaffSession).
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_HOURS = _env_int("SESSION_ABSOLUTE_HOURS", 10)
    SESSION_COOKIE_NAME = "waypoint_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_DURATION = 0

    # Two-step verification (a code from an authenticator app after the password). Required
    # of every staff member on a live service: until they set it up, every page sends them to
    # the set-up page. Off for local running and tests, so demo accounts sign in with a password.
    REQUIRE_TWO_STEP = _env_bool("REQUIRE_TWO_STEP", True)
    # Seals the two-step keys stored in the database. Defaults to SECRET_KEY; set it separately
    # so SECRET_KEY can be changed without everyone setting up two-step verification again.
    TWO_STEP_KEY = os.environ.get("TWO_STEP_KEY", "")

    # Retention: a person's details are removed once all their referrals have been closed, with
    # no activity, for this many years (casework/retention.py).
    RETENTION_YEARS = _env_int("RETENTION_YEARS", 6)
    # People who may share a repeat-victim matching key (name and birth date, phone, email)
    # before it is no longer evidence of identity (a hostel's phone): keeps matching linear.
    MATCH_KEY_LIMIT = _env_int("MATCH_KEY_LIMIT", 25)

    # Sign-in lockout.
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute")

    # Flask-Limiter; memory is fine for one process, use redis:// for several. A live service
    # refuses memory:// unless RATELIMIT_ALLOW_MEMORY is on (one gunicorn worker, one host):
    # each process would count on its own, so every limit would be multiplied by the workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ALLOW_MEMORY = _env_bool("RATELIMIT_ALLOW_MEMORY", False)
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)

    # How many reverse proxies (nginx, Caddy, a load balancer) stand in front of the app. When
    # above 0, the client's address, scheme and host are taken from that many X-Forwarded-For,
    # -Proto, -Host and -Port entries (werkzeug's ProxyFix): rate limits and the audit see the
    # client, Twilio signatures are checked against the public https URL. Leave it at 0 when
    # the app is reached directly, or anyone could claim any address.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    # Refusals of anonymous requests (forged cookie, missing CSRF token, unsigned webhook): the
    # first from a source in each window is audited, the limiter counts the rest.
    REFUSAL_AUDIT_RATE_LIMIT = os.environ.get("REFUSAL_AUDIT_RATE_LIMIT", "1 per minute")

    WTF_CSRF_TIME_LIMIT = _env_int("WTF_CSRF_TIME_LIMIT", 3600)

    # Argon2id cost; the defaults are argon2-cffi's RFC 9106 low-memory profile.
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _env_int("ARGON2_MEMORY_COST", 65536)

    # Only `flask dev` runs the scheduler inside the web process; otherwise it is its own.
    SCHEDULER_INTERVAL_SECONDS = _env_int("SCHEDULER_INTERVAL_SECONDS", 60)
    # One scheduler at a time (scheduling/lock.py): a second one started by mistake tries for
    # the lock this often, and takes over when the first stops.
    SCHEDULER_LOCK_POLL_SECONDS = _env_int("SCHEDULER_LOCK_POLL_SECONDS", 5)
    # GET /readyz answers 503 once the scheduler has not swept for this long.
    READY_SCHEDULER_STALE_SECONDS = _env_int("READY_SCHEDULER_STALE_SECONDS", 300)

    PAGE_SIZE = _env_int("PAGE_SIZE", 25)

    # The service calendar (DESIGN.md Deadline rules); hours as mon=09:00-18:00,...
    VICTIM_SERVICE_HOURS = os.environ.get(
        "VICTIM_SERVICE_HOURS",
        "mon=09:00-18:00,tue=09:00-18:00,wed=09:00-20:00,thu=09:00-18:00,"
        "fri=09:00-18:00,sat=09:00-18:00",
    )
    HSB_LINE_HOURS = os.environ.get(
        "HSB_LINE_HOURS",
        "mon=08:00-20:00,tue=08:00-20:00,wed=08:00-20:00,thu=08:00-20:00,fri=08:00-20:00",
    )
    BANK_HOLIDAY_REGION = os.environ.get("BANK_HOLIDAY_REGION", "england-and-wales")

    # Outbound messages (DESIGN.md; spec 3.7-3.8).
    VICTIM_SERVICE_NAME = os.environ.get("VICTIM_SERVICE_NAME", "Victim First")
    SERVICE_PHONE = os.environ.get("SERVICE_PHONE", "0800 000 0000")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "outbox")
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
    TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
    TWILIO_BASE_URL = os.environ.get("TWILIO_BASE_URL", "https://api.twilio.com")
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "outbox")
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = _env_int("SMTP_PORT", 25)
    SMTP_USE_TLS = _env_bool("SMTP_USE_TLS", False)
    SMTP_USE_SSL = _env_bool("SMTP_USE_SSL", False)
    # A CA certificate file (PEM) to trust for SMTP TLS besides the system's, for a private
    # relay; onward referrals to agencies are only ever sent over TLS.
    SMTP_CA_FILE = os.environ.get("SMTP_CA_FILE", "")
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Victim First <no-reply@waypoint.example>")
    INBOX_DIR = os.environ.get("INBOX_DIR", "")

    # Police downloads uploaded on the web page: the largest file accepted (a bigger one is
    # refused with a 413 page saying so), and how long a job may run without progress before
    # the scheduler decides its process died and fails it (safe to try again).
    MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 50)
    IMPORT_JOB_STUCK_MINUTES = _env_int("IMPORT_JOB_STUCK_MINUTES", 30)

    # Public forms: self-referral and partner referral.
    PUBLIC_FORM_RATE_LIMIT = os.environ.get("PUBLIC_FORM_RATE_LIMIT", "10 per hour")


def local_base_url(host: str, port: int | str) -> str:
    """Where a development server on ``host``:``port`` is reached from this machine."""
    host = host.strip() or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 (every address: links use this machine)
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class DevelopmentConfig(Config):
    """Local running: plain HTTP on localhost, so cookies cannot demand HTTPS."""

    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    # Links in letters and messages point where `make run` serves (HOST and PORT), unless set.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or local_base_url(
        os.environ.get("HOST", ""), os.environ.get("PORT", "").strip() or 5000
    )
    REQUIRE_TWO_STEP = _env_bool("REQUIRE_TWO_STEP", False)


class TestConfig(Config):
    """The test suite: cheap hashes, its own database chosen by the fixtures."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 (tests only)
    SESSION_COOKIE_SECURE = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    RATELIMIT_ENABLED = False
    REQUIRE_TWO_STEP = False


class ProductionConfig(Config):
    """A live service: a real secret is required (checked in create_app)."""

    ENV_NAME = "production"


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def check_backends(config) -> list[str]:
    """Settings that make the chosen message backends unusable, in words."""
    problems = []
    if config["SMS_BACKEND"] not in ("twilio", "outbox"):
        problems.append("SMS_BACKEND must be twilio or outbox")
    if config["SMS_BACKEND"] == "twilio":
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"):
            if not config.get(name):
                problems.append(f"{name} must be set when SMS_BACKEND is twilio")
    if config["EMAIL_BACKEND"] not in ("smtp", "outbox"):
        problems.append("EMAIL_BACKEND must be smtp or outbox")
    return problems


def config_from_env() -> type[Config]:
    """The configuration class named by ``WAYPOINT_ENV``."""
    name = os.environ.get("WAYPOINT_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(
            f"WAYPOINT_ENV must be one of {', '.join(CONFIGS)}, not {name!r}"
        ) from exc
