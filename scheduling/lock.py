"""One scheduler at a time (DESIGN.md Production shape: "a second waits on a lock").

The sweeps are safe to run twice, but two schedulers would double the work and race each other,
so whichever starts first holds a lock for as long as it runs and any other waits:

- PostgreSQL: a session-level advisory lock, ``pg_try_advisory_lock(SCHEDULER_LOCK_KEY)``, on a
  connection of its own kept open for the life of the process;
- SQLite: ``flock`` on a lock file beside the database file (``waypoint.db.scheduler-lock``),
  never a database lock, which would block the web.

Either is released by the operating system when the process dies, however it dies (the server
ends the PostgreSQL session when its connection closes; the kernel drops the flock), so a waiting
scheduler takes over within one poll.

    lock = scheduler_lock(database_url)
    if lock.wait(poll_seconds=5, stop=stop_event):
        ...  # run; lock.held() before each run; lock.release() at the end
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger("waypoint.scheduler")

# The advisory lock's key: "WAYP" in ASCII. Fixed, so every Waypoint scheduler on a database
# asks for the same lock; nothing else in Waypoint takes advisory locks.
SCHEDULER_LOCK_KEY = 0x57415950


def this_process() -> str:
    """'pid 123 on host': who holds the lock, as the waiting scheduler reports it."""
    return f"pid {os.getpid()} on {socket.gethostname()}"


class SchedulerLock:
    """The lock one scheduler holds while it runs; ``try_acquire`` never blocks."""

    kind = "none"

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this process holds it now."""
        return True

    def held(self) -> bool:
        """Whether this process still holds the lock (a dropped database connection loses it)."""
        return True

    def holder(self) -> str | None:
        """Who holds the lock, in words, when that can be told."""
        return None

    def release(self) -> None:
        """Let the lock go (exiting does the same)."""

    def wait(self, *, poll_seconds: float, stop: threading.Event | None = None) -> bool:
        """Take the lock, trying again every ``poll_seconds`` while another scheduler holds it
        and saying so in the log. False only if ``stop`` is set before the lock is taken."""
        stop = stop or threading.Event()
        said = None
        while not stop.is_set():
            try:
                if self.try_acquire():
                    if said is not None:
                        log.warning("Scheduler lock taken (%s): this one now runs.", self.kind)
                    return True
                holder = self.holder() or "another scheduler"
            except sa.exc.SQLAlchemyError as exc:
                holder = f"the database is not answering ({type(exc).__name__})"
            if holder != said:
                log.warning(
                    "Waiting for the scheduler lock held by %s; trying again every %s seconds. "
                    "Only one scheduler runs at a time: this one takes over if that one stops.",
                    holder,
                    poll_seconds,
                )
                said = holder
            stop.wait(poll_seconds)
        return False


class PostgresLock(SchedulerLock):
    """``pg_try_advisory_lock(SCHEDULER_LOCK_KEY)`` on a connection kept open while held."""

    kind = "PostgreSQL advisory lock"

    def __init__(self, url: sa.URL) -> None:
        self._engine = sa.create_engine(
            url,
            poolclass=sa.pool.NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "application_name": f"waypoint scheduler {this_process()}"[:63],
                # A holder whose host dies or is cut off (not killed: that closes the socket)
                # must lose the lock in about a minute, not after the system's two-hour TCP
                # keepalive; and a half-open socket must not hang the lock check.
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
                "tcp_user_timeout": 60_000,
            },
        )
        self._connection: sa.Connection | None = None

    def try_acquire(self) -> bool:
        """Take the advisory lock on a fresh connection, kept only if the lock was granted."""
        if self.held():
            return True
        connection = self._engine.connect()
        try:
            granted = connection.scalar(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK_KEY}
            )
        except BaseException:
            connection.close()
            raise
        if not granted:
            connection.close()
            return False
        self._connection = connection
        return True

    def held(self) -> bool:
        """The lock lasts as long as its session: held while that connection still answers."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            self._drop()
            return False
        return True

    def holder(self) -> str | None:
        """The holding session's application name (it names the scheduler's pid and host)."""
        with self._engine.connect() as connection:
            return connection.scalar(
                sa.text(
                    "SELECT a.application_name FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND l.classid = 0 AND l.objid = :key AND l.objsubid = 1"
                ),
                {"key": SCHEDULER_LOCK_KEY},
            )

    def release(self) -> None:
        """Unlock and close the lock's connection."""
        if self._connection is not None:
            # If the session is gone already, so is the lock.
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                self._connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEDULER_LOCK_KEY}
                )
            self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                connection.close()


class FileLock(SchedulerLock):
    """``flock`` on a file beside the SQLite database; the file records its holder."""

    kind = "lock file"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = None

    def try_acquire(self) -> bool:
        """Take the flock without waiting; on success write who holds it into the file."""
        import fcntl

        if self._file is not None:
            return True
        handle = open(self.path, "a+")  # noqa: SIM115 (kept open while the lock is held)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"Waypoint scheduler, {this_process()}\n")
        handle.flush()
        self._file = handle
        return True

    def held(self) -> bool:
        """Held from taking it until release or exit."""
        return self._file is not None

    def holder(self) -> str | None:
        """What the holder wrote into the lock file."""
        try:
            text = self.path.read_text().strip()
        except OSError:
            return None
        return text.removeprefix("Waypoint scheduler, ") or None

    def release(self) -> None:
        """Unlock and close the file (the file stays: removing it would race a new holder)."""
        import fcntl

        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lock_file_path(database: str) -> Path:
    """The lock file beside an SQLite database file."""
    return Path(f"{database}.scheduler-lock")


def scheduler_lock(url: sa.URL | str) -> SchedulerLock:
    """The lock for the database at ``url`` (the app's engine URL, so a relative SQLite path is
    already resolved): PostgreSQL's advisory lock, a lock file beside an SQLite file, or none
    for an in-memory database (private to its process anyway)."""
    url = sa.engine.make_url(url)
    if url.get_backend_name() == "postgresql":
        return PostgresLock(url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return FileLock(lock_file_path(url.database))
    return SchedulerLock()
