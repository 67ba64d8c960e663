"""Police downloads uploaded through the web page, imported by the scheduler process.

The web request only saves the file (chunk by chunk, never whole in memory) and queues an
ImportJob; a scheduler sweep claims queued jobs one at a time with a conditional UPDATE, so two
schedulers never run the same job, and imports each file in one transaction. A job whose
scheduler died mid-run is failed after a while and may be tried again: the import is
all-or-nothing and re-importing a row changes nothing, so a retry imports the file exactly once.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa

from casework.access import is_admin, refuse
from casework.audit import Origin, record_event
from casework.errors import NotFound, ValidationError
from casework.invisible import without_format_characters
from casework.people.matching import MATCH_KEY_LIMIT
from casework.referrals.models import ImportJob
from casework.referrals.police_import import FileError, import_police_download
from casework.staff.models import Staff

log = logging.getLogger("waypoint.imports")

CHUNK = 1 << 16
ACTIVE = ("running", "saving")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
INTERRUPTED = (
    "The import was interrupted (the scheduler stopped while it ran). Imports are "
    "all-or-nothing and a line already imported is never imported twice, so it is safe to try "
    "again."
)
UNEXPECTED = "The import stopped unexpectedly. Nothing was imported; try again."
FILE_GONE = "The uploaded file is no longer kept. Upload it again."
SAVE_FAILED = "The file could not be saved. Try again; if it fails again, tell your administrator"


class UploadTooLarge(ValidationError):
    """The uploaded file is over MAX_UPLOAD_MB."""

    def __init__(self, limit_mb: int):
        super().__init__({"file": too_large_message(limit_mb)})


def too_large_message(limit_mb: int) -> str:
    """The refusal of a file over MAX_UPLOAD_MB, in words."""
    return (
        f"The file is larger than {limit_mb} MB, the most Waypoint accepts. Split the download "
        "into smaller files and import each one"
    )


def upload_folder(instance_dir) -> Path:
    """Where uploads wait for the scheduler: ``uploads/`` in the instance folder."""
    return Path(instance_dir) / "uploads"


def can_view_import_job(viewer, job: ImportJob) -> bool:
    """The team leader who uploaded the file, or an administrator."""
    return job.actor_id == getattr(viewer, "id", None) or is_admin(viewer)


def get_import_job(session, job_id: int, viewer, *, origin: Origin, now: datetime) -> ImportJob:
    """The job, if ``viewer`` may see it; NotFound (and an audit row) otherwise."""
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(job_id)
    if not can_view_import_job(viewer, job):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="import_job",
            record_id=job_id,
            now=now,
        )
    return job


def _display_name(filename: str) -> str:
    name = CONTROL.sub("", Path(filename.replace("\\", "/")).name)
    name = without_format_characters(name).strip()
    return name[:255] or "upload.csv"


def queue_police_upload(
    session,
    stream: BinaryIO,
    *,
    filename: str,
    folder: Path,
    limit_mb: int,
    actor,
    origin: Origin,
    now: datetime,
) -> ImportJob:
    """Save an uploaded police download under ``folder`` (a random name, never the one sent)
    and queue it for the scheduler; one transaction. A file over ``limit_mb`` megabytes, or one
    that cannot be saved, is refused and nothing is kept."""
    limit = limit_mb * 1024 * 1024
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}.csv"
    size = newlines = 0
    last = b"\n"
    try:
        with open(path, "xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(limit_mb)
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        job = ImportJob(
            filename=_display_name(filename),
            status="queued",
            # the header is not a line to import; the last line may lack its line break
            total_lines=max(newlines - 1 + (0 if last == b"\n" else 1), 0),
            processed_lines=0,
            actor_id=actor.id,
            path=str(path),
            ip=(origin.ip or None) and origin.ip[:64],
            user_agent=(origin.user_agent or None) and origin.user_agent[:256],
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        session.flush()
        record_event(
            session,
            action="referral.import_queued",
            actor=actor,
            origin=origin,
            record_type="import_job",
            record_id=job.id,
            at=now,
            detail={"file": job.filename, "bytes": size},
        )
        session.commit()
    except OSError as exc:
        session.rollback()
        path.unlink(missing_ok=True)
        log.error("could not save an upload to %s: %s", folder, exc)
        raise ValidationError({"file": SAVE_FAILED}) from None
    except BaseException:
        session.rollback()
        path.unlink(missing_ok=True)
        raise
    return job


def retry_import_job(session, job_id: int, *, actor, origin: Origin, now: datetime) -> ImportJob:
    """Queue a failed import again (its owner or an administrator). Safe however it failed:
    the import is all-or-nothing and a row already imported is a duplicate."""
    job = get_import_job(session, job_id, actor, origin=origin, now=now)
    if job.status != "failed":
        raise ValidationError({"": "Only an import that failed can be tried again"})
    if not job.path or not Path(job.path).is_file():
        raise ValidationError({"": FILE_GONE})
    requeued = session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == "failed")
        .values(status="queued", error=None, processed_lines=0, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not requeued:
        session.rollback()
        raise ValidationError({"": "Only an import that failed can be tried again"})
    record_event(
        session,
        action="referral.import_retried",
        actor=actor,
        origin=origin,
        record_type="import_job",
        record_id=job.id,
        at=now,
        detail={"file": job.filename},
    )
    session.commit()
    session.refresh(job)
    return job


# The scheduler asks these every minute, so they are built once: building a statement costs
# more than running it.
_STUCK = (ImportJob.status.in_(ACTIVE), ImportJob.updated_at < sa.bindparam("before"))
_ANY_STUCK = sa.select(sa.exists().where(*_STUCK))
_LAST_QUEUED = sa.select(sa.func.max(ImportJob.id)).where(ImportJob.status == "queued")


def fail_stuck_jobs(session, *, now: datetime, stuck_after: timedelta, origin: Origin) -> int:
    """Fail every job running with no progress for ``stuck_after``: its scheduler died. The
    file is kept so its owner can try again."""
    before = {"before": now - stuck_after}
    if not session.scalar(_ANY_STUCK, before):
        session.commit()
        return 0
    failed = session.execute(
        sa.update(ImportJob)
        .where(*_STUCK)
        .values(status="failed", error=INTERRUPTED, updated_at=now)
        .returning(ImportJob.id, ImportJob.filename)
        .execution_options(synchronize_session=False),
        before,
    ).all()
    for row in failed:
        record_event(
            session,
            action="referral.import_failed",
            outcome="failed",
            origin=origin,
            record_type="import_job",
            record_id=row.id,
            at=now,
            detail={"file": row.filename, "why": "interrupted"},
        )
    session.commit()
    return len(failed)


def claim_next_job(session, *, now: datetime, up_to: int | None = None) -> ImportJob | None:
    """Claim the oldest queued job (id at most ``up_to``) for this scheduler, or None. The
    claim is a conditional UPDATE: of two schedulers claiming at once, one wins."""
    while True:
        query = sa.select(sa.func.min(ImportJob.id)).where(ImportJob.status == "queued")
        if up_to is not None:
            query = query.where(ImportJob.id <= up_to)
        job_id = session.scalar(query)
        if job_id is None:
            session.commit()
            return None
        won = session.execute(
            sa.update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.status == "queued")
            .values(status="running", processed_lines=0, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
        if won:
            return session.get(ImportJob, job_id, populate_existing=True)


def last_queued_id(session) -> int | None:
    """The newest queued job now: a sweep imports up to it, so uploads arriving meanwhile wait
    for the next run rather than hold up the other sweeps."""
    return session.scalar(_LAST_QUEUED)


def record_progress(engine, job_id: int, count: int, stage: str) -> None:
    """Write a running job's progress on its own short transaction (the import's own stays
    open until the end), which also shows the job is alive."""
    from casework.db import utcnow

    status = {"checking": "running", "saving": "saving"}.get(stage)
    if status is None:  # committing: the import's transaction holds the write lock
        return
    with engine.begin() as conn:
        conn.execute(
            sa.update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.status.in_(ACTIVE))
            .values(status=status, processed_lines=count, updated_at=utcnow())
        )


def _finish(session, job_id: int, now: datetime, **values) -> None:
    session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def run_import_job(
    session,
    job: ImportJob,
    *,
    calendar,
    now: datetime,
    match_key_limit: int = MATCH_KEY_LIMIT,
) -> dict:
    """Import a claimed job's file, as the person who uploaded it and from where, with progress;
    record the result and delete the file, or the reason it failed. Returns a summary."""
    job_id, path = job.id, Path(job.path) if job.path else None
    origin = Origin(ip=job.ip, user_agent=job.user_agent)
    actor = session.get(Staff, job.actor_id)
    engine = session.get_bind()
    try:
        if path is None:
            raise FileNotFoundError
        data = path.read_bytes()
    except OSError:
        _finish(session, job_id, now, status="failed", error=FILE_GONE, path=None)
        return {"job": job_id, "status": "failed", "error": FILE_GONE}
    try:
        result = import_police_download(
            session,
            data,
            filename=job.filename,
            received_at=job.created_at,
            calendar=calendar,
            origin=origin,
            actor=actor,
            now=now,
            progress=lambda count, stage: record_progress(engine, job_id, count, stage),
            match_key_limit=match_key_limit,
        )
    except FileError as exc:
        session.rollback()
        error = f"{str(exc)[:1].upper()}{str(exc)[1:]}. Nothing was imported."
        # Trying the same file again cannot help; it is not kept.
        _finish(session, job_id, now, status="failed", error=error[:500], path=None)
        path.unlink(missing_ok=True)
        return {"job": job_id, "status": "failed", "error": error}
    except Exception:
        session.rollback()
        log.exception("police import job %s failed", job_id)
        _finish(session, job_id, now, status="failed", error=UNEXPECTED)
        return {"job": job_id, "status": "failed", "error": UNEXPECTED}
    _finish(
        session,
        job_id,
        now,
        status="done",
        result=result.as_json(),
        batch_id=result.batch_id,
        processed_lines=result.imported + result.duplicates + result.rejected,
        path=None,
    )
    path.unlink(missing_ok=True)
    return {"job": job_id, "status": "done", **result.as_json()}


def import_uploads(
    session, *, calendar, stuck_after: timedelta, match_key_limit: int, now: datetime
) -> dict:
    """Import the police downloads uploaded through the web page: first fail any job whose
    scheduler died mid-run (safe to retry), then claim the queued jobs one at a time and
    import each file."""
    stuck = fail_stuck_jobs(
        session, now=now, stuck_after=stuck_after, origin=Origin.command_line("scheduler")
    )
    up_to = last_queued_id(session)
    done = []
    while up_to is not None:
        job = claim_next_job(session, now=now, up_to=up_to)
        if job is None:
            break
        done.append(
            run_import_job(
                session,
                job,
                calendar=calendar,
                now=now,
                match_key_limit=match_key_limit,
            )
        )
    return {"stuck": stuck, "jobs": done}
