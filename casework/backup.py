"""Backups of the database: a consistent copy of a live SQLite file, or the pg_dump command
for PostgreSQL (whose own tool is the right one). ``flask --app wsgi db backup PATH``."""

from __future__ import annotations

import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa


class BackupRefused(Exception):
    """A backup that was not made, and why, in plain words."""


@dataclass(frozen=True)
class SqliteBackup:
    """A finished copy: where from, where to, and its size."""

    source: Path
    destination: Path
    pages: int
    page_size: int

    @property
    def size_bytes(self) -> int:
        return self.pages * self.page_size


def sqlite_database(uri: str) -> Path | None:
    """The file an SQLite URI names, or None when the URI is not SQLite. An in-memory database
    (nothing on disk to copy) is refused."""
    url = sa.engine.make_url(uri)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupRefused("The database is in memory: there is no file to back up.")
    return Path(url.database).resolve()


def check_destination(destination: Path) -> None:
    """A backup never overwrites a file, and goes into a folder that already exists."""
    if destination.exists() or destination.is_symlink():
        raise BackupRefused(
            f"{destination} already exists: a backup never overwrites a file. "
            "Choose a new name (with the date in it, say)."
        )
    if not destination.parent.is_dir():
        raise BackupRefused(f"The folder {destination.parent} does not exist: create it first.")


def backup_sqlite(source: Path, destination: Path, *, busy_timeout_ms: int) -> SqliteBackup:
    """Copy the live SQLite database ``source`` to ``destination`` with SQLite's online backup
    API, in one step: one read transaction, so the copy is the database as it was at one
    moment, every transaction wholly in or wholly out. In WAL mode the web workers and the
    scheduler go on writing meanwhile. The copy is checked (``quick_check``) and appears at
    ``destination`` only when complete."""
    destination = Path(destination).absolute()
    check_destination(destination)
    if not source.is_file():
        raise BackupRefused(f"There is no database at {source}: nothing to back up.")
    partial = destination.with_name(f".{destination.name}.partial-{os.getpid()}")
    try:
        # The copy holds every person's record: readable by its owner only, whatever the
        # caller's umask (the service's own database file is not world-readable either).
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600))
        return _copy(source, destination, partial, busy_timeout_ms)
    except sqlite3.Error as exc:
        raise BackupRefused(f"SQLite could not copy {source}: {exc}") from exc
    except BackupRefused:
        raise
    except OSError as exc:
        raise BackupRefused(f"Could not write the backup in {destination.parent}: {exc}") from exc
    finally:
        for leftover in ("", "-journal", "-wal", "-shm"):
            Path(f"{partial}{leftover}").unlink(missing_ok=True)


def _copy(source: Path, destination: Path, partial: Path, busy_timeout_ms: int) -> SqliteBackup:
    """The copy itself: into ``partial``, checked and synced, then linked to ``destination``."""
    src = sqlite3.connect(source)
    try:
        src.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # pages=-1: every page in one step
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (check,) = dst.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupRefused(f"The copy failed its integrity check: {check}")
            (pages,) = dst.execute("PRAGMA page_count").fetchone()
            (page_size,) = dst.execute("PRAGMA page_size").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    with open(partial, "rb") as copy:
        os.fsync(copy.fileno())
    try:
        os.link(partial, destination)  # fails, rather than overwrite, if it appeared meanwhile
    except FileExistsError as exc:
        raise BackupRefused(f"{destination} appeared during the backup: not replaced.") from exc
    _fsync_folder(destination.parent)
    return SqliteBackup(source, destination, pages, page_size)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def pg_dump_commands(uri: str, destination: Path) -> tuple[str, str]:
    """The pg_dump command that backs up the PostgreSQL database at ``uri`` to
    ``destination`` (custom format), and the pg_restore command that puts it back. The
    password is left out: pg_dump takes it from ~/.pgpass or PGPASSWORD."""
    given = sa.engine.make_url(uri)
    url = sa.engine.URL.create(
        "postgresql",
        username=given.username,
        host=given.host,
        port=given.port,
        database=given.database,
        query=given.query,
    )
    target = shlex.quote(url.render_as_string(hide_password=False))
    path = shlex.quote(str(destination))
    dump = f"pg_dump --format=custom --file {path} {target}"
    restore = f"pg_restore --clean --if-exists --no-owner --dbname {target} {path}"
    return dump, restore
