"""Approvals: a team leader's list of their team's requests (waiting, oldest first; or decided),
and the page to decide one. Another team's request is a 404, never listed."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.approvals import bp
from app.approvals.forms import DecisionForm
from app.auth.session import request_origin
from app.cases.routes import leaders
from app.extensions import db
from app.forms import REFUSED, call_service, page_number
from casework.approvals.models import APPROVAL_STATUSES
from casework.approvals.requests import (
    decide,
    describe,
    get_approval,
    list_approvals,
    own_request_refusal,
)
from casework.closure import closing  # noqa: F401  (registers the case closure kind)
from casework.db import utcnow
from casework.errors import NotFound


@bp.route("/approvals")
@leaders
def approvals():
    """The team's requests waiting for a team leader's decision, oldest first; ``show=decided``
    lists the decided ones."""
    decided = request.args.get("show") == "decided"
    found = list_approvals(
        db.session,
        current_user,
        decided=decided,
        page=page_number(),
        origin=request_origin(),
        now=utcnow(),
    )
    return render_template(
        "approvals/list.html",
        found=found,
        decided=decided,
        describe=describe,
        statuses=APPROVAL_STATUSES,
    )


@bp.route("/approvals/<int:approval_id>", methods=["GET", "POST"])
@leaders
def approval(approval_id: int):
    """One request: what is asked, for which case, by whom and why; approve or refuse it."""
    form = DecisionForm()
    if form.validate_on_submit():
        decided = call_service(
            form,
            lambda: decide(
                db.session,
                approval_id,
                approve=form.decision.data == "approve",
                reason=form.reason.data,
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if decided is not REFUSED:
            flash(f"{describe(decided)}: {APPROVAL_STATUSES[decided.status].lower()}.", "success")
            return redirect(url_for("approvals.approvals"))
    try:
        found = get_approval(
            db.session, approval_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    form.version.data = str(found.version)
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "approvals/approval.html",
        approval=found,
        form=form,
        describe=describe,
        statuses=APPROVAL_STATUSES,
        own=own_request_refusal(current_user, found),
    ), status
