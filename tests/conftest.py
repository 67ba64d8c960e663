"""Fixtures shared by the whole suite.

The database is real: a migrated SQLite file per test by default, or, when ``TEST_DATABASE_URL``
is set, the PostgreSQL database it names (migrated once, emptied before each test).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="waypoint-tests-"))
os.environ["WAYPOINT_ENV"] = "test"
os.environ["WAYPOINT_INSTANCE_DIR"] = str(_TMP / "instance")
os.environ.pop("DATABASE_URL", None)

import hypothesis  # noqa: E402
import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from jinja2 import BytecodeCache  # noqa: E402

from app import create_app  # noqa: E402
from casework.audit import AuditEvent, Origin  # noqa: E402
from casework.db import db, utcnow  # noqa: E402
from casework.staff.accounts import StaffDetails, create_staff, create_team  # noqa: E402
from casework.staff.models import Team  # noqa: E402
from config import _database_url  # noqa: E402

# No wall-clock limit in a test: Hypothesis's default deadline (200 ms an example) fails a
# property test whose example is merely slow on a busy CI machine, which says nothing of the
# property. Its examples are still checked; they are only not timed.
hypothesis.settings.register_profile("waypoint", deadline=None)
hypothesis.settings.load_profile("waypoint")


# WAYPOINT_TEST_CLOCK=2026-12-26T19:00Z runs the suite as if started then, the clock ticking
# on from it. Tests that read the real clock, the browser tests above all, are then tried at
# the moments that break them (a Saturday evening, a bank holiday, a clock change) on any day,
# not only on the day CI happens to run. Every Python process the suite starts (xdist workers,
# a scheduler or server under test) keeps the same time: tests/clock/sitecustomize.py moves
# its clock as far ahead as this one's. Only later moments: the browser keeps the machine's
# clock, and would drop cookies whose expiry fell before it; so do the databases' own clocks.
_TEST_CLOCK = os.environ.get("WAYPOINT_TEST_CLOCK", "").strip()
_travel = None


def pytest_configure(config):
    global _travel
    if not _TEST_CLOCK or os.environ.get("WAYPOINT_TEST_CLOCK_AHEAD"):
        return  # no clock asked for, or a process the suite started: moved on starting
    import time
    from datetime import UTC, datetime

    import time_machine

    try:
        moment = datetime.fromisoformat(_TEST_CLOCK)
    except ValueError:
        raise pytest.UsageError(
            f"WAYPOINT_TEST_CLOCK={_TEST_CLOCK!r} is not a moment (2026-12-25T12:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a moment without a zone is UTC, as stored
    start = moment.timestamp()
    if start < time.time():
        raise pytest.UsageError(
            f"WAYPOINT_TEST_CLOCK={_TEST_CLOCK!r} has passed: only later moments work (the "
            "browser keeps the machine's clock and would drop the cookies)"
        )
    os.environ["WAYPOINT_TEST_CLOCK_AHEAD"] = str(start - time.time())
    clock_dir = str(Path(__file__).parent / "clock")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [clock_dir, os.environ.get("PYTHONPATH")])
    )
    # A timestamp, not the datetime: one that names UTC would also set the process's TZ to
    # UTC (time-machine does), which the processes started with the offset alone would not.
    _travel = time_machine.travel(start, tick=True)
    _travel.start()


def pytest_unconfigure(config):
    if _travel is not None:
        _travel.stop()


def pytest_report_header(config):
    return f"clock: started at {_TEST_CLOCK} (WAYPOINT_TEST_CLOCK)" if _TEST_CLOCK else None


PASSWORD = "correct horse battery staple"
ROLES = ("caseworker", "team_leader", "hsb_advisor", "analyst", "admin", "volunteer")


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        # Under pytest-xdist each worker has a database of its own, beside the one named,
        # created afresh here (the one named is only connected to, to create it).
        url = _worker_database(url, worker)
        os.environ["TEST_DATABASE_URL"] = url
    return _engine_url(url)


def _engine_url(url: str) -> str:
    """``url`` as the app's configuration reads a DATABASE_URL (its driver made explicit)."""
    os.environ["DATABASE_URL"] = url
    try:
        return _database_url(Path("unused"))
    finally:
        os.environ.pop("DATABASE_URL", None)


