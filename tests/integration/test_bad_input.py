"""The bad-input suite: every route, as every role and as nobody signed in, sent hostile values.

For each route and role, hypothesis sends requests built from the route's own form fields (found
in the view's source) and from values a person or an attacker might send: NULs and other control
characters, 100 KB of text, repeated and missing keys, dates with parts missing or impossible,
huge and negative numbers, ids past any database's range, wrong methods and malformed UTF-8, with
and without a valid CSRF token. Whatever comes back, it is never a 5xx; and when the request is
refused (4xx), no table but the audit trail has changed.

New routes join by existing: the list is read from the app's URL map. Under ``CI=true`` the
examples are derandomised, so a landing run is reproducible; locally each run explores anew.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import shutil
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from casework.db import db
from tests.conftest import (
    POSTGRES_URL,
    ROLES,
    _empty_postgres,
    csrf_token,
    delete_all_rows,
    make_app,
    sign_in,
)
from tests.factories import create_case, create_referrals
from tests.integration.test_queue import ROOT, referral_by_ref
from tests.police import SAMPLE, police_csv, police_row

# Bookkeeping that every request may touch: the trail itself and the signed-in session's
# last-seen time (the idle timeout).
UNCHECKED_TABLES = {"audit_event", "staff_session", "alembic_version", "bad_input_writes"}
CI = os.environ.get("CI", "").lower() == "true"
EXAMPLES_PER_ROUTE = int(os.environ.get("BAD_INPUT_EXAMPLES", "6"))
EXAMPLES_PER_FORM = int(os.environ.get("BAD_INPUT_FORM_EXAMPLES", "12"))
EXAMPLES_REFUSED = int(os.environ.get("BAD_INPUT_REFUSED_EXAMPLES", "3"))

# Names views read from request.form or request.args directly, not through a form class.
LOOSE_NAMES = [
    "caseworker",
    "decision",
    "page",
    "next",
    "q",
    "status",
    "role",
    "team",
    "priority",
    "source",
    "method",
    "due",
    "allocated",
    "npa",
    "MessageSid",
    "MessageStatus",
    "From",
    "Body",
    "ErrorCode",
    "show",
    "back",
    "quarter",
    "outcome",
    "case_reference",
    "CallSid",
    "DialCallStatus",
    "DialCallDuration",
    "RecordingUrl",
    "RecordingDuration",
    "version",
    "channel",
    "month",
    # The HSB resource directory, sessions and evidence (issue 16).
    "audience",
    "topic",
    "kind",
    "area",
    "theme",
    "region",
    "from",
    "to",
    "resource_id",
    "hide-reason",
    "hide-version",
    "unhide-version",
    "outcome-outcome",
    "outcome-version",
    "cancel-version",
]


def _all_forms() -> dict[str, type[FlaskForm]]:
    found, todo = {}, [FlaskForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found[sub.__name__] = sub
            todo.append(sub)
    return found


def _field_names(form: type[FlaskForm]) -> list[str]:
    return sorted(n for n in dir(form) if isinstance(getattr(form, n), UnboundField))


def _routes():
    """(rule, methods, the form field names its view uses) for every route but static files."""
    app = make_app("sqlite://")
    forms = _all_forms()
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        source = inspect.getsource(inspect.unwrap(app.view_functions[rule.endpoint]))
        names = set()
        for form_name in re.findall(r"\b([A-Z]\w*Form)\b", source):
            if form_name in forms:
                names.update(_field_names(forms[form_name]))
        names.discard("csrf_token")
        routes.append((rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}), sorted(names)))
    return routes


ROUTES = _routes()
ALL_NAMES = sorted({n for _, _, names in ROUTES for n in names} | set(LOOSE_NAMES))

# --- hostile values -------------------------------------------------------------------------

PLAUSIBLE = st.sampled_from(
    [
        "",
        "yes",
        "no",
        "1",
        "2",
        "confirm",
        "reject",
        "LE1 1AA",
        "07700 900123",
        "+447700900123",
        "someone@example.org",
        "EMAIL",
        "MOBILE_PHONE",
        "IN_PERSON",
        "POST",
        "SMS",
        "no_answer",
        "voicemail",
        "spoke",
        "visited",
        "phone",
        "visit",
        "further_support",
        "initial_contact_only",
        "declined",
        "court_date",
        "caseworker",
        "admin",
        "victim",
        "hsb",
        "enhanced",
        "Victim told us they are frightened of the offender",
        "2026-11-20T09:00:00+00:00",
        "10:30",
        "WP-ABCD2345",
        "case_advice",
        "policy_advice",
        "red",
        "abusive",
        "radicalisation",
        "not_advised",
        "signposted",
        "chat",
        "email",
        "words",
        "clear",
        "request_text",
    ]
)
NUMBERS = st.sampled_from(
    [
        "0",
        "-1",
        "-9223372036854775809",
        "2147483648",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551616",
        "1" * 40,
        "1e308",
        "NaN",
        "١٢",  # Arabic-Indic digits: int() accepts them
        "²",  # a digit to str.isdigit, not to int()
        "1" * 5000,  # past int()'s 4,300-digit limit
        " 7 ",
    ]
)
DATE_PARTS = st.sampled_from(["31", "29", "30", "2", "13", "0", "00", "9999", "10000", "x", "1900"])
CONTROL = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=31) | st.just("\x7f"),
    min_size=1,
    max_size=6,
)
WITH_NUL = st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=5), st.text(max_size=5))
ANY_TEXT = st.text(max_size=30)
MARKUP = st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "%s%s%n", "{{7*7}}"])
# Half the examples are well-formed but wrong (valid token, storable text), so they pass the
# front door and reach the views' own checks; half are plainly hostile.
WRONG = st.one_of(PLAUSIBLE, PLAUSIBLE, NUMBERS, DATE_PARTS, ANY_TEXT, MARKUP)
HOSTILE = st.one_of(PLAUSIBLE, NUMBERS, DATE_PARTS, CONTROL, WITH_NUL, ANY_TEXT, MARKUP)
BIG = "x" * 100_000

SEED_IDS: dict[str, int] = {}  # filled by the seed: a real id for each kind of route argument


def _url(rule: str, data) -> str:
    def one(match: re.Match) -> str:
        name = match.group(2)
        seeded = SEED_IDS.get(name, [1])
        choices = [
            *(str(i) for i in seeded * 4),  # real records most often, so requests go deep
            "0",
            "2147483648",
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551616",
            "1" * 40,
        ]
        if match.group(1) != "int":
            choices = [*SEED_IDS.get(f"{name}:str", ["x"]), "x" * 300, "%00", "..%2F..%2Fetc"]
        return data.draw(st.sampled_from(choices), label=name)

    return re.sub(r"<(?:(\w+):)?(\w+)>", one, rule)


def _pairs(data, names: list[str], values) -> list[tuple[str, str]]:
    """Keys from the route's own fields (sometimes all of them, so validation goes deep),
    repeated or missing at random, each with a hostile or plausible value."""
    pool = names or ALL_NAMES
    if names and data.draw(st.booleans(), label="whole form"):
        keys = list(names) + data.draw(st.lists(st.sampled_from(pool), max_size=3))
    else:
        keys = data.draw(st.lists(st.sampled_from(pool + LOOSE_NAMES), max_size=10), label="keys")
    pairs = [(k, data.draw(values, label=k)) for k in keys]
    if pairs and data.draw(st.integers(0, 9), label="big") == 0:
        pairs[0] = (pairs[0][0], BIG)
    return pairs


def _encode(pairs, *, broken_utf8: bool) -> bytes:
    body = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs).encode()
    if broken_utf8:
        # invalid UTF-8, percent-encoded and raw, and an encoded lone surrogate
        body += b"&forename=%FF%FE%C3%28&surname=\xff\xfe\xc3(&town=%ED%A0%80"
    return body


# --- the database, before and after ----------------------------------------------------------


_PG_DIGEST: dict[str, sa.TextClause] = {}
_TABLES: list[str] = []


def _checked_tables() -> list[str]:
    """The tables the suite checks, in name order (the schema is the same all run)."""
    if not _TABLES:
        names = sa.inspect(db.engine).get_table_names()
        _TABLES.extend(sorted(t for t in names if t not in UNCHECKED_TABLES))
    return _TABLES


def _postgres_digest() -> str:
    """On PostgreSQL, the same fingerprint computed by the server in one statement: each
    checked table's rows as text, sorted, hashed."""
    key = str(db.engine.url)
    if key not in _PG_DIGEST:
        tables = _checked_tables()
        _PG_DIGEST[key] = sa.text(
            " UNION ALL ".join(
                f"SELECT '{t}' AS name, "
                f"(SELECT md5(COALESCE(string_agg(r::text, '|' ORDER BY r::text), '')) "
                f'FROM "{t}" r) AS rows'
                for t in tables
            )
        )
    rows = db.session.execute(_PG_DIGEST[key]).all()
    db.session.rollback()
    return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()


