"""Restorative justice on a case's Support tab: its section (each request, where it stands and
what is missing before it may go ahead), starting and editing a request, asking a team leader to
approve the exceptional circumstances, the facilitator, sessions and the outcome. Each view
parses its form, calls one casework.support.restorative service, flashes and redirects."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from app.auth.session import request_origin
from app.cases.routes import case_or_404, render_case_page, staff
from app.extensions import db
from app.forms import REFUSED, add_missing_errors, call_service, flash_made, posted_int
from app.support import bp
from app.support.restorative_forms import (
    FacilitatorForm,
    NewRequestForm,
    OutcomeForm,
    RequestForm,
    SessionForm,
    Versioned,
    yes_no,
)
from app.support.routes import section
from casework.db import utcnow
from casework.errors import NotFound
from casework.staff.models import SPECIALISMS
from casework.support.models import RJ_OUTCOMES, RJ_SENSITIVE, RJ_STATUSES, RJ_TYPES
from casework.support.restorative import (
    RequestDetails,
    ask_for_approval,
    case_requests,
    check_request,
    choose_facilitator,
    edit_request,
    exception_approved,
    facilitator_choices,
    missing_for,
    police_categories,
    record_outcome,
    record_session,
    request_of_case,
    start_request,
    status_of,
    view_request,
    work_refusal,
)

PAGE = "support"


def _words() -> dict:
    return {
        "rj_types": RJ_TYPES,
        "rj_sensitive": RJ_SENSITIVE,
        "rj_statuses": RJ_STATUSES,
        "rj_outcomes": RJ_OUTCOMES,
    }


@section("support/_restorative.html")
def restorative_section(case) -> dict:
    """Each request on the case, where it stands and what it still needs."""
    rows = [
        {"rj": rj, "status": status_of(rj), "missing": missing_for(rj)}
        for rj in case_requests(db.session, case.id)
    ]
    return {"rows": rows, "may_work": work_refusal(current_user, case) is None, **_words()}


def _back(case_id: int, rj_id: int | None = None):
    if rj_id is None:
        return redirect(url_for("support.overview", case_id=case_id, _anchor="restorative"))
    return redirect(url_for("support.restorative", case_id=case_id, rj_id=rj_id))


def _refused_here(case, rj_id: int | None = None):
    """A redirect with the reason when the signed-in person may not change this, else None."""
    refusal = work_refusal(current_user, case)
    if refusal:
        flash(refusal, "error")
        return _back(case.id, rj_id)
    return None


def _load(case, rj_id: int):
    try:
        return request_of_case(
            db.session, case.id, rj_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)


def _details(form: RequestForm) -> RequestDetails:
    return RequestDetails(
        requested_on=form.requested_on.data,
        offender_admitted_guilt=yes_no(form.offender_admitted_guilt.data),
        offender_accepted_responsibility=yes_no(form.offender_accepted_responsibility.data),
        rj_type=form.rj_type.data,
        declared=tuple(form.declared.data or ()),
        exceptional_justification=form.exceptional_justification.data,
    )


def _request_page(case, form, *, rj=None, status=200):
    recorded = list(rj.sensitive or []) if rj is not None else list(police_categories(case))
    from_police = set(rj.sensitive_from_police or []) if rj is not None else set(recorded)
    form.declared.choices = [(k, w) for k, w in RJ_SENSITIVE.items() if k not in recorded]
    return render_case_page(
        "support/restorative_request.html",
        case,
        form=form,
        rj=rj,
        recorded=recorded,
        from_police=from_police,
        **_words(),
    ), status


@bp.route("/cases/<int:case_id>/support/restorative/new", methods=["GET", "POST"])
@staff
def restorative_new(case_id: int):
    """Start a request for restorative contact: the form, and posted, the request recorded."""
    case = case_or_404(case_id, PAGE)
    refused = _refused_here(case)
    if refused:
        return refused
    form = NewRequestForm()
    if request.method == "GET":
        return _request_page(case, form)
    if form.validate_on_submit():
        started = call_service(
            form,
            lambda: start_request(
                db.session,
                case_id,
                _details(form),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                submission_token=form.submission_token.data,
            ),
        )
        if started is not REFUSED:
            flash_made(started, "Restorative justice request recorded.")
            return _back(case_id, started.id)
    if form.errors:
        add_missing_errors(form, lambda: check_request(_details(form), case, utcnow()))
    return _request_page(case, form, status=400)


@bp.route("/cases/<int:case_id>/support/restorative/<int:rj_id>")
@staff
def restorative(case_id: int, rj_id: int):
    """One request: what is recorded, what is missing before it may go ahead, the approval,
    the facilitator, the sessions and the outcome, with what may be done next."""
    case = case_or_404(case_id, PAGE)
    try:
        rj = view_request(
            db.session, case.id, rj_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    approval_form = Versioned(formdata=None)
    approval_form.version.data = str(rj.version)
    return render_case_page(
        "support/restorative.html",
        case,
        rj=rj,
        status=status_of(rj),
        missing=missing_for(rj),
        approved=exception_approved(rj),
        may_work=work_refusal(current_user, case) is None,
        approval_form=approval_form,
        **_words(),
    )


@bp.route("/cases/<int:case_id>/support/restorative/<int:rj_id>/edit", methods=["GET", "POST"])
@staff
def restorative_edit(case_id: int, rj_id: int):
    """Change what is recorded about a request; sensitive categories can only be added."""
    case = case_or_404(case_id, PAGE)
    rj = _load(case, rj_id)
    refused = _refused_here(case, rj.id)
    if refused:
        return refused
    if request.method == "GET":
        form = RequestForm(formdata=None)
        form.requested_on.data = rj.requested_on
        form.offender_admitted_guilt.data = "yes" if rj.offender_admitted_guilt else "no"
        form.offender_accepted_responsibility.data = (
            "yes" if rj.offender_accepted_responsibility else "no"
        )
        form.rj_type.data = rj.rj_type
        form.exceptional_justification.data = rj.exceptional_justification
        form.version.data = str(rj.version)
        return _request_page(case, form, rj=rj)
    form = RequestForm()
    if form.validate_on_submit():
        saved = call_service(
            form,
            lambda: edit_request(
                db.session,
                case_id,
                rj_id,
                _details(form),
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash("Restorative justice request saved.", "success")
            return _back(case_id, rj_id)
        rj = _load(case, rj_id)
        form.version.data = str(rj.version)
    if form.errors:
        add_missing_errors(form, lambda: check_request(_details(form), case, utcnow()))
    return _request_page(case, form, rj=rj, status=400)


@bp.route("/cases/<int:case_id>/support/restorative/<int:rj_id>/approval", methods=["POST"])
@staff
def restorative_approval(case_id: int, rj_id: int):
    """Ask a team leader to approve the exceptional circumstances of a sensitive case."""
    case = case_or_404(case_id, PAGE)
    _load(case, rj_id)
    form = Versioned()
    if form.validate_on_submit():
        asked = call_service(
            form,
            lambda: ask_for_approval(
                db.session,
                case_id,
                rj_id,
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if asked is not REFUSED:
            flash(
                "A team leader of the case's team has been asked to approve the exceptional "
                "circumstances.",
                "success",
            )
    for message in form.form_errors or [m for messages in form.errors.values() for m in messages]:
        flash(message, "error")
    return _back(case_id, rj_id)


def _facilitator_page(case, rj, form, *, status=200):
    choices = facilitator_choices(db.session, case)
    form.facilitator_id.choices = [("", "Choose a facilitator")] + [
        (
            str(s.id),
            s.name
            + (
                f" ({SPECIALISMS['restorative_justice'].lower()})"
                if "restorative_justice" in (s.specialisms or [])
                else ""
            ),
        )
        for s in choices
    ]
    return render_case_page(
        "support/restorative_facilitator.html", case, rj=rj, form=form, **_words()
    ), status


@bp.route(
    "/cases/<int:case_id>/support/restorative/<int:rj_id>/facilitator", methods=["GET", "POST"]
)
@staff
def restorative_facilitator(case_id: int, rj_id: int):
    """Choose the facilitator and record whether they are experienced."""
    case = case_or_404(case_id, PAGE)
    rj = _load(case, rj_id)
    refused = _refused_here(case, rj.id)
    if refused:
        return refused
    if request.method == "GET":
        form = FacilitatorForm(formdata=None)
        if rj.facilitator_id:
            form.facilitator_id.data = str(rj.facilitator_id)
            form.experienced.data = "yes" if rj.facilitator_experienced else "no"
        form.version.data = str(rj.version)
        return _facilitator_page(case, rj, form)
    form = FacilitatorForm()
    if form.validate_on_submit():
        saved = call_service(
            form,
            lambda: choose_facilitator(
                db.session,
                case_id,
                rj_id,
                facilitator_id=posted_int(form.facilitator_id.data),
                experienced=yes_no(form.experienced.data),
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash(f"Facilitator saved: {saved.facilitator.name}.", "success")
            return _back(case_id, rj_id)
        rj = _load(case, rj_id)
        form.version.data = str(rj.version)
    return _facilitator_page(case, rj, form, status=400)


def _session_page(case, rj, form, *, status=200):
    return render_case_page(
        "support/restorative_session.html",
        case,
        rj=rj,
        form=form,
        missing=missing_for(rj),
        **_words(),
    ), status


@bp.route(
    "/cases/<int:case_id>/support/restorative/<int:rj_id>/sessions/new", methods=["GET", "POST"]
)
@staff
def restorative_session(case_id: int, rj_id: int):
    """Record a session held; refused while the process may not go ahead."""
    case = case_or_404(case_id, PAGE)
    rj = _load(case, rj_id)
    refused = _refused_here(case, rj.id)
    if refused:
        return refused
    if request.method == "GET":
        form = SessionForm(formdata=None)
        form.kind.data = rj.rj_type
        return _session_page(case, rj, form)
    form = SessionForm()
    if form.validate_on_submit():
        held = call_service(
            form,
            lambda: record_session(
                db.session,
                case_id,
                rj_id,
                held_on=form.held_on.data,
                kind=form.kind.data,
                note=form.note.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                submission_token=form.submission_token.data,
            ),
        )
        if held is not REFUSED:
            flash_made(held, f"Session of {held.held_on:%-d %B %Y} recorded.")
            return _back(case_id, rj_id)
        rj = _load(case, rj_id)
    return _session_page(case, rj, form, status=400)


def _outcome_page(case, rj, form, *, status=200):
    return render_case_page(
        "support/restorative_outcome.html",
        case,
        rj=rj,
        form=form,
        missing=missing_for(rj),
        **_words(),
    ), status


@bp.route("/cases/<int:case_id>/support/restorative/<int:rj_id>/outcome", methods=["GET", "POST"])
@staff
def restorative_outcome(case_id: int, rj_id: int):
    """Record how the restorative process ended."""
    case = case_or_404(case_id, PAGE)
    rj = _load(case, rj_id)
    refused = _refused_here(case, rj.id)
    if refused:
        return refused
    if request.method == "GET":
        form = OutcomeForm(formdata=None)
        form.version.data = str(rj.version)
        return _outcome_page(case, rj, form)
    form = OutcomeForm()
    if form.validate_on_submit():
        saved = call_service(
            form,
            lambda: record_outcome(
                db.session,
                case_id,
                rj_id,
                outcome=form.outcome.data,
                outcome_on=form.outcome_on.data,
                note=form.note.data,
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash(f"Outcome recorded: {RJ_OUTCOMES[saved.outcome]}.", "success")
            return _back(case_id, rj_id)
        rj = _load(case, rj_id)
        form.version.data = str(rj.version)
    return _outcome_page(case, rj, form, status=400)