def _worker_database(url: str, worker: str) -> str:
    named = sa.make_url(url)
    own = named.set(database=f"{named.database}_{worker}")
    engine = sa.create_engine(_engine_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{own.database}"')
    engine.dispose()
    return own.render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url()


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept for the whole run, keyed (by Jinja) on each template's name and
    source checksum. Every test builds its own app, and so its own Jinja environment; without
    this, each one compiled every template it rendered afresh, a third of the suite's time."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedBytecode()


def _share_url_builders() -> None:
    """Every test builds its own app, and werkzeug compiles two URL-building functions for each
    of its ~200 routes: four fifths of building an app. A builder depends only on the rule's
    parsed parts, its defaults and which flavour it is (it is bound to its rule afterwards), so
    the suite compiles each once and shares it between apps."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict = {}

    def shared(self, append_unknown: bool = True):
        key = (
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            tuple(sorted((k, type(v).__name__) for k, v in self._converters.items())),
            append_unknown,
        )
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared


_share_url_builders()


def make_app(database_uri: str, **overrides):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri, **overrides})
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


@pytest.fixture(scope="session")
def migrated_database():
    """A database built by the real migrations, once per run: a file path or a server URL."""
    if POSTGRES_URL:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        app = make_app(POSTGRES_URL)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        return POSTGRES_URL
    template = _TMP / "template.db"
    app = make_app(f"sqlite:///{template}")
    with app.app_context():
        upgrade()
        db.session.remove()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return template


def _empty_postgres(url: str) -> None:
    """Delete every row but the migration version and restart every id sequence.

    DELETE, with foreign keys not checked (every table is emptied, so none can dangle), rather
    than TRUNCATE: on tables this small it is several times faster, and it runs before each of
    thousands of tests."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        delete_all_rows(conn)
        conn.exec_driver_sql(
            "SELECT setval(c.oid, 1, false) FROM pg_class c "
            "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
        )
    engine.dispose()


def delete_all_rows(conn) -> list[str]:
    """On PostgreSQL, empty every table of the public schema but alembic_version; their names."""
    tables = list(
        conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        ).scalars()
    )
    if tables:  # in one round trip
        conn.exec_driver_sql("; ".join(f'DELETE FROM public."{t}"' for t in tables))
    return tables


@pytest.fixture
def database_uri(migrated_database, tmp_path) -> str:
    """A freshly migrated, empty database for one test."""
    if POSTGRES_URL:
        _empty_postgres(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path / "waypoint.db"
    shutil.copy(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_overrides() -> dict:
    """Settings a test module may override (redefine this fixture in the module)."""
    return {}


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Without this, requests would share the test's app context: its ``g`` (where Flask-Login
    caches the signed-in user) and its database session, hiding real per-request behaviour.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_uri, app_overrides):
    app = make_app(database_uri, **app_overrides)
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def create_team_record(app):
    """Factory: a team, created through the real service."""
    counter = iter(range(1, 10_000))

    def _create(name: str | None = None, service: str = "victim") -> Team:
        return create_team(
            db.session,
            name=name or f"Team {next(counter)}",
            service=service,
            actor=None,
            origin=Origin.command_line("test"),
            now=utcnow(),
        )

    return _create