def database_digest() -> str:
    """A fingerprint of every row of every table the suite checks."""
    db.session.rollback()
    if POSTGRES_URL:
        return _postgres_digest()
    digest = hashlib.sha256()
    for table in _checked_tables():
        rows = db.session.execute(sa.text(f"SELECT * FROM {table}")).all()  # noqa: S608
        digest.update(table.encode())
        for row in sorted(repr(tuple(r)) for r in rows):
            digest.update(row.encode())
    db.session.rollback()
    return digest.hexdigest()


# --- rows written, counted by triggers ---------------------------------------------------------
#
# Fingerprinting every row before and after each request was a quarter of the suite's time. The
# seeded database instead carries a trigger on every checked table that counts each row
# inserted, updated or deleted in ``bad_input_writes``; the count is committed, or rolled back,
# with the write itself. So "a refusal changed nothing" is "the count did not move": stricter
# than the fingerprint (a committed write that left a row as it was also counts), and one query.

# On SQLite a table in the seeded file (each test's copy has its own); on PostgreSQL, whose
# database outlives the module, a schema of its own, so that the schema the migrations build
# (and the test comparing it with the models) never sees it. The count need not be restored
# with the seed: only its movement during one request matters.
WRITES = "bad_input_counter.writes" if POSTGRES_URL else "bad_input_writes"


