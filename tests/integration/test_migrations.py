"""The schema comes only from migrations, and the models and migrations agree."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from casework.db import comparison_filter, db
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "include_object": comparison_filter(conn.dialect.name)},
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations; add a revision: {diff}"


def test_the_queue_index_orders_risk_descending(app):
    """The index the comparison above cannot see on SQLite, checked directly."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_referral_queue'"
            ).scalar()
        else:
            sql = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_referral_queue'"
            ).scalar()
    assert "risk_score DESC" in sql


def test_db_upgrade_command_builds_an_empty_database(tmp_path, migrated_database):
    env = {**os.environ, "WAYPOINT_ENV": "development"}
    if POSTGRES_URL:
        # The session's database is already migrated: upgrade must be a no-op that succeeds.
        env["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
        target = POSTGRES_URL
    else:
        env["WAYPOINT_INSTANCE_DIR"] = str(tmp_path)
        target = f"sqlite:///{tmp_path / 'waypoint.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    engine = sa.create_engine(target)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert {"staff", "team", "staff_session", "audit_event", "alembic_version"} <= tables


def test_sqlite_connections_use_wal_foreign_keys_and_durable_commits(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's connection settings; PostgreSQL has none of these pragmas")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_the_sql_printed_for_a_postgresql_dba_says_what_the_migrations_do(tmp_path):
    """`flask db upgrade --sql` prints the SQL for a DBA to run by hand: a LIKE pattern in it
    is printed as written, not with its % doubled (which would build an index the queries
    it serves can never use). No database is reached: the SQL is only printed, from the
    revision before that index (earlier ones move data, which needs a database)."""
    env = {
        **os.environ,
        "WAYPOINT_ENV": "development",
        "WAYPOINT_INSTANCE_DIR": str(tmp_path),
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "1ebac223ed1e:head"]
        + ["--sql"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    [index] = [line for line in result.stdout.splitlines() if "ix_referral_domestic_abuse" in line]
    assert "LIKE '%DOMESTIC_ABUSE%'" in index and "%%" not in index