@pytest.fixture
def create_staff_record(app, create_team_record):
    """Factory: a staff account with the shared test password, created through the service.
    Caseworkers and team leaders come with their vetting received (police vetting of their
    role's level and an enhanced DBS check, through the real services) unless ``vetted=False``."""
    counter = iter(range(1, 10_000))

    def _create(role: str = "caseworker", team: Team | None = None, vetted=None, **fields):
        n = next(counter)
        details = StaffDetails(
            email=fields.pop("email", f"{role}{n}@waypoint.test"),
            name=fields.pop("name", f"{role.replace('_', ' ').title()} {n}"),
            role=role,
            team_id=team.id if team else None,
            **fields,
        )
        staff = create_staff(
            db.session,
            details,
            password=PASSWORD,
            actor=None,
            origin=Origin.command_line("test"),
            now=utcnow(),
        )
        if vetted if vetted is not None else role in ("caseworker", "team_leader"):
            give_vetting(staff)
        return staff

    return _create


def give_vetting(staff, *, now=None) -> None:
    """Record vetting that is received for ``staff`` on ``now`` (default: now) and for the two
    years after: their role's police vetting level and an enhanced DBS check."""
    from datetime import timedelta

    from casework.staff.vetting import local_today
    from casework.staff.vetting_records import record_dbs_check, record_police_vetting
    from triage.vetting import required_nppv

    now = now or utcnow()
    today = local_today(now)
    origin = Origin.command_line("test")
    record_police_vetting(
        db.session,
        staff.id,
        level=required_nppv(staff.role),
        granted_on=today - timedelta(days=365),
        expires_on=today + timedelta(days=3 * 365),
        version=0,
        actor=None,
        origin=origin,
        now=now,
    )
    record_dbs_check(
        db.session,
        staff.id,
        level="enhanced_barred",
        issued_on=today - timedelta(days=365),
        certificate_last4=None,
        recheck_on=today + timedelta(days=2 * 365),
        version=1,
        actor=None,
        origin=origin,
        now=now,
    )


CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, path: str) -> str:
    """Read the CSRF token from a page's form, as a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def error_summary_and_page_order(html: str) -> tuple[list[str], list[str]]:
    """The fields an error summary links to, in its order, and the same fields in the order the
    page asks them: GOV.UK's summary follows the page, so the two should be equal."""
    start = html.index("govuk-error-summary__list")
    linked = re.findall(r'href="#([^"]+)"', html[start : html.index("</ul>", start)])
    fields = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', html)
    return linked, [i for i in fields if i in linked]


def hidden_value(html: str, name: str) -> str:
    """The value of the page's hidden field ``name`` (a version, an id, a token)."""
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def submission_token(html: str) -> str:
    """The one-time token a creating form carries, so sending it twice makes one record."""
    return hidden_value(html, "submission_token")


def sent_twice(client, path: str, data: dict) -> str:
    """The creating form at ``path`` sent twice with its one token (a double click, a resend
    after a slow answer, a page the browser kept): both sends go to the same page, which says the
    second saved nothing. Returns that page."""
    data = {**data, "submission_token": submission_token(client.get(path).get_data(as_text=True))}
    first, again = post_form(client, path, data), post_form(client, path, data)
    assert first.status_code == again.status_code == 302
    assert again.location == first.location
    page = client.get(again.location).get_data(as_text=True)
    # Said instead of "saved", and read out at once like a success (an alert, not a region).
    banner = re.search(
        r'<div class="govuk-notification-banner" role="(\w+)"(?:(?!</div>\s*</div>).)*'
        r"You sent this form twice\. It was saved the first time",
        page,
        re.S,
    )
    assert banner is not None and banner.group(1) == "alert"
    return page


