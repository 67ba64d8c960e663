"""Crash safety, measured: real processes killed with SIGKILL at moments spread over their work.

Import trials. A generated police download (a few thousand rows) is imported once, whole, by
``flask --app wsgi referrals import-police`` into a copy of a freshly migrated SQLite database,
while this process watches SQLite's write lock (see ``write_locked``) to learn when the import's
write transaction begins and commits. Then each trial imports the same file into a fresh copy
and kills the importer with SIGKILL: half the trials at moments spread evenly over 0..1.2x the
whole run (from process start), half at moments spread over 0..1.2x the write window (from the
moment the write lock is first seen). Just before each kill the write lock is probed again: a
trial whose kill found the lock held "landed inside the transaction". After the kill the
database is opened afresh and checked: ``PRAGMA integrity_check`` and ``foreign_key_check``
clean, and every table's row count either exactly as before the import (absent) or exactly as
after the uninterrupted import (whole). Anything else is broken.

Scheduler trials. A database holds N SMS queued and due; the local fake Twilio API
(tests/fakes/twilio.py) answers each message create ``delay`` seconds after accepting it. A
``flask --app wsgi scheduler run-once`` process is killed with SIGKILL after the k-th message
request reached the fake (k spread over 1..N) plus a spread fraction of the delay; then a
second run-once is started with the fake at full speed and ``--now`` 16 minutes on, past the
time after which a message left 'sending' is flagged for a person. Each message is then either
sent once (the fake accepted it once and the app says sent), or flagged for a person to check
(failed, "sending was interrupted"); it is a duplicate if the fake accepted it twice, lost if
the fake never accepted it and it is not flagged, and "unrecorded" if the fake accepted it but
the app neither says sent nor flags it (the next run would send it again).

Run: .venv/bin/python -m bench.crash_safety [--trials 50] [--scheduler-trials 20] [--rows 5000]
     [--database-url postgresql://postgres@127.0.0.1:5432/NAME]  (PostgreSQL instead of SQLite:
     a fresh database per trial from a template; "inside the transaction" = the importer's
     backend had a transaction id in pg_stat_activity; no integrity_check on PostgreSQL)
Exits non-zero if any trial found a broken batch, a duplicate, a lost or an unrecorded message.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bench.common  # noqa: F401 (the benchmarks' environment: WAYPOINT_ENV=test, a temp instance)

ROOT = Path(__file__).resolve().parents[1]
RECEIVED = "2026-11-20T07:00:00+00:00"
TWILIO_SID = "AC" + "0" * 32
INTERRUPTED = "sending was interrupted"
POLL = 0.0005  # seconds between probes of the write lock


# --- SQLite's write lock, seen from outside -------------------------------------------------

# In WAL mode a writer holds an exclusive POSIX lock on byte 120 of the -shm file (SQLite's
# WAL_WRITE_LOCK) from its first write until it commits or rolls back. F_GETLK asks the kernel
# whether another process holds it without taking it, so watching does not disturb the writer.
_WAL_WRITE_LOCK_BYTE = 120
_FLOCK = "@hhqqi4x"  # struct flock on Linux x86-64 / arm64: type, whence, start, len, pid


def write_locked(database: Path) -> bool:
    """Whether another process holds the SQLite write lock on ``database`` (WAL mode) now."""
    try:
        fd = os.open(f"{database}-shm", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        query = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, _WAL_WRITE_LOCK_BYTE, 1, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        return struct.unpack(_FLOCK, answer)[0] != fcntl.F_UNLCK
    finally:
        os.close(fd)


# --- processes -------------------------------------------------------------------------------


def _env(database_url: str, folder: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "WAYPOINT_ENV": "development",
        "DATABASE_URL": database_url,
        "WAYPOINT_INSTANCE_DIR": str(folder),
        **extra,
    }


def _flask(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        stdout=kwargs.pop("stdout", subprocess.DEVNULL),
        stderr=kwargs.pop("stderr", subprocess.DEVNULL),
        **kwargs,
    )


def _kill(process: subprocess.Popen) -> bool:
    """SIGKILL the process if it still runs; True when it was killed (not already finished)."""
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.returncode == -signal.SIGKILL


def _app(url: str):
    """A Waypoint app on the database at ``url``, migrated to the head."""
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
    return app


def _closed(app) -> None:
    from casework.db import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- where the trials' databases live --------------------------------------------------------


class SqliteStore:
    """Each database a SQLite file in ``folder``; a fresh one is a copy of a template file."""

    engine = "SQLite (WAL, synchronous=FULL)"
    checks_integrity = True

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.db"

    def url(self, name: str) -> str:
        return f"sqlite:///{self.path(name)}"

    def _remove(self, name: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path(name)}{suffix}").unlink(missing_ok=True)

    def create(self, name: str):
        """A new, migrated database; returns its app (close it with ``_closed``)."""
        self._remove(name)
        return _app(self.url(name))

    def copy(self, template: str, name: str) -> None:
        self._remove(name)
        shutil.copyfile(self.path(template), self.path(name))

    def writing(self, name: str) -> bool:
        return write_locked(self.path(name))

    def settle(self, name: str) -> None:
        pass  # a killed process holds nothing: its locks went with it

    def rows(self, name: str, query: str) -> list[tuple]:
        conn = sqlite3.connect(self.path(name))
        try:
            return conn.execute(query).fetchall()
        finally:
            conn.close()

    def tables(self, name: str) -> list[str]:
        return [t for (t,) in self.rows(name, "SELECT name FROM sqlite_master WHERE type='table'")]

    def sound(self, name: str) -> bool:
        """``PRAGMA integrity_check`` ok and no foreign key dangling, opened afresh."""
        return self.rows(name, "PRAGMA integrity_check") == [("ok",)] and not self.rows(
            name, "PRAGMA foreign_key_check"
        )

    def close(self) -> None:
        pass


class PostgresStore:
    """Each database a PostgreSQL database on the server of ``url``; a fresh one is created
    from a template database (CREATE DATABASE ... TEMPLATE). A write transaction is in progress
    while the trial database has a backend with a transaction id (pg_stat_activity)."""

    engine = "PostgreSQL"
    checks_integrity = False  # no integrity_check; whole-or-absent is still checked

    def __init__(self, url: str):
        import psycopg
        from sqlalchemy.engine import make_url

        self.base = make_url(url.replace("postgresql+psycopg://", "postgresql://", 1))
        self.prefix = f"crash_{os.getpid()}_"
        self.made: set[str] = set()
        self.admin = psycopg.connect(self._dsn(self.base.database), autocommit=True)

    def _dsn(self, database: str) -> str:
        return self.base.set(database=database).render_as_string(hide_password=False)

    def _name(self, name: str) -> str:
        return self.prefix + name

    def url(self, name: str) -> str:
        return self._dsn(self._name(name)).replace("postgresql://", "postgresql+psycopg://", 1)

    def _drop(self, name: str) -> None:
        from psycopg import sql

        self.admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(self._name(name))
            )
        )

    def create(self, name: str):
        from psycopg import sql

        self._drop(name)
        self.admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self._name(name))))
        self.made.add(name)
        return _app(self.url(name))

    def copy(self, template: str, name: str) -> None:
        from psycopg import sql

        self._drop(name)
        self.admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(self._name(name)), sql.Identifier(self._name(template))
            )
        )
        self.made.add(name)

    def _backends(self, name: str, condition: str = "true") -> int:
        return self.admin.execute(
            f"SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND {condition}",
            (self._name(name),),
        ).fetchone()[0]

    def writing(self, name: str) -> bool:
        return self._backends(name, "backend_xid IS NOT NULL") > 0

    def settle(self, name: str) -> None:
        """Wait until the killed process's backend has gone (and rolled back what it began)."""
        deadline = time.monotonic() + 60
        while self._backends(name) and time.monotonic() < deadline:
            time.sleep(0.01)

    def rows(self, name: str, query: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self._dsn(self._name(name))) as conn:
            return conn.execute(query).fetchall()

    def tables(self, name: str) -> list[str]:
        return [
            t
            for (t,) in self.rows(
                name,
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
        ]

    def sound(self, name: str) -> bool:
        return True  # PostgreSQL has no integrity_check; its WAL recovery is its own

    def close(self) -> None:
        for name in self.made:
            self._drop(name)
        self.admin.close()


# --- import trials ---------------------------------------------------------------------------


def table_counts(store, name: str) -> dict[str, int]:
    return {t: store.rows(name, f'SELECT count(*) FROM "{t}"')[0][0] for t in store.tables(name)}


def check_database(store, name: str) -> tuple[bool, dict[str, int]]:
    """Open the database afresh (as the next process would) and check it is sound; its counts."""
    store.settle(name)
    return store.sound(name), table_counts(store, name)


@dataclass
class ImportReference:
    rows: int
    referrals: int
    seconds: float  # the whole process, start to exit
    write_began: float  # seconds from start to the write lock first seen held
    write_ended: float  # seconds from start to the write lock last seen held
    lock_taken: int  # separate times the write lock was seen taken (1: one transaction)
    before: dict[str, int]
    after: dict[str, int]

    @property
    def window(self) -> float:
        return self.write_ended - self.write_began


@dataclass
class ImportTrial:
    plan: str  # "run" (timed from start) or "transaction" (timed from the write lock)
    moment: float  # seconds from process start to the kill (or to its exit)
    killed: bool  # False: it finished before the kill moment
    inside: bool  # the write lock was held just before the kill
    sound: bool
    outcome: str  # whole, absent or broken


@dataclass
class ImportFigures:
    reference: ImportReference
    engine: str
    trials: list[ImportTrial] = field(default_factory=list)

    def count(self, **where) -> int:
        return sum(all(getattr(t, k) == v for k, v in where.items()) for t in self.trials)

    @property
    def broken(self) -> int:
        return sum(not t.sound or t.outcome == "broken" for t in self.trials)


def _watch_import(store, database: str, download: Path, folder: Path):
    """Run one import to the end, watching the write lock: (seconds, lock first seen, lock last
    seen, how many separate times it was seen taken)."""
    env = _env(store.url(database), folder)
    start = time.perf_counter()
    process = _flask(["referrals", "import-police", str(download), "--received-at", RECEIVED], env)
    first = last = None
    intervals, held = 0, False
    while process.poll() is None:
        locked = store.writing(database)
        if locked:
            now = time.perf_counter() - start
            first = now if first is None else first
            last = now
        intervals += locked and not held
        held = locked
        time.sleep(POLL)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"the uninterrupted import failed (exit {process.returncode})")
    if first is None:
        raise RuntimeError("the import's write transaction was never seen")
    return seconds, first, last, intervals


