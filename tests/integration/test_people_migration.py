"""The people-and-cases migration moves existing data, on both engines: a database filled at the
previous revision is upgraded, and every referral then belongs to a person whose id is the one
the audit trail already holds, and a first conversation that ended in further support has become
an open case that owes the needs assessment (D4)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from casework.db import db
from tests.conftest import POSTGRES_URL, make_app

PREVIOUS = "b6a1e7f01a95"
PEOPLE_AND_CASES = "2fc86edd3319"
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def empty_database(tmp_path):
    """A database of its own (a migration test cannot share the suite's migrated one)."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'migration.db'}"
        return
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_people_migration"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _filler(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.JSON):
        return []
    if isinstance(kind, sa.DateTime):
        return NOW
    if isinstance(kind, sa.Date):
        return date(2026, 11, 1)
    return "x"


def insert(conn, table: str, **values) -> int:
    """A row with the given values, every other required column filled plausibly."""
    meta = sa.MetaData()
    target = sa.Table(table, meta, autoload_with=conn)
    for column in target.columns:
        required = not column.nullable and column.server_default is None
        if column.name not in values and required and not column.primary_key:
            values[column.name] = _filler(column)
    for name, value in values.items():
        if isinstance(target.c[name].type, sa.JSON) and not isinstance(value, str):
            values[name] = json.dumps(value) if conn.dialect.name == "sqlite" else value
    result = conn.execute(target.insert().values(**values))
    return values.get("id") or result.inserted_primary_key[0]


def rows(conn, sql: str, **params) -> list:
    return conn.execute(sa.text(sql), params).all()


def test_existing_referrals_become_people_and_further_support_becomes_a_case(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision=PREVIOUS)
        with db.engine.begin() as conn:
            team = insert(conn, "team", name="North", service="victim")
            worker = insert(
                conn, "staff", email="cw@example.org", name="Casey", role="caseworker", team_id=team
            )
            first = insert(
                conn,
                "referral",
                id=10,
                reference="WP-AAAAAAAA",
                dedupe_key="a",
                forename="Ann",
                surname="Example",
                date_of_birth=date(1980, 1, 2),
                mobile_phone="+447700900123",
                safe_to_text=True,
                status="open",
                priority="standard",
                allocated_to_id=worker,
                person_id=None,
            )
            repeat = insert(
                conn,
                "referral",
                id=11,
                reference="WP-BBBBBBBB",
                dedupe_key="b",
                forename="Ann",
                surname="Example",
                status="open",
                priority="standard",
                person_id=first,
            )
            other = insert(
                conn,
                "referral",
                id=12,
                reference="WP-CCCCCCCC",
                dedupe_key="c",
                forename="Bob",
                surname="Other",
                status="open",
                priority="enhanced",
                person_id=None,
            )
            insert(
                conn,
                "initial_contact",
                referral_id=first,
                held_at=NOW,
                outcome="further_support",
                recorded_by_id=worker,
            )
            assessment = insert(
                conn,
                "obligation",
                referral_id=first,
                kind="needs_assessment",
                channel="appointment",
                due_at=NOW,
                status="due",
            )
            call = insert(
                conn,
                "obligation",
                referral_id=other,
                kind="phone_contact",
                channel="telephone",
                due_at=NOW,
                status="due",
            )
            insert(
                conn,
                "key_date",
                referral_id=first,
                kind="court",
                event_on=date(2027, 1, 5),
                recorded_by_id=worker,
            )
        upgrade(revision=PEOPLE_AND_CASES)
        with db.engine.connect() as conn:
            people = rows(
                conn, "SELECT id, forename, mobile_phone, safe_to_text FROM person ORDER BY id"
            )
            assert [(p.id, p.forename) for p in people] == [(first, "Ann"), (other, "Bob")]
            assert people[0].mobile_phone == "+447700900123" and people[0].safe_to_text
            owners = dict(rows(conn, "SELECT id, person_id FROM referral"))
            assert owners == {first: first, repeat: first, other: other}
            (case,) = rows(
                conn,
                "SELECT id, person_id, team_id, caseworker_id, status, opened_how "
                "FROM support_case",
            )
            assert (case.person_id, case.team_id, case.caseworker_id) == (first, team, worker)
            assert (case.status, case.opened_how) == ("open", "further_support")
            owned = {
                r.id: (r.referral_id, r.case_id)
                for r in rows(conn, "SELECT id, referral_id, case_id FROM obligation")
            }
            assert owned == {assessment: (None, case.id), call: (other, None)}
            assert rows(conn, "SELECT referral_id, case_id FROM key_date") == [(None, case.id)]
            moved = {
                r.id: (r.status, r.case_id)
                for r in rows(conn, "SELECT id, status, case_id FROM referral")
            }
            assert moved[first] == ("closed", case.id)  # off the triage queue, onto the caseload
            assert moved[repeat] == ("open", case.id)  # the person's other referral joins the case
            assert moved[other] == ("open", None)
        # An obligation with no owner, or two, is refused by the database itself.
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE obligation SET referral_id = :r WHERE id = :o"),
                {"r": first, "o": assessment},
            )
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE obligation SET referral_id = NULL WHERE id = :o"), {"o": call}
            )

        downgrade(revision=PREVIOUS)
        with db.engine.connect() as conn:
            assert dict(rows(conn, "SELECT id, referral_id FROM obligation")) == {
                assessment: first,
                call: other,
            }
            assert dict(rows(conn, "SELECT id, person_id FROM referral")) == {
                first: None,
                repeat: first,
                other: None,
            }
        upgrade()
        db.engine.dispose()