def sent_at_the_same_moment(send, key_column):
    """Two sends of one form at the same moment: ``send(session)`` (which makes and commits a
    record under a submission key held in ``key_column``) runs for the second send in the
    test's session and, once that send has looked for the key and found nothing, for the first
    in a session of its own, which commits before the second writes anything (at the second's
    next statement or flush, whichever comes first). Returns (the first's record id, the
    second's record)."""
    first: list[int] = []
    looked = False

    def the_other_send_commits_first():
        if looked and not first:
            other = sa.orm.Session(db.engine)
            try:
                first.append(send(other).id)
            finally:
                other.close()

    def on_statement(orm_execute_state):
        nonlocal looked
        if orm_execute_state.is_select and key_column.key in str(orm_execute_state.statement):
            looked = True
        else:
            the_other_send_commits_first()

    def on_flush(session, flush_context, instances):
        the_other_send_commits_first()

    session = db.session()
    hooks = (("do_orm_execute", on_statement), ("before_flush", on_flush))
    for name, hook in hooks:
        sa.event.listen(session, name, hook)
    try:
        second = send(db.session)
    finally:
        for name, hook in hooks:
            sa.event.remove(session, name, hook)
    assert first, "the other send never ran: the second never looked for the key"
    return first[0], second


def post_form(client, path: str, data: dict, *, token_from: str | None = None, **kwargs):
    """Submit a form with the token the page at ``token_from`` (default ``path``) carries."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def allocate_on_page(client, referral_id: int, caseworker_id: int):
    """Allocate a referral from its page, as the signed-in team leader would."""
    page = f"/referrals/{referral_id}"
    return post_form(client, f"{page}/allocate", {"caseworker": caseworker_id}, token_from=page)


def sign_in(client, email: str, password: str = PASSWORD):
    return post_form(client, "/login", {"email": email, "password": password})


@pytest.fixture
def sign_in_as(app, client, create_staff_record, create_team_record):
    """Factory: sign the test client in as a new staff member of ``role``; returns the staff."""

    def _sign_in(role: str, team: Team | None = None, **fields):
        staff = create_staff_record(role, team=team or create_team_record(), **fields)
        response = sign_in(client, staff.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return staff

    return _sign_in


@pytest.fixture(params=ROLES)
def signed_in_role(request, sign_in_as):
    """Runs a test once per role, signed in as that role."""
    return sign_in_as(request.param)


@pytest.fixture
def caseworker(sign_in_as):
    return sign_in_as("caseworker")


@pytest.fixture
def team_leader(sign_in_as):
    return sign_in_as("team_leader")


@pytest.fixture
def admin(sign_in_as):
    return sign_in_as("admin")


def audit_rows(action: str | None = None) -> list[AuditEvent]:
    """Audit rows, oldest first, optionally of one action."""
    db.session.rollback()  # see what requests have committed since
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-auth-token"


@pytest.fixture
def fake_twilio():
    from tests.fakes.twilio import FakeTwilio

    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture
def smtp_server():
    from tests.fakes.smtp import SmtpServer

    server = SmtpServer()
    yield server
    server.close()


@pytest.fixture
def messaging(fake_twilio, smtp_server) -> dict:
    """Settings that send SMS through the real twilio SDK to the fake, email to real SMTP."""
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": "+447700900000",
        "TWILIO_BASE_URL": fake_twilio.url,
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "PUBLIC_BASE_URL": "http://localhost",
    }


def _redis_test_url() -> str:
    """Redis for the tests that need it: REDIS_TEST_URL, or database 13 of the local server,
    and under pytest-xdist one database number per worker (13, 14...), so that one worker
    emptying its database never touches another's counters."""
    if os.environ.get("REDIS_TEST_URL"):
        return os.environ["REDIS_TEST_URL"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return f"redis://127.0.0.1:6379/{13 + int(worker.removeprefix('gw') or 0)}"


@pytest.fixture
def redis_url():
    """A Redis database emptied before and after the test. Skipped when Redis does not answer,
    except under CI=true, where that fails (.ci/run starts Redis)."""
    import redis

    url = _redis_test_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis does not answer at {url} under CI: {exc}")
        pytest.skip(f"Redis does not answer at {url} (start redis-server): {exc}")
    client.flushdb()
    yield url
    client.flushdb()
    client.close()
