"""A case's Closure tab: what closing needs, the closure history and any approval requests,
closing (or asking to) and withdrawing the request, and reopening. Each view parses its form,
calls one casework.closure.closing service, flashes and redirects."""

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from app.auth.session import request_origin
from app.cases.routes import case_or_404, render_case_page, staff
from app.closure import bp
from app.closure.forms import CloseCaseForm, ReopenForm
from app.extensions import db
from app.forms import REFUSED, button_action, call_service
from casework.access import can_work_case
from casework.approvals.models import APPROVAL_STATUSES
from casework.approvals.requests import case_approvals, describe, pending_for_case, who_decides
from casework.closure.closing import (
    KIND,
    closure_checklist,
    closure_history,
    reopen_case,
    reopen_refusal,
    request_closure,
    withdraw_closure_request,
)
from casework.db import utcnow
from scheduling.service_calendars import victim_calendar
from triage.closure import CLOSURE_REASONS, NO_REASSESSMENT_POSSIBLE

# The reasons that need no closing reassessment, as the checklist says them.
_PERSON_DID = {
    "declined": "declined",
    "not_contactable": "was not contactable",
    "moved_away": "moved away",
    "passed_on": "was passed on to another service",
    "died": "died",
}
_SAID = [_PERSON_DID[r] for r in CLOSURE_REASONS if r in NO_REASSESSMENT_POSSIBLE]
NO_REASSESSMENT_WORDS = ", ".join(_SAID[:-1]) + ", or " + _SAID[-1]


@bp.app_template_global()
def closure_waiting(case) -> bool:
    """Whether a request to close ``case`` waits for a team leader (the case summary's panel)."""
    return case.status == "open" and pending_for_case(db.session, case.id, KIND) is not None


def _page(case_id: int, *, close_form=None, reopen_form=None, status: int = 200):
    case = case_or_404(case_id, "closure")
    now = utcnow()
    checklist = closure_checklist(db.session, case, now) if case.status == "open" else None
    page = render_case_page(
        "closure/closure.html",
        case,
        checklist=checklist,
        history=closure_history(db.session, case.id),
        approvals=case_approvals(db.session, case.id, KIND),
        approval_statuses=APPROVAL_STATUSES,
        describe_approval=describe,
        who_decides=who_decides,
        reasons=CLOSURE_REASONS,
        no_reassessment=NO_REASSESSMENT_WORDS,
        may_close=can_work_case(current_user, case) and not (checklist and checklist.pending),
        may_reopen=reopen_refusal(current_user, case) is None,
        close_form=close_form or CloseCaseForm(formdata=None),
        reopen_form=reopen_form or ReopenForm(formdata=None),
    )
    return page, status


@bp.route("/cases/<int:case_id>/closure", methods=["GET", "POST"])
@staff
def closure(case_id: int):
    """What closing the case needs, its closures so far and its closure requests; posted, the
    "Close this case" form (or, with a reopening reason, the "Reopen this case" one)."""
    if request.method == "POST":
        if "reopen_reason" in request.form:
            return _reopen(case_id, ReopenForm())
        return _close(case_id, CloseCaseForm())
    return _page(case_id)


def _close(case_id: int, form: CloseCaseForm):
    """Close the case, or ask a team leader to approve closing it; refused with the gate's
    problems (a reassessment to hold, plan actions to settle) and nothing stored."""
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: request_closure(
                db.session,
                case_id,
                reason=form.reason.data,
                words=form.words.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash(
                "Case closed."
                if outcome.closed
                else f"Closure requested: {who_decides(current_user)} will approve or refuse it.",
                "success",
            )
            return redirect(url_for("closure.closure", case_id=case_id))
    return _page(case_id, close_form=form, status=400)


@bp.route("/cases/<int:case_id>/closure/withdraw", methods=["POST"])
@staff
def withdraw(case_id: int):
    """The person who asked to close the case takes the request back."""

    def act():
        withdraw_closure_request(
            db.session, case_id, actor=current_user, origin=request_origin(), now=utcnow()
        )
        return "Closure request withdrawn."

    button_action(act)
    return redirect(url_for("closure.closure", case_id=case_id))


def _reopen(case_id: int, form: ReopenForm):
    """Reopen a closed case with a reason (team leaders of its team, admins)."""
    if form.validate_on_submit():
        reopened = call_service(
            form,
            lambda: reopen_case(
                db.session,
                case_id,
                reason=form.reopen_reason.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                calendar=victim_calendar(current_app.config),
            ),
        )
        if reopened is not REFUSED:
            flash("Case reopened.", "success")
            return redirect(url_for("closure.closure", case_id=case_id))
    return _page(case_id, reopen_form=form, status=400)
