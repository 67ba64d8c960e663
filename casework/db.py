"""The SQLAlchemy handle shared by every model, and the column types Waypoint stores."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.exc import StaleDataError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base every model shares."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(sa.types.TypeDecorator):
    """A moment in time, always stored in UTC and always read back timezone-aware.

    PostgreSQL keeps it as ``timestamp with time zone``; SQLite, which has no such type,
    keeps the naive UTC value. Naive datetimes are refused so local time can never leak in.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Waypoint stores only timezone-aware datetimes")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current moment in UTC; only services, jobs and the CLI call this."""
    return datetime.now(UTC)


# Indexes with a descending column: SQLite does not report the direction when its schema is
# read back, so comparing models with an SQLite database would always see a difference there.
DESCENDING_INDEXES = frozenset({"ix_referral_queue"})


def comparison_filter(dialect_name: str):
    """An Alembic ``include_object`` hook that skips what this database cannot report."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        return not (dialect_name == "sqlite" and type_ == "index" and name in DESCENDING_INDEXES)

    return include


def database_answers(session) -> bool:
    """True when the database answers a trivial query (the health check)."""
    try:
        session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        session.rollback()
        return False
    return True


# Record ids are INTEGER columns: PostgreSQL's int4, so no row's id exceeds 2^31 - 1, and a
# larger number sent in a URL or a form is refused before it reaches the driver.
MAX_ID = 2**31 - 1

_SQLITE = {"busy_timeout_ms": 5000, "cache_mb": 64}


def configure_sqlite(busy_timeout_ms: int, cache_mb: int) -> None:
    """The busy timeout and page cache every new SQLite connection gets (settings)."""
    _SQLITE.update(busy_timeout_ms=int(busy_timeout_ms), cache_mb=int(cache_mb))


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL, foreign keys, a busy timeout and durable commits on every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE['busy_timeout_ms']}")
    cursor.execute("PRAGMA synchronous=FULL")
    # A bigger page cache keeps the indexes of a large import in memory (64 MB by default).
    cursor.execute(f"PRAGMA cache_size=-{_SQLITE['cache_mb'] * 1024}")
    cursor.close()


def known_id(record) -> int | None:
    """A record's id as its session already knows it, without a query: after a commit its
    attributes are expired, and reading ``record.id`` would load them all again."""
    state = sa.inspect(record, raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity and len(identity) == 1 else None


def refuse_stale(conflict):
    """Decorate a service ``f(session, ...)`` whose saves are version-checked: a concurrent
    change found at any flush inside it (an autoflush before a lazy load included) rolls back
    and raises ``conflict()`` (a ValidationError saying what to do) instead of escaping as a
    server error."""
    import functools

    def wrap(service):
        @functools.wraps(service)
        def guarded(session, *args, **kwargs):
            try:
                return service(session, *args, **kwargs)
            except StaleDataError:
                session.rollback()
                raise conflict() from None

        return guarded

    return wrap


Made = TypeVar("Made")


def submission_key(kind: str, token: str) -> str:
    """The key that makes one record of one form sent twice: its one-time token, hashed with
    what it makes and for whom (``kind``)."""
    return hashlib.sha256(f"{kind}:{token}".encode()).hexdigest()


def form_key(kind: str, token: str | None) -> str | None:
    """The submission key of one form (``submission_key``), or None when it carried no token."""
    token = (token or "").strip()
    return submission_key(kind, token) if token else None


def made_by_key(session, column, key: str | None):
    """The record whose submission-key ``column`` (``CaseNote.submission_key``) holds ``key``:
    what a form with that one-time token already made, if anything (nothing when the form
    carried no token). The record found is marked ``sent_before`` (not stored), so the page
    can say this send saved nothing."""
    if key is None:
        return None
    found = session.scalar(sa.select(column.class_).where(column == key))
    if found is not None:
        found.sent_before = True
    return found


def sent_before(record) -> bool:
    """Whether ``record`` is what an earlier send of the same form made (``made_by_key``)."""
    return getattr(record, "sent_before", False) is True


def made_once(session, column, key: str | None, make: Callable[[], Made]) -> Made:
    """What one form makes, however often it is sent, once the caller has looked for an
    earlier send's record (``made_by_key``) and found none: ``make()``, which makes and commits
    one under the submission ``key`` (held in ``column``). A send that meets, as it writes,
    what another send committed in the meantime (two at the same moment) rolls back and
    returns that send's record: at its INSERT, the key; or first, at the UPDATE of a record
    both change, the version the other moved on."""
    try:
        return make()
    except (sa.exc.IntegrityError, StaleDataError):
        session.rollback()
        if (earlier := made_by_key(session, column, key)) is None:
            raise
        return earlier
