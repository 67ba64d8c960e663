"""Importing an uploaded police download in a background thread, with progress in the database.

The import itself is one transaction; progress is written on its own short connection so the
upload page can show it while the import runs.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from flask import Flask, current_app

from casework.audit import Origin
from casework.db import db, utcnow
from casework.police_import import FileError, import_police_download
from casework.referral import ImportJob
from casework.staff.models import Staff
from scheduling.calendars import victim_calendar


def start_police_upload(data: bytes, filename: str, actor, origin: Origin) -> int:
    """Record the job and start importing; returns the job id for its progress page."""
    now = utcnow()
    job = ImportJob(
        filename=filename[:255],
        status="queued",
        total_lines=max(data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1), 0),
        processed_lines=0,
        actor_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()
    thread = threading.Thread(
        target=_run,
        args=(app, job.id, data, actor.id, origin),
        name=f"police-import-{job.id}",
        daemon=True,
    )
    thread.start()
    return job.id


def _set(job_id: int, **values) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(ImportJob).where(ImportJob.id == job_id).values(updated_at=utcnow(), **values)
        )


def _report(job_id: int, count: int, stage: str) -> None:
    if stage == "checking":
        _set(job_id, status="running", processed_lines=count)
    elif stage == "saving":
        _set(job_id, status="saving", processed_lines=count)


def _run(app: Flask, job_id: int, data: bytes, actor_id: int, origin: Origin) -> None:
    with app.app_context():
        try:
            job = db.session.get(ImportJob, job_id)
            actor = db.session.get(Staff, actor_id)
            _set(job_id, status="running")
            result = import_police_download(
                db.session,
                data,
                filename=job.filename,
                received_at=job.created_at,
                calendar=victim_calendar(app.config),
                origin=origin,
                actor=actor,
                now=utcnow(),
                progress=lambda n, stage: _report(job_id, n, stage),
            )
            _set(job_id, status="done", result=result.as_json(), batch_id=result.batch_id)
        except FileError as exc:
            db.session.rollback()
            _set(job_id, status="failed", error=f"{exc}. Nothing was imported.")
        except Exception:
            db.session.rollback()
            app.logger.exception("police import job %s failed", job_id)
            _set(
                job_id,
                status="failed",
                error="The import stopped unexpectedly. Nothing was imported; try again.",
            )
        finally:
            db.session.remove()