def _install_write_counter() -> None:
    tables = _checked_tables()
    with db.engine.begin() as conn:
        if POSTGRES_URL:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS bad_input_counter CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA bad_input_counter")
        conn.exec_driver_sql(f"CREATE TABLE {WRITES} (n BIGINT NOT NULL)")
        conn.exec_driver_sql(f"INSERT INTO {WRITES} VALUES (0)")
        if POSTGRES_URL:
            conn.exec_driver_sql(
                "CREATE FUNCTION bad_input_counter.count() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN UPDATE {WRITES} SET n = n + 1; RETURN NULL; END $$"
            )
            for table in tables:
                conn.exec_driver_sql(
                    "CREATE TRIGGER bad_input_writes AFTER INSERT OR UPDATE OR DELETE "
                    f'ON "{table}" FOR EACH ROW EXECUTE FUNCTION bad_input_counter.count()'
                )
            return
        for table in tables:
            for event in ("INSERT", "UPDATE", "DELETE"):
                conn.exec_driver_sql(
                    f'CREATE TRIGGER "{WRITES}_{table}_{event}" AFTER {event} ON "{table}" '
                    f"BEGIN UPDATE {WRITES} SET n = n + 1; END"
                )


def _remove_write_counter(url: str) -> None:
    """At the end of the run, leave PostgreSQL's database with the migrations' schema only
    (dropping the function drops the triggers that call it)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS bad_input_counter CASCADE")
    engine.dispose()


def rows_written() -> int:
    """Rows inserted, updated or deleted in the checked tables since the seed was snapshotted."""
    db.session.rollback()
    count = db.session.execute(sa.text(f"SELECT n FROM {WRITES}")).scalar_one()  # noqa: S608
    db.session.rollback()
    return count


# --- the seeded records, built once per run and restored for each test ------------------------
#
# Seeding (teams, accounts, the sample download, cases, plans, onward referrals...) through the
# real services took longer than most tests' requests. It is built once, through those services,
# snapshotted, and each test that asks for ``seeded`` starts from a restored copy: identical
# rows and ids, and nothing one test changed reaches the next.

SNAPSHOT: dict = {}
SNAPSHOT_SCHEMA = "bad_input_seed"


def _snapshot_database(uri: str, tmp_path_factory) -> None:
    db.session.commit()
    db.session.remove()
    if POSTGRES_URL:
        tables = _postgres_tables()
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}")
            for table in tables:
                conn.exec_driver_sql(
                    f'CREATE TABLE {SNAPSHOT_SCHEMA}."{table}" AS SELECT * FROM public."{table}"'
                )
        # The restore, as one statement list sent in one round trip.
        SNAPSHOT["restore"] = "; ".join(
            [
                *(
                    f'INSERT INTO public."{table}" SELECT * FROM {SNAPSHOT_SCHEMA}."{table}"'
                    for table in tables
                ),
                *(
                    f"SELECT setval('{sequence}', "
                    f'COALESCE((SELECT MAX(id) FROM public."{table}"), 0) + 1, false)'
                    for table, sequence in _id_sequences(tables).items()
                ),
            ]
        )
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        copy = tmp_path_factory.mktemp("bad_input_seed") / "seeded.db"
        shutil.copy(uri.removeprefix("sqlite:///"), copy)
        SNAPSHOT["file"] = copy


def _id_sequences(tables) -> dict[str, str]:
    """Each table's id sequence, for the tables that have one."""
    inspector = sa.inspect(db.engine)
    found = {}
    with db.engine.connect() as conn:
        for table in tables:
            if "id" in {c["name"] for c in inspector.get_columns(table)}:
                sequence = conn.exec_driver_sql(
                    f"SELECT pg_get_serial_sequence('public.\"{table}\"', 'id')"
                ).scalar()
                if sequence:
                    found[table] = sequence
    return found


def _postgres_tables() -> list[str]:
    return [t for t in sa.inspect(db.engine).get_table_names() if t != "alembic_version"]


def _restore_postgres(url: str) -> None:
    """Empty every table, copy the snapshot's rows back (foreign keys checked by the snapshot's
    own consistency, so not per row), and set each id sequence past its rows."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        delete_all_rows(conn)
        conn.exec_driver_sql(SNAPSHOT["restore"])
    engine.dispose()


@pytest.fixture
def database_uri(migrated_database, tmp_path, request) -> str:
    """As the suite's: an empty migrated database; but a test using ``seeded`` after the first
    starts from a copy of the seeded one."""
    restore = "seeded" in request.fixturenames and SNAPSHOT
    if POSTGRES_URL:
        if restore:
            _restore_postgres(POSTGRES_URL)
        else:
            _empty_postgres(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path / "waypoint.db"
    shutil.copy(SNAPSHOT["file"] if restore else migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def seeded(request, app, create_staff_record, create_team_record, database_uri, tmp_path_factory):
    """The seeded records (see :func:`_seed`): built the first time, restored after; the
    accounts, one per role, as the test's own session loads them."""
    from casework.staff.models import Staff

    if not SNAPSHOT:
        accounts = _seed(app, create_staff_record, create_team_record)
        emails = {role: staff.email for role, staff in accounts.items()}
        db.session.commit()
        _install_write_counter()
        if POSTGRES_URL:
            request.config.add_cleanup(lambda: _remove_write_counter(POSTGRES_URL))
        _snapshot_database(database_uri, tmp_path_factory)
        SNAPSHOT["emails"] = emails
    accounts = {
        role: db.session.scalar(sa.select(Staff).where(Staff.email == email))
        for role, email in SNAPSHOT["emails"].items()
    }
    # A module that borrows ``seeded`` must borrow this module's ``database_uri`` too, or it
    # starts from an empty database.
    assert all(accounts.values()), "seeded needs test_bad_input's database_uri fixture"
    return accounts


