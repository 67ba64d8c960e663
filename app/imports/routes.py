from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import ActionForm, apply_errors, button_action
from app.imports import bp
from app.imports.forms import PoliceUploadForm
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.referrals.import_jobs import (
    UploadTooLarge,
    get_import_job,
    queue_police_upload,
    retry_import_job,
    too_large_message,
    upload_folder,
)

leaders = role_required("team_leader", "admin")


@bp.route("/imports/police", methods=["GET", "POST"])
@leaders
def police_upload():
    """Upload a police daily download: saved to disk as it arrives and queued for the
    scheduler, which imports it; the job's page shows its progress."""
    form = PoliceUploadForm()
    status = 200
    if form.validate_on_submit():
        try:
            job = queue_police_upload(
                db.session,
                form.file.data.stream,
                filename=form.file.data.filename or "upload.csv",
                folder=upload_folder(current_app.config["INSTANCE_DIR"]),
                limit_mb=current_app.config["MAX_UPLOAD_MB"],
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 413 if isinstance(exc, UploadTooLarge) else 400
        else:
            return redirect(url_for("imports.import_job", job_id=job.id))
    elif form.errors:
        status = 400
    return render_template("imports/upload.html", form=form), status


def upload_too_large():
    """The upload form with the size limit as its error, for a request too big to read; None
    when the person may not upload (they get the plain page)."""
    if getattr(current_user, "role", None) not in ("team_leader", "admin"):
        return None
    form = PoliceUploadForm(formdata=None)  # the request body is never read
    form.file.errors = [too_large_message(current_app.config["MAX_UPLOAD_MB"])]
    return render_template("imports/upload.html", form=form), 413


def _import_job_or_404(job_id: int):
    try:
        return get_import_job(
            db.session, job_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)


@bp.route("/imports/<int:job_id>")
@leaders
def import_job(job_id: int):
    """An uploaded download's import: waiting, running with progress, done with every
    rejected line, or failed with the reason (and a retry when the file is kept)."""
    job = _import_job_or_404(job_id)
    return render_template(
        "imports/import_job.html",
        job=job,
        action_form=ActionForm(),
        interval=current_app.config["SCHEDULER_INTERVAL_SECONDS"],
    )


@bp.route("/imports/<int:job_id>/retry", methods=["POST"])
@leaders
def retry_import(job_id: int):
    """Try a failed import again: it goes back in the queue for the scheduler."""

    def act():
        retry_import_job(
            db.session, job_id, actor=current_user, origin=request_origin(), now=utcnow()
        )
        return "The file is back in the queue and will be imported again."

    button_action(act)  # ActionForm: a CSRF-protected button
    return redirect(url_for("imports.import_job", job_id=job_id))
