"""Whether this instance is ready to serve (``GET /readyz``): the database answers, its schema is
at the migrations' head, and the scheduler has swept recently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from casework.db import database_answers
from casework.heartbeat.sweeps import scheduler_status


@dataclass(frozen=True)
class Readiness:
    """Each part's state: ``database`` ok or unavailable; ``migrations`` ok, pending (the
    database is behind: run ``flask db upgrade``), mismatch (a revision this code does not know)
    or unknown; ``scheduler`` ok, stale, never or unknown."""

    database: str
    migrations: str
    scheduler: str
    last_sweep_at: datetime | None = None

    @property
    def failing(self) -> list[str]:
        """The parts that are not ok, in the order checked."""
        parts = {
            "database": self.database,
            "migrations": self.migrations,
            "scheduler": self.scheduler,
        }
        return [name for name, state in parts.items() if state != "ok"]

    @property
    def ready(self) -> bool:
        """Whether every part is ok."""
        return not self.failing

    def as_json(self) -> dict:
        """The body of ``GET /readyz``."""
        return {
            "status": "ok" if self.ready else "error",
            "database": self.database,
            "migrations": self.migrations,
            "scheduler": self.scheduler,
            "last_sweep_at": self.last_sweep_at.isoformat() if self.last_sweep_at else None,
            **({"failing": self.failing} if self.failing else {}),
        }


@lru_cache(maxsize=8)
def _scripts(directory: str) -> ScriptDirectory:
    """The migrations directory, read once per process (it changes only with a deploy)."""
    return ScriptDirectory(directory)


def migrations_head(directory: str) -> frozenset[str]:
    """The head revision(s) of the migrations in ``directory``."""
    return frozenset(_scripts(directory).get_heads())


def _migrations_state(session, directory: str) -> str:
    current = frozenset(MigrationContext.configure(session.connection()).get_current_heads())
    if current == migrations_head(directory):
        return "ok"
    try:
        for revision in current:
            _scripts(directory).get_revision(revision)
    except CommandError:
        return "mismatch"
    return "pending"


def check_readiness(
    session, *, migrations_directory: str, now: datetime, stale_after: timedelta
) -> Readiness:
    """Ready when the database answers, its alembic revision is the head of the migrations in
    ``migrations_directory``, and the scheduler swept no longer than ``stale_after`` before
    ``now`` (issue 17). Never raises for a database fault: a part that cannot be read is
    reported as ``unknown`` (a missing table included)."""
    if not database_answers(session):
        return Readiness(database="unavailable", migrations="unknown", scheduler="unknown")
    try:
        migrations = _migrations_state(session, migrations_directory)
    except (sa.exc.SQLAlchemyError, CommandError, OSError):
        session.rollback()
        migrations = "unknown"
    try:
        status = scheduler_status(session, now=now, stale_after=stale_after)
    except sa.exc.SQLAlchemyError:
        session.rollback()
        return Readiness(database="ok", migrations=migrations, scheduler="unknown")
    session.rollback()  # read only: end the transaction
    return Readiness(
        database="ok",
        migrations=migrations,
        scheduler=status.state,
        last_sweep_at=status.last_sweep_at,
    )
