import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import apply_errors, button_action, page_number, posted_id
from app.triage import bp
from app.triage.forms import ActionForm, PoliceUploadForm, RaisePriorityForm
from casework.access import can_manage_referral
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.import_jobs import (
    UploadTooLarge,
    get_import_job,
    queue_police_upload,
    retry_import_job,
    too_large_message,
    upload_folder,
)
from casework.queue import (
    QueueFilters,
    QueueRow,
    allocate,
    allocation_suggestions,
    count_capped,
    decide_match,
    get_referral,
    npas,
    pending_matches,
    queue_query,
    queue_rows,
    raise_priority,
)
from casework.referral import (
    CONTACT_METHOD_LABELS,
    OBLIGATION_LABELS,
    SOURCES,
    PossibleMatch,
)
from scheduling.calendars import victim_calendar


class QueuePage(Pagination):
    """A page of the triage queue. Counts at most CAP referrals: past a thousand open referrals
    the exact number helps nobody work the queue (the filters do), and counting them all would
    cost more than the rest of the page."""

    CAP = 1_000

    def _query_items(self) -> list[QueueRow]:
        return queue_rows(
            db.session,
            self._query_args["query"],
            offset=(self.page - 1) * self.per_page,
            limit=self.per_page,
        )

    def _query_count(self) -> int:
        return count_capped(db.session, self._query_args["query"], self.CAP)


queue_roles = role_required("caseworker", "team_leader", "admin")
leaders = role_required("team_leader", "admin")


@bp.route("/queue")
@queue_roles
def queue():
    """Open referrals in queue order: breached first, then enhanced, then earliest due."""
    now = utcnow()
    filters = QueueFilters.from_args(request.args)
    query = queue_query(
        current_user, filters, now=now, calendar=victim_calendar(current_app.config)
    )
    page = QueuePage(
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        max_per_page=None,
        error_out=False,
        query=query,
    )
    return render_template(
        "triage/queue.html",
        page=page,
        count_cap=QueuePage.CAP,
        filters=filters,
        now=now,
        sources=SOURCES,
        methods=CONTACT_METHOD_LABELS,
        npas=[(n, n) for n in npas(db.session)],
        labels=OBLIGATION_LABELS,
        referral_url=url_for("triage.referral", referral_id=0).removesuffix("0"),
    )


def _referral_or_404(referral_id: int, *, audit_view: bool = True):
    try:
        return get_referral(
            db.session,
            referral_id,
            current_user,
            origin=request_origin(),
            now=utcnow(),
            audit_view=audit_view,
        )
    except NotFound:
        abort(404)


def render_referral(referral_id: int, *, status: int = 200, **forms):
    """One referral's page; forms carrying errors are passed back in to show them."""
    from app.contact.forms import ConversationForm, KeyDateForm, attempt_forms
    from casework.access import can_work_referral
    from casework.contact import ContactAttempt, InitialContact, OutboundMessage
    from casework.messages import is_opted_out
    from triage.contact import CONVERSATION_OUTCOMES, PHONE_OUTCOMES, VISIT_OUTCOMES

    referral = _referral_or_404(referral_id, audit_view=status == 200)
    manage = can_manage_referral(current_user, referral)
    now = utcnow()
    local_now = now.astimezone(victim_calendar(current_app.config).tz)
    return render_template(
        "triage/referral.html",
        referral=referral,
        now=now,
        labels=OBLIGATION_LABELS,
        methods=CONTACT_METHOD_LABELS,
        sources=SOURCES,
        manage=manage,
        work=can_work_referral(current_user, referral),
        suggestions=allocation_suggestions(db.session, referral, current_user) if manage else [],
        matches=pending_matches(db.session, referral, current_user) if manage else None,
        raise_form=forms.get("raise_form") or RaisePriorityForm(),
        allocate_error=forms.get("allocate_error"),
        action_form=ActionForm(),
        **attempt_forms(referral, forms, local_now),
        conversation_form=forms.get("conversation_form") or ConversationForm(),
        key_date_form=forms.get("key_date_form") or KeyDateForm(),
        attempts=db.session.scalars(
            sa.select(ContactAttempt)
            .where(ContactAttempt.referral_id == referral.id)
            .order_by(ContactAttempt.attempted_at)
        ).all(),
        conversation=db.session.scalar(
            sa.select(InitialContact).where(InitialContact.referral_id == referral.id)
        ),
        messages=db.session.scalars(
            sa.select(OutboundMessage)
            .where(
                OutboundMessage.referral_id == referral.id, OutboundMessage.kind != "breach_alert"
            )
            .order_by(OutboundMessage.created_at)
        ).all(),
        opted_out=is_opted_out(db.session, referral.mobile_phone),
        outcome_words={**PHONE_OUTCOMES, **VISIT_OUTCOMES, **CONVERSATION_OUTCOMES},
        attempt_words={"telephone": PHONE_OUTCOMES, "home_visit": VISIT_OUTCOMES},
    ), status


@bp.route("/referrals/<int:referral_id>")
@queue_roles
def referral(referral_id: int):
    """One referral: who, why this priority, what is due when, and the team leader's actions."""
    return render_referral(referral_id)


@bp.route("/referrals/<int:referral_id>/allocate", methods=["POST"])
@leaders
def allocate_referral(referral_id: int):
    """Allocate to one of the suggested caseworkers; a refusal is shown on the form itself."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("triage.referral", referral_id=referral_id))
    try:
        referral = allocate(
            db.session,
            referral_id,
            posted_id("caseworker"),
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )
    except NotFound:
        abort(404)
    except ValidationError as exc:
        db.session.rollback()
        return render_referral(
            referral_id, status=400, allocate_error=next(iter(exc.errors.values()))
        )
    flash(f"Allocated to {referral.allocated_to.name}.", "success")
    return redirect(url_for("triage.referral", referral_id=referral_id))


@bp.route("/referrals/<int:referral_id>/raise-priority", methods=["POST"])
@leaders
def raise_referral_priority(referral_id: int):
    form = RaisePriorityForm()
    if form.validate_on_submit():
        try:
            raise_priority(
                db.session,
                referral_id,
                form.reason.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            )
        except NotFound:
            abort(404)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash("Priority raised to enhanced; deadlines updated.", "success")
            return redirect(url_for("triage.referral", referral_id=referral_id))
    return render_referral(referral_id, status=400, raise_form=form)


@bp.route("/matches/<int:match_id>", methods=["POST"])
@leaders
def decide(match_id: int):
    match = db.session.get(PossibleMatch, match_id)
    if match is None:
        abort(404)
    confirm = request.form.get("decision") == "confirm"

    def act():
        decide_match(
            db.session, match_id, confirm, actor=current_user, origin=request_origin(), now=utcnow()
        )
        return "Match confirmed: marked as a repeat victim." if confirm else "Match rejected."

    button_action(act)
    return redirect(url_for("triage.referral", referral_id=match.referral_id))


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
            return redirect(url_for("triage.import_job", job_id=job.id))
    elif form.errors:
        status = 400
    return render_template("triage/upload.html", form=form), status


def upload_too_large():
    """The upload form with the size limit as its error, for a request too big to read; None
    when the person may not upload (they get the plain page)."""
    if getattr(current_user, "role", None) not in ("team_leader", "admin"):
        return None
    form = PoliceUploadForm(formdata=None)  # the request body is never read
    form.file.errors = [too_large_message(current_app.config["MAX_UPLOAD_MB"])]
    return render_template("triage/upload.html", form=form), 413


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
        "triage/import_job.html",
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
    return redirect(url_for("triage.import_job", job_id=job_id))