def prepare_imports(store, folder: Path, rows: int) -> tuple[Path, ImportReference]:
    """The template database, the download and the uninterrupted run's figures."""
    from casework.demo.generator import police_csv

    _closed(store.create("import_template"))
    download = folder / "police-download.csv"
    download.write_text(police_csv(rows, received_on=datetime.fromisoformat(RECEIVED).date()))
    store.copy("import_template", "import_reference")
    seconds, began, ended, intervals = _watch_import(store, "import_reference", download, folder)
    before = table_counts(store, "import_template")
    after = table_counts(store, "import_reference")
    reference = ImportReference(
        rows=rows,
        referrals=after["referral"] - before["referral"],
        seconds=seconds,
        write_began=began,
        write_ended=ended,
        lock_taken=intervals,
        before=before,
        after=after,
    )
    return download, reference


def import_trial(
    store, download: Path, folder: Path, reference: ImportReference, plan: str, at: float
) -> ImportTrial:
    """One import killed ``at`` seconds after its start ("run") or after its write lock is
    first seen ("transaction"), and the database checked."""
    database = "import_trial"
    store.copy("import_template", database)
    env = _env(store.url(database), folder)
    start = time.perf_counter()
    process = _flask(["referrals", "import-police", str(download), "--received-at", RECEIVED], env)
    if plan == "transaction":
        while process.poll() is None and not store.writing(database):
            time.sleep(POLL)
        at += time.perf_counter() - start
    while process.poll() is None and time.perf_counter() - start < at:
        time.sleep(POLL)
    inside = process.poll() is None and store.writing(database)
    moment = time.perf_counter() - start
    killed = _kill(process)
    if not killed:
        process.wait()
        inside = False
    sound, counts = check_database(store, database)
    if counts == reference.after:
        outcome = "whole"
    elif counts == reference.before:
        outcome = "absent"
    else:
        outcome = "broken"
    return ImportTrial(plan, moment, killed, inside, sound, outcome)


