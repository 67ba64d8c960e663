"""The Waypoint web application: create_app() and the steps that assemble it."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.helpers import get_debug_flag
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from config import INSECURE_DEV_KEY, Config, config_from_env


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app. ``config`` is a config class, or a dict of overrides on the environment's."""
    # Every model is mapped before any module builds its statements on them: modules build
    # some at import (configure_uploads below imports sign-in's), which sets SQLAlchemy
    # resolving every relationship of the models known so far.
    import casework.models  # noqa: F401  (and every table is known to Alembic)

    app = Flask(__name__, instance_path=str(Config.INSTANCE_DIR))
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        app.config.from_object(config_from_env())
        if config:
            app.config.update(config)
    check_config(app)
    register_logging(app)
    trust_proxies(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_uploads(app)

    register_extensions(app)
    register_templates(app)
    register_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_commands(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host from
    the X-Forwarded-* headers they add, so rate limits, the audit trail and the Twilio signature
    check see the client and the public URL. With 0 the headers are ignored (they could be
    forged by anyone)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = app.config["TRUSTED_PROXIES"]
    if hops < 0:
        raise RuntimeError(f"TRUSTED_PROXIES must be 0 or more, not {hops}")
    if hops:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=0
        )


def configure_uploads(app: Flask) -> None:
    """Uploads are spooled to disk as they arrive, with the MAX_UPLOAD_MB limit."""
    from app.imports.uploads import configure_uploads as spool_and_limit

    spool_and_limit(app)


def check_config(app: Flask) -> None:
    """Refuse to start a live service with the development secret or a short one, or with
    message settings that cannot work."""
    from config import check_backends

    problems = check_backends(app.config)
    if problems:
        raise RuntimeError("; ".join(problems))
    if app.config.get("ENV_NAME") == "production":
        key = app.config.get("SECRET_KEY") or ""
        if key == INSECURE_DEV_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        if app.debug or get_debug_flag():
            raise RuntimeError(
                "Debug mode is on (--debug or FLASK_DEBUG=1). A live service never runs with the "
                "debugger: it lets anyone who can reach it run code on the server and shows "
                "victims' data in tracebacks. Start it without --debug, with FLASK_DEBUG unset."
            )
        storage = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        if storage.startswith("memory://") and not app.config.get("RATELIMIT_ALLOW_MEMORY"):
            raise RuntimeError(
                "RATELIMIT_STORAGE_URI is memory:// in production: each gunicorn worker and host "
                "would count sign-in and public-form attempts on its own, and a restart forgets "
                "them. Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (shared storage), or "
                "RATELIMIT_ALLOW_MEMORY=1 to run a single worker on a single host anyway."
            )
        sealing = app.config.get("TWO_STEP_KEY") or ""
        if sealing and len(sealing) < 32:
            raise RuntimeError("TWO_STEP_KEY, when set, must be at least 32 random characters")


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, CSRF, rate limits and sign-in to the app."""
    from app.extensions import csrf, db, limiter, login_manager, migrate
    from casework.db import configure_sqlite
    from casework.staff import passwords

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    passwords.configure(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"])
    configure_sqlite(app.config["SQLITE_BUSY_TIMEOUT_MS"], app.config["SQLITE_CACHE_MB"])

    from app.auth.session import configure_login

    configure_login(app, login_manager)


def register_templates(app: Flask) -> None:
    """Jinja: our templates first, then GOV.UK Frontend's and its WTForms widgets'."""
    from govuk_frontend_wtf.main import WTFormsHelpers

    from app import filters

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("app"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_options = {**app.jinja_options, "trim_blocks": True, "lstrip_blocks": True}
    WTFormsHelpers(app)
    filters.register(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    from app.admin import bp as admin_bp
    from app.advice_line import bp as advice_line_bp
    from app.approvals import bp as approvals_bp
    from app.assessments import bp as assessments_bp
    from app.auth import bp as auth_bp
    from app.caseloads import bp as caseloads_bp
    from app.cases import bp as cases_bp
    from app.closure import bp as closure_bp
    from app.complaints import bp as complaints_bp
    from app.contact import bp as contact_bp
    from app.deadlines import bp as deadlines_bp
    from app.groups import bp as groups_bp
    from app.imports import bp as imports_bp
    from app.letters import bp as letters_bp
    from app.main import bp as main_bp
    from app.notes import bp as notes_bp
    from app.onward import bp as onward_bp
    from app.partners import bp as partners_bp
    from app.plans import bp as plans_bp
    from app.public import bp as public_bp
    from app.queue import bp as queue_bp
    from app.referrals import bp as referrals_bp
    from app.search import bp as search_bp
    from app.support import bp as support_bp
    from app.target_hardening import bp as target_hardening_bp
    from app.webhooks import bp as webhooks_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    for bp in (
        queue_bp,
        referrals_bp,
        cases_bp,
        imports_bp,
        contact_bp,
        letters_bp,
        deadlines_bp,
        notes_bp,
        public_bp,
        webhooks_bp,
        search_bp,
        caseloads_bp,
        assessments_bp,
        plans_bp,
        closure_bp,
        approvals_bp,
        onward_bp,
        partners_bp,
        target_hardening_bp,
        support_bp,
        groups_bp,
        complaints_bp,
        advice_line_bp,
    ):
        app.register_blueprint(bp)


def register_converters(app: Flask) -> None:
    """URL converters, before any blueprint adds its rules."""
    from app.security import register_converters as bound_ids

    bound_ids(app)


def register_errorhandlers(app: Flask) -> None:
    """Error pages in plain words."""
    from app.errors import register
    from app.periods import register as register_periods

    register(app)
    register_periods(app)


def register_security(app: Flask) -> None:
    """Input guards and security headers on every request."""
    from app.security import register

    register(app)


def register_logging(app: Flask) -> None:
    """Logs in LOG_FORMAT at LOG_LEVEL, first, so what the later steps log is in it too; one
    line per request; never a query string (what staff search for is personal data)."""
    from app.logs import register

    register(app)


def register_commands(app: Flask) -> None:
    """The operator commands (``flask --app wsgi ...``)."""
    from app.cli import register

    register(app)