def _seed(app, create_staff_record, create_team_record):
    """Teams, one account per role, the sample police download with allocations in two teams, a
    possible repeat-victim match, a letter in the print queue, an import job, and a case in
    each team."""
    from datetime import UTC, datetime

    from casework.messages.models import OutboundMessage
    from casework.obligations.models import Obligation
    from casework.people.models import PossibleMatch
    from casework.referrals.models import ImportJob
    from scheduling import sweeps
    from scheduling.sweeps import context

    team_a, team_b = create_team_record("Victims A"), create_team_record("Victims B")
    create_team_record("HSB line", service="hsb")
    accounts = {role: create_staff_record(role, team=team_a) for role in ROLES}
    other = create_staff_record("caseworker", team=team_b)
    create_referrals((ROOT / SAMPLE).read_bytes())
    maybe_aisha = police_row(
        crime_reference="LC-20261121-0001",
        forename="Aisha",
        surname="Rahman",
        date_of_birth="1991-07-02",
        mobile_phone="07700 900999",
    )
    create_referrals(police_csv(maybe_aisha))  # a possible repeat victim: name and birth date only
    mine, theirs = referral_by_ref("LC-20261120-0057"), referral_by_ref("LC-20261120-0061")
    mine.allocated_to_id, theirs.allocated_to_id = accounts["caseworker"].id, other.id
    db.session.commit()
    # A case in each team: the caseworker's own, and one another team holds.
    create_referrals(
        police_csv(
            police_row(crime_reference="LC-20261121-0002", forename="Cara", surname="Case"),
            police_row(crime_reference="LC-20261121-0003", forename="Dev", surname="Case"),
        )
    )
    our_case = create_case(
        referral_by_ref("LC-20261121-0002").id,
        caseworker=accounts["caseworker"],
        leader=accounts["team_leader"],
    )
    their_case = create_case(
        referral_by_ref("LC-20261121-0003").id, caseworker=other, leader=accounts["admin"]
    )
    sweeps.queue_contact_messages(
        db.session, context(app.config), now=datetime(2026, 11, 20, 9, 5, tzinfo=UTC)
    )
    job = ImportJob(
        filename="t.csv",
        status="done",
        result={
            "imported": 1,
            "duplicates": 0,
            "rejected": 1,
            "rejections": [{"line": 3, "reason": "x"}],
        },
        total_lines=3,
        processed_lines=3,
        actor_id=accounts["team_leader"].id,
        created_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        updated_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    db.session.add(job)
    db.session.commit()

    def ids(model, *where):
        return list(db.session.scalars(sa.select(model.id).where(*where).order_by(model.id)))

    case_ids, note_ids = _seed_cases_with_notes(accounts, other)
    volunteer_links = _seed_volunteer(accounts, case_ids[0])
    approval_ids = _seed_closure_requests(accounts, other, our_case, their_case)
    # On the cases of the closure requests, apart from the support plan's case.
    assessment_ids = _seed_assessments([our_case.id, their_case.id], accounts["caseworker"], other)
    letters = ids(OutboundMessage, OutboundMessage.channel == "letter")
    texts = ids(OutboundMessage, OutboundMessage.channel != "letter")
    assert letters and texts and ids(PossibleMatch)
    hardening_ids = _seed_target_hardening(accounts, other, our_case, their_case)
    SEED_IDS.update(
        referral_id=[mine.id, theirs.id],
        staff_id=[accounts["caseworker"].id, other.id],
        match_id=ids(PossibleMatch)[:1],
        message_id=[letters[0], texts[0]],
        obligation_id=ids(Obligation)[:2],
        job_id=[job.id],
        case_id=[our_case.id, their_case.id, *case_ids],
        note_id=note_ids,
        approval_id=approval_ids,
        action_id=_seed_support_plan(app, case_ids[0], accounts["caseworker"]),
        assessment_id=assessment_ids,
        case_volunteer_id=volunteer_links,
        **_seed_onward(app, our_case.id, their_case.id, accounts["caseworker"], other),
    )
    # The target-hardening referrals' pages are onward referrals' pages too.
    SEED_IDS["onward_id"] = [*SEED_IDS["onward_id"], *hardening_ids]
    agencies, SEED_IDS["contact_id"] = _seed_partner_registry()
    SEED_IDS["agency_id"] = [*SEED_IDS.get("agency_id", []), *agencies]
    SEED_IDS["kind:str"] = ["final_letter", "home_visit_offer", "initial_message"]
    SEED_IDS["rj_id"], rj_approvals = _seed_restorative(our_case.id, their_case.id, accounts, other)
    SEED_IDS["approval_id"] = [*SEED_IDS["approval_id"], *rj_approvals]
    SEED_IDS["payment_id"] = _seed_hardship(accounts, other, our_case, their_case)
    SEED_IDS.update(_seed_groups_and_complaints(accounts, other, their_case))
    SEED_IDS.update(_seed_advice_line(app, accounts))
    return accounts


def _seed_advice_line(app, accounts) -> dict:
    """The HSB line's records, so its pages are tried deep, not only with ids that do not
    exist: a missed call with its callback, a web-form contact with advice recorded and a
    resource given, a booked follow-up session, evidence of practice, and negative feedback
    with its D12 follow-up (and its link's token)."""
    from datetime import timedelta

    from casework.audit import Origin
    from casework.db import utcnow
    from casework.hsb.contacts import Professional, create_contact
    from casework.hsb.models import (
        AdviceFeedback,
        AdviceResource,
        AdviceSession,
        PracticeEvidence,
        ResourceGiven,
    )
    from scheduling.service_calendars import hsb_calendar

    now, advisor = utcnow(), accounts["hsb_advisor"]
    common = {"calendar": hsb_calendar(app.config), "now": now, "origin": Origin.command_line("t")}
    called = create_contact(
        db.session,
        channel="telephone",
        call_outcome="missed",
        received_at=now - timedelta(hours=1),
        professional=Professional(phone="+447700900123"),
        **common,
    )
    asked = create_contact(
        db.session,
        channel="web_form",
        received_at=now - timedelta(days=1),
        professional=Professional(
            professional_name="Pat Lead",
            setting_type="primary",
            region="london",
            email="pat@school.example",
        ),
        request_text="A 9-year-old in year 4",
        confidence_before=(2, 3),
        **common,
    )
    asked.kind, asked.child_age, asked.traffic_light, asked.continuum = (
        "case_advice",
        9,
        "amber",
        "problematic",
    )
    asked.advice_given, asked.outcome, asked.advised_at = "Advice", "signposted", now
    resource = AdviceResource(
        title="A directory entry",
        kind="link",
        url="https://example.org/hsb",
        audiences=["dsl"],
        topic="responding",
        created_by_id=advisor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(resource)
    db.session.flush()
    db.session.add(
        ResourceGiven(
            resource_id=resource.id, contact_id=asked.id, given_at=now, given_by_id=advisor.id
        )
    )
    session = AdviceSession(
        contact_id=asked.id,
        starts_at=now + timedelta(days=7),
        means="telephone",
        status="booked",
        ics_uid="bad-input-session@waypoint",
        booked_by_id=advisor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(session)
    db.session.add(
        PracticeEvidence(
            contact_id=asked.id,
            kind="barrier",
            themes=["thresholds"],
            summary="Thresholds differ between areas",
            recorded_by_id=advisor.id,
            recorded_at=now,
        )
    )
    feedback = AdviceFeedback(
        contact_id=asked.id,
        token_hash=hashlib.sha256(b"bad-input-feedback-token").hexdigest(),
        sent_at=now,
        expires_at=now + timedelta(days=30),
    )
    db.session.add(feedback)
    db.session.commit()
    return {
        "contact_id": [*SEED_IDS.get("contact_id", []), called.id, asked.id],
        "resource_id": [resource.id],
        "session_id": [session.id],
        "feedback_id": [feedback.id],
        "token:str": ["bad-input-feedback-token"],
        "key:str": ["traffic_light:red", "continuum:abusive"],
    }


def _seed_restorative(our_case_id, their_case_id, accounts, other) -> tuple[list[int], list[int]]:
    """A sensitive restorative justice request waiting for approval on our case, and an ordinary
    one ready to go ahead on the other team's: (request ids, approval ids)."""
    from datetime import timedelta

    from casework.audit import Origin
    from casework.db import utcnow
    from casework.staff.vetting import local_today
    from casework.support.restorative import (
        RequestDetails,
        ask_for_approval,
        choose_facilitator,
        start_request,
    )

    now = utcnow()
    common = {"origin": Origin.command_line("test"), "now": now}
    details = RequestDetails(local_today(now) - timedelta(days=1), True, True, "shuttle")
    sensitive = start_request(
        db.session,
        our_case_id,
        RequestDetails(
            details.requested_on, True, True, "shuttle", ("domestic_violence",), "She asked"
        ),
        actor=accounts["caseworker"],
        **common,
    )
    # A sensitive request's facilitator (holding the specialism) is chosen before asking.
    accounts["caseworker"].specialisms = ["restorative_justice"]
    db.session.commit()
    sensitive = choose_facilitator(
        db.session,
        our_case_id,
        sensitive.id,
        facilitator_id=accounts["caseworker"].id,
        experienced=True,
        expected_version=sensitive.version,
        actor=accounts["caseworker"],
        **common,
    )
    approval = ask_for_approval(
        db.session,
        our_case_id,
        sensitive.id,
        expected_version=sensitive.version,
        actor=accounts["caseworker"],
        **common,
    )
    ordinary = start_request(db.session, their_case_id, details, actor=other, **common)
    return [sensitive.id, ordinary.id], [approval.id]


def _seed_groups_and_complaints(accounts, other, their_case) -> dict:
    """A young person's case in team A, a group session in each team (team A's with that young
    person's attendance still to record) and a complaint in each team, team B's linked to its
    case: ids for the group-session and complaint routes."""
    from datetime import date

    from casework.audit import Origin
    from casework.db import utcnow
    from casework.support.complaints import record_complaint
    from casework.support.groups import create_session

    create_referrals(
        police_row(
            crime_reference="LC-20261121-0009",
            forename="Yara",
            surname="Young",
            date_of_birth="2012-04-04",
        )
    )
    create_case(
        referral_by_ref("LC-20261121-0009").id,
        caseworker=accounts["caseworker"],
        leader=accounts["team_leader"],
    )
    origin, now = Origin.command_line("test"), utcnow()
    groups = [
        create_session(
            db.session,
            held_on=date(2026, 11, 20),
            place="Youth centre",
            facilitator_id=staff.id,
            topic="Staying safe",
            note=None,
            actor=staff,
            origin=origin,
            now=now,
        ).id
        for staff in (accounts["caseworker"], other)
    ]
    complaints = [
        record_complaint(
            db.session,
            received_on=date(2026, 11, 20),
            channel="phone",
            about="No call back",
            case_reference=reference,
            actor=staff,
            origin=origin,
            now=now,
        ).id
        for staff, reference in ((accounts["team_leader"], None), (other, their_case.reference))
    ]
    return {"group_id": groups, "complaint_id": complaints}


def _seed_partner_registry() -> tuple[list[int], list[int]]:
    """A registry agency with a contact and an agency awaiting its entry: (agency ids, contact
    ids), so the registry's pages and changes are reached with real records."""
    from casework.audit import Origin
    from casework.db import utcnow
    from casework.partners.registry import (
        AgencyDetails,
        ContactDetails,
        add_contact,
        create_agency,
    )

    common = {"actor": None, "origin": Origin.command_line("test"), "now": utcnow()}
    registry = create_agency(
        db.session, AgencyDetails("Freeva", True, "specialist_support", "partner"), **common
    )
    awaiting = create_agency(db.session, AgencyDetails("Oadby Hub", False), **common)
    contact = add_contact(
        db.session, registry.id, ContactDetails("Maya", phone="0116 4960731"), **common
    )
    return [registry.id, awaiting.id], [contact.id]


def _seed_onward(app, our_case_id, their_case_id, worker, other) -> dict:
    """Registry agencies (one without an information-sharing agreement) and an onward referral
    on each team's case, one emailed and one phoned: ids for the onward routes."""
    from datetime import timedelta

    from casework.audit import Origin
    from casework.db import utcnow
    from casework.onward.referring import ReferralDetails, make_referral
    from scheduling.service_calendars import victim_calendar
    from tests.factories import create_registry_agency

    sv = create_registry_agency("Seed sexual violence service", provides="sexual_violence")
    no_isa = create_registry_agency("Seed drop-in", isa=False)
    now = utcnow()
    ids = []
    for case_id, staff, method in ((our_case_id, worker, "email"), (their_case_id, other, "phone")):
        ids.append(
            make_referral(
                db.session,
                case_id,
                ReferralDetails(
                    agency_id=sv.id,
                    service="sexual_violence",
                    method=method,
                    shared_fields=("name",),
                    consent_now=True,
                    consent_how="spoken",
                    spoke_to="Duty worker",
                    spoke_at=now - timedelta(minutes=1),
                ),
                actor=staff,
                origin=Origin.command_line("test"),
                now=now,
                calendar=victim_calendar(app.config),
            ).id
        )
    return {"onward_id": ids, "agency_id": [sv.id, no_isa.id]}


def _seed_target_hardening(accounts, other, our_case, their_case) -> list[int]:
    """A target-hardening referral on each team's case, the caseworker's attended, so its
    outcome, completion and follow-up forms are reached: (onward referral ids)."""
    from datetime import timedelta

    from flask import current_app

    from casework.audit import Origin
    from casework.db import utcnow
    from casework.onward.target_hardening import record_visit
    from scheduling.service_calendars import victim_calendar
    from tests.factories_onward import create_hardening_referral

    now = utcnow()
    ours = create_hardening_referral(
        our_case, by=accounts["caseworker"], made_at=now - timedelta(days=2)
    )
    theirs = create_hardening_referral(their_case, by=other, made_at=now - timedelta(days=2))
    record_visit(
        db.session,
        our_case.id,
        ours.id,
        visit_agreed_for=None,
        attended_at=now - timedelta(days=1),
        expected_version=1,
        actor=accounts["caseworker"],
        origin=Origin.command_line("test"),
        now=now,
        calendar=victim_calendar(current_app.config),
    )
    return [ours.id, theirs.id]


def _seed_hardship(accounts, other, our_case, their_case) -> list[int]:
    """A personal statement on each team's case, and hardship payments: one approved and one
    waiting for approval on our case, one approved on theirs (payment ids)."""
    from datetime import date

    from casework.audit import Origin
    from casework.db import utcnow
    from casework.support.hardship import request_payment
    from casework.support.statements import StatementDetails, save_statement

    now, origin = utcnow(), Origin.command_line("test")
    ids = []
    for case, worker in ((our_case, accounts["caseworker"]), (their_case, other)):
        save_statement(
            db.session,
            case.id,
            StatementDetails(offered_on=date(2026, 11, 20), answer="accepted"),
            expected_version=None,
            actor=worker,
            origin=origin,
            now=now,
        )
        for amount in ("20.00", "150.00") if case is our_case else ("30.00",):
            ids.append(
                request_payment(
                    db.session,
                    case.id,
                    amount=amount,
                    purpose="food",
                    detail="Seed payment",
                    actor=worker,
                    origin=origin,
                    now=now,
                ).id
            )
    return ids


def _seed_closure_requests(accounts, other, our_case, their_case):
    """A closure waiting for approval in each team: (approval ids)."""
    from casework.audit import Origin
    from casework.closure.closing import request_closure
    from casework.db import utcnow
    from tests.factories import set_closure_approval

    ids = []
    for case, worker in ((our_case, accounts["caseworker"]), (their_case, other)):
        set_closure_approval(case.team)
        outcome = request_closure(
            db.session,
            case.id,
            reason="declined",
            words=None,
            actor=worker,
            origin=Origin.command_line("test"),
            now=utcnow(),
        )
        ids.append(outcome.approval.id)
    return ids


def _seed_support_plan(app, case_id: int, worker) -> list[int]:
    """A complete assessment and a support plan with one action on the caseworker's case, so
    the plan's pages are reached past "create it first": the action ids."""
    from datetime import date, timedelta

    from casework.audit import Origin
    from casework.cases.models import Case
    from casework.db import utcnow
    from casework.plans.actions import ActionDetails
    from casework.plans.plan import create_plan
    from scheduling.service_calendars import victim_calendar
    from tests.factories import create_complete_assessment

    case = db.session.get(Case, case_id)
    now = utcnow()
    create_complete_assessment(
        case, worker=worker, held_on=date(2026, 11, 20), priorities={"finance": "Bills"}, at=now
    )
    plan = create_plan(
        db.session,
        case_id,
        goals="Pay the bills",
        actions=[
            (
                "finance",
                ActionDetails(
                    "Apply for the hardship fund", due_on=now.date() + timedelta(days=30)
                ),
            )
        ],
        actor=worker,
        origin=Origin.command_line("test"),
        now=now,
        calendar=victim_calendar(app.config),
    )
    return [a.id for a in plan.actions]


def _seed_cases_with_notes(accounts, other):
    """An open case of the seeded caseworker with a note and a restricted note, and another
    team's case with a note: (case ids, note ids)."""
    from datetime import timedelta

    from casework.audit import Origin
    from casework.cases.notes import NoteDetails, add_note
    from casework.db import utcnow
    from tests.factories import create_case_for_notes

    cases, notes = [], []
    for n, (worker, opener) in enumerate(
        ((accounts["caseworker"], accounts["team_leader"]), (other, accounts["admin"]))
    ):
        row = police_row(
            crime_reference=f"LC-20261120-09{n:02d}",
            forename="Notes",
            surname=f"Seed{n}",
            mobile_phone=f"07700 90080{n}",
        )
        case = create_case_for_notes(caseworker=worker, team_leader=opener, row=row)
        cases.append(case.id)
        for restricted in (False, True)[: 2 - n]:
            now = utcnow()
            note = add_note(
                db.session,
                case.id,
                NoteDetails("telephone", now - timedelta(hours=1), "Spoke to them.", restricted),
                actor=worker,
                origin=Origin.command_line("test"),
                now=now,
            )
            notes.append(note.id)
    return cases, notes


def _seed_volunteer(accounts, case_id: int) -> list[int]:
    """The seeded volunteer on the caseworker's case with notes (a restricted one among them),
    so a volunteer's pages are reached with their own case: the assignment's id."""
    from casework.audit import Origin
    from casework.db import utcnow
    from casework.support.volunteers import assign_volunteer

    link = assign_volunteer(
        db.session,
        case_id,
        accounts["volunteer"].id,
        "Weekly calls",
        actor=accounts["team_leader"],
        origin=Origin.command_line("test"),
        now=utcnow(),
    )
    return [link.id]


def _seed_assessments(case_ids, worker, other) -> list[int]:
    """A complete assessment and a draft on the seeded caseworker's case, and a draft on the
    other team's: their ids."""
    from datetime import timedelta

    from flask import current_app

    from casework.assessments.details import AreaAnswer, AssessmentDetails
    from casework.assessments.recording import start_assessment
    from casework.audit import Origin
    from casework.db import utcnow
    from scheduling.service_calendars import victim_calendar
    from triage.needs import AREAS

    now = utcnow()
    calendar = victim_calendar(current_app.config)
    found = []
    for case_id, staff, complete in (
        (case_ids[0], worker, True),
        (case_ids[0], worker, False),
        (case_ids[1], other, False),
    ):
        details = AssessmentDetails(
            areas={area: AreaAnswer(score=3) for area in AREAS},
            held_on=calendar.local_date(now - timedelta(hours=1)),
            mode="telephone",
            worker_id=staff.id,
        )
        found.append(
            start_assessment(
                db.session,
                case_id,
                details,
                complete=complete,
                actor=staff,
                origin=Origin.command_line("test"),
                now=now,
                calendar=calendar,
            ).id
        )
    return found


def _client_for(app, role: str, accounts):
    client = app.test_client()
    if role != "anonymous":
        response = sign_in(client, accounts[role].email)
        assert response.status_code == 302
    token = csrf_token(client, "/login" if role == "anonymous" else "/account")
    return client, token


def _send(client, method: str, url: str, pairs, *, token, hostile: bool, data):
    broken = hostile and data.draw(st.integers(0, 3), label="broken utf-8") == 0
    if token and (not hostile or data.draw(st.booleans(), label="valid csrf")):
        pairs = [("csrf_token", token), *pairs]
    body = _encode(pairs, broken_utf8=broken)
    if method == "GET":
        # as a WSGI server passes it: the raw bytes, one character each
        return client.get(url, environ_overrides={"QUERY_STRING": body.decode("latin-1")})
    return client.open(
        url, method=method, data=body, content_type="application/x-www-form-urlencoded"
    )


PARAMS = [
    pytest.param(role, rule, methods, names, id=f"{role}-{rule}")
    for rule, methods, names in ROUTES
    for role in ("anonymous", *ROLES)
]


@pytest.mark.parametrize("role,rule,methods,names", PARAMS)
def test_hostile_input_never_answers_5xx_and_a_refusal_changes_nothing(
    app, seeded, role, rule, methods, names
):
    client, token = _client_for(app, role, seeded)
    # First, every seeded record by every method with nothing but a valid token: the requests a
    # double-click or a stale page sends, which random draws reach only now and then.
    at_the_door = []
    for method in methods:
        for url in _seeded_urls(rule):
            before = rows_written()
            body = {"csrf_token": token} if token and method != "GET" else None
            response = client.open(url, method=method, data=body)
            assert not _server_error(rule, response), (method, url, response.status_code)
            if response.status_code >= 400:
                assert rows_written() == before, f"{method} {url} refused but changed data"
            at_the_door.append(_refused_at_the_door(response))
    # A role the route turns away before reading anything (403, or the sign-in page) takes the
    # same path whatever it sends: a few examples prove that; the rest go where the view works.
    if all(at_the_door):
        examples = EXAMPLES_REFUSED
    else:
        examples = EXAMPLES_PER_FORM if names else EXAMPLES_PER_ROUTE

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=CI,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def hostile(data):
        wrong = sorted({"GET", "POST", "PUT", "DELETE", "PATCH"} - set(methods))
        method = data.draw(st.sampled_from(methods + wrong[:1]), label="method")
        url = _url(rule, data)
        hostile = data.draw(st.booleans(), label="hostile")
        pairs = _pairs(data, names, HOSTILE if hostile else WRONG)
        before = rows_written()
        response = _send(client, method, url, pairs, token=token, hostile=hostile, data=data)
        assert not _server_error(rule, response), (method, url, pairs[:5], response.status_code)
        if response.status_code >= 400:
            assert rows_written() == before, f"{method} {url} refused but changed data"

    hostile()


def _server_error(rule: str, response) -> bool:
    """A 5xx, except /readyz's 503, which is its answer (DESIGN.md: 503 when the database,
    migrations or scheduler heartbeat are not right; no scheduler runs here), and must then
    name what is not ready."""
    if rule == "/readyz" and response.status_code == 503:
        return not (response.is_json and response.get_json().get("failing"))
    return response.status_code >= 500


def _refused_at_the_door(response) -> bool:
    if response.status_code == 403:
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and urlsplit(location).path == "/login"


def _seeded_urls(rule: str) -> list[str]:
    urls = [rule]
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", rule):
        key = match.group(2) if match.group(1) == "int" else f"{match.group(2)}:str"
        values = SEED_IDS.get(key, [1])
        urls = [u.replace(match.group(0), str(v), 1) for u in urls for v in values]
    return urls


def test_the_write_counter_sees_a_committed_write_and_not_a_rolled_back_one(app, seeded):
    """The suite's "refusal changed nothing" rests on the counter: it must move for a committed
    write to any checked table, and not for one rolled back or for the audit trail."""
    from casework.audit import Origin, record_refusal
    from casework.staff.models import Staff

    start = rows_written()
    staff = db.session.get(Staff, seeded["caseworker"].id)
    staff.name = "Renamed then rolled back"
    db.session.flush()
    db.session.rollback()
    assert rows_written() == start
    record_refusal(db.session, "test.refused", origin=Origin.command_line("test"))
    assert rows_written() == start
    staff = db.session.get(Staff, seeded["caseworker"].id)
    staff.name = "Renamed"
    db.session.commit()
    assert rows_written() == start + 1


# --- each 500 found by hand before the suite existed, pinned -----------------------------------


@pytest.mark.parametrize(
    "path,fields",
    [
        ("/refer", [("date_of_birth", "x")]),
        ("/refer", [("date_of_birth", "1"), ("date_of_birth", "2")]),
        (
            "/refer",
            [
                ("occurred_on", "1"),
                ("occurred_on", "2"),
                ("occurred_on", "3"),
                ("occurred_on", "4"),
            ],
        ),
        ("/partner-referral", [("date_of_birth", "x")]),
        ("/refer", [("forename", "Ann\x00e")]),
        ("/partner-referral", [("agency_name", "\x00")]),
    ],
)
def test_a_malformed_public_form_is_refused_clearly_and_stores_nothing(client, path, fields):
    before = database_digest()
    token = csrf_token(client, path)
    from werkzeug.datastructures import MultiDict

    response = client.post(path, data=MultiDict([("csrf_token", token), *fields]))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert database_digest() == before


@pytest.mark.parametrize(
    "path",
    [
        "/referrals/2147483648",
        "/cases/2147483648",
        "/cases/9223372036854775808/timeline",
        "/cases/1/timeline?page=9223372036854775808",
        "/referrals/1/timeline?page=-5",
        "/referrals/2147483648/open-case",
        "/staff/2147483648",
        "/admin/staff/2147483648/edit",
        "/referrals/9223372036854775808",
        "/referrals/18446744073709551616",
        "/staff/9223372036854775808",
        "/admin/staff/99999999999999999999999",
        "/imports/9223372036854775808",
        "/messages/9223372036854775808/letter.pdf",
        "/queue?page=9223372036854775808",
        "/admin/staff?page=9223372036854775808",
        "/admin/audit?page=99999999999999999999",
        "/cases/9223372036854775808/notes",
        "/cases/1/notes/2147483648/edit",
        "/cases/1/notes?page=99999999999999999999",
        "/partners/2147483648",
        "/partners/9223372036854775808/edit",
        "/partners?page=99999999999999999999&show=x",
    ],
)
def test_ids_and_pages_past_any_database_range_are_not_errors(client, sign_in_as, path):
    sign_in_as("admin")
    assert client.get(path).status_code in (200, 404)


def test_a_query_string_that_is_not_utf8_is_a_clear_400(client, sign_in_as):
    sign_in_as("admin")
    response = client.get("/queue", environ_overrides={"QUERY_STRING": "q=\xff\xfe"})
    assert response.status_code == 400