def _spread(count: int, span: float) -> list[float]:
    """``count`` moments spread evenly over 0..span (the middle of each equal slice)."""
    return [span * (i + 0.5) / count for i in range(count)]


def run_import_trials(
    trials: int, rows: int, folder: Path, progress=None, store=None
) -> ImportFigures:
    """Kill ``trials`` imports: half timed over the whole run, half (the odd one too) over the
    write window. Databases in ``store`` (default: SQLite files in ``folder``)."""
    store = store or SqliteStore(folder)
    download, reference = prepare_imports(store, folder, rows)
    figures = ImportFigures(reference, store.engine)
    over_run = _spread(trials // 2, 1.2 * reference.seconds)
    over_window = _spread(trials - trials // 2, 1.2 * reference.window)
    plans = []  # interleaved: one timed over the run, one over the write window, ...
    for number, at in enumerate(over_window):
        plans.append(("transaction", at))
        if number < len(over_run):
            plans.append(("run", over_run[number]))
    for number, (plan, at) in enumerate(plans, start=1):
        trial = import_trial(store, download, folder, reference, plan, at)
        figures.trials.append(trial)
        if progress:
            progress(f"import trial {number}/{trials}: {trial}")
    return figures


# --- scheduler trials ------------------------------------------------------------------------


@dataclass
class SchedulerTrial:
    after_request: int  # killed after this many message requests reached the fake
    killed: bool
    mid_send: bool  # killed after the first request reached the fake and before the last answer
    in_flight: bool  # a request was waiting for the fake's answer at the kill
    sent_once: int
    flagged_reached: int  # flagged for a person; the fake had accepted it (it was sent)
    flagged_unsent: int  # flagged for a person; it never reached the fake
    duplicates: int
    lost: int
    unrecorded: int  # the fake accepted it, the app neither says sent nor flags it

    @property
    def flagged(self) -> int:
        return self.flagged_reached + self.flagged_unsent


@dataclass
class SchedulerFigures:
    messages: int
    delay: float
    engine: str
    trials: list[SchedulerTrial] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(t, name) for t in self.trials)

    @property
    def bad(self) -> int:
        return self.total("duplicates") + self.total("lost") + self.total("unrecorded")


def _recipient(number: int) -> str:
    return f"+4477009{number:05d}"


def prepare_outbox(store, messages: int) -> None:
    """A migrated database, outbox_template, holding ``messages`` SMS, queued and due now."""
    from casework.db import db
    from casework.messages import outbox

    app = store.create("outbox_template")
    now = datetime.now(UTC)
    with app.app_context():
        outbox.queue_messages(
            db.session,
            [
                {
                    "dedupe_key": f"crash-trial-{number}",
                    "kind": "crash_trial",
                    "channel": "sms",
                    "recipient": _recipient(number),
                    "body": f"Crash trial message {number}",
                    "referral_id": None,
                    "obligation_id": None,
                }
                for number in range(messages)
            ],
            now=now,
            send_after=now - timedelta(minutes=1),
        )
        db.session.commit()
    _closed(app)


def _outbox_states(store, database: str) -> dict[str, tuple[str, str | None]]:
    return {
        recipient: (status, error)
        for recipient, status, error in store.rows(
            database, "SELECT recipient, status, error FROM outbound_message"
        )
    }


def scheduler_trial(
    store, folder: Path, messages: int, delay: float, after_request: int, wait: float
) -> SchedulerTrial:
    """One run-once killed ``wait`` seconds after the ``after_request``-th SMS request reached
    the slowed fake Twilio; a second run-once 16 minutes on; every message checked."""
    from tests.fakes.twilio import FakeTwilio

    database = "outbox_trial"
    store.copy("outbox_template", database)
    fake = FakeTwilio()
    try:
        env = _env(
            store.url(database),
            folder,
            SMS_BACKEND="twilio",
            TWILIO_ACCOUNT_SID=TWILIO_SID,
            TWILIO_AUTH_TOKEN="crash-trial-token",  # noqa: S106 (the fake's, not a secret)
            TWILIO_FROM_NUMBER="+447700900000",
            TWILIO_BASE_URL=fake.url,
        )
        fake.delay = delay
        process = _flask(["scheduler", "run-once"], env)
        while process.poll() is None and len(fake.requests) < after_request:
            time.sleep(POLL)
        deadline = time.perf_counter() + wait
        while process.poll() is None and time.perf_counter() < deadline:
            time.sleep(POLL)
        with fake.lock:
            reached, answered = len(fake.requests), fake.answered
        killed = _kill(process)
        store.settle(database)
        mid_send = killed and reached >= 1 and answered < messages
        in_flight = killed and reached > answered
        fake.delay = 0
        later = (datetime.now(UTC) + timedelta(minutes=16)).isoformat()
        restart = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run-once"]
            + ["--now", later],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if restart.returncode != 0:
            raise RuntimeError(f"the restarted scheduler failed: {restart.stderr[-2000:]}")
        json.loads(restart.stdout.strip().splitlines()[-1])
        with fake.lock:
            accepted = [form.get("To") for form in fake.accepted]
    finally:
        fake.close()
    states = _outbox_states(store, database)
    tally = dict.fromkeys(
        ("sent_once", "flagged_reached", "flagged_unsent", "duplicates", "lost", "unrecorded"), 0
    )
    for number in range(messages):
        recipient = _recipient(number)
        times = accepted.count(recipient)
        status, error = states[recipient]
        flagged = status == "failed" and INTERRUPTED in (error or "")
        if times > 1:
            tally["duplicates"] += 1
        elif flagged:
            tally["flagged_reached" if times else "flagged_unsent"] += 1
        elif times == 1 and status == "sent":
            tally["sent_once"] += 1
        elif times == 1:
            tally["unrecorded"] += 1
        else:
            tally["lost"] += 1
    return SchedulerTrial(after_request, killed, mid_send, in_flight, **tally)


def run_scheduler_trials(
    trials: int, messages: int, delay: float, folder: Path, progress=None, store=None
) -> SchedulerFigures:
    """Kill ``trials`` sending schedulers at moments spread over the sending of ``messages``.
    Databases in ``store`` (default: SQLite files in ``folder``)."""
    store = store or SqliteStore(folder)
    prepare_outbox(store, messages)
    figures = SchedulerFigures(messages, delay, store.engine)
    for number in range(trials):
        slot = (number + 0.5) * messages / trials  # spread over the whole sending
        after_request = min(messages, 1 + int(slot))
        wait = (slot - int(slot)) * delay * 1.2  # into the wait for the answer, or just past it
        trial = scheduler_trial(store, folder, messages, delay, after_request, wait)
        figures.trials.append(trial)
        if progress:
            progress(f"scheduler trial {number + 1}/{trials}: {trial}")
    return figures


# --- report ----------------------------------------------------------------------------------


def print_imports(figures: ImportFigures) -> None:
    ref = figures.reference
    print(f"import kills: {ref.rows:,}-row police download, {figures.engine}")
    print(f"  uninterrupted run: {ref.seconds:.2f} s, {ref.referrals:,} referrals imported")
    print(
        f"  write transaction (seen from outside): {ref.write_began:.2f} s to "
        f"{ref.write_ended:.2f} s from start ({ref.window:.2f} s), "
        f"seen begun {ref.lock_taken} time(s)"
    )
    print(f"  trials: {len(figures.trials)}")
    print(
        f"    timed over the whole run: {figures.count(plan='run')}; "
        f"over the write window: {figures.count(plan='transaction')}"
    )
    print(f"    finished before its kill moment: {figures.count(killed=False)}")
    print(f"  landed inside the write transaction: {figures.count(inside=True)}")
    print(
        f"  whole: {figures.count(outcome='whole')} "
        f"(of them killed inside the transaction: {figures.count(outcome='whole', inside=True)})"
    )
    print(
        f"  absent: {figures.count(outcome='absent')} "
        f"(of them killed inside the transaction: {figures.count(outcome='absent', inside=True)})"
    )
    if figures.engine.startswith("SQLite"):
        print(f"  integrity_check and foreign_key_check clean: {figures.count(sound=True)}")
    print(f"  broken (half a batch, or an unsound file): {figures.broken} (must be 0)")


def print_scheduler(figures: SchedulerFigures) -> None:
    trials = figures.trials
    print(
        f"scheduler kills: {figures.messages} SMS queued, fake Twilio answering "
        f"{figures.delay * 1000:.0f} ms after accepting each, {figures.engine}"
    )
    print(f"  trials: {len(trials)}")
    print(f"  kills that landed mid-send: {sum(t.mid_send for t in trials)}")
    print(
        "    of them with a message request awaiting Twilio's answer: "
        f"{sum(t.in_flight for t in trials)}"
    )
    print(f"  messages: {figures.messages * len(trials)}")
    print(f"    sent once: {figures.total('sent_once')}")
    print(f"    flagged for a person to check: {figures.total('flagged')}")
    print(f"      had reached Twilio (sent once): {figures.total('flagged_reached')}")
    print(f"      had not reached Twilio: {figures.total('flagged_unsent')}")
    print(f"    sent twice or more: {figures.total('duplicates')} (must be 0)")
    print(f"    lost (neither sent nor flagged): {figures.total('lost')} (must be 0)")
    print(f"    sent but not recorded or flagged: {figures.total('unrecorded')} (must be 0)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50, help="import kills")
    parser.add_argument("--scheduler-trials", type=int, default=20)
    parser.add_argument("--rows", type=int, default=5000, help="rows in the police download")
    parser.add_argument("--messages", type=int, default=8, help="SMS queued per scheduler trial")
    parser.add_argument("--delay", type=float, default=0.3, help="fake Twilio's answer, s")
    parser.add_argument("--verbose", action="store_true", help="print every trial")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database whose server the trials create their databases on "
        "(default: SQLite files in a temporary folder)",
    )
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="waypoint-crash-"))
    store = PostgresStore(args.database_url) if args.database_url else SqliteStore(folder)
    progress = print if args.verbose else None
    print(f"crash safety, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    bad = 0
    if args.trials:
        imports = run_import_trials(args.trials, args.rows, folder, progress, store)
        print_imports(imports)
        bad += imports.broken
    if args.scheduler_trials:
        sending = run_scheduler_trials(
            args.scheduler_trials, args.messages, args.delay, folder, progress, store
        )
        print_scheduler(sending)
        bad += sending.bad
    store.close()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"crash safe: {'yes' if not bad else 'NO'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
