"""Victim Personal Statement support on a case's Support tab: its section, and the form
recording that help was offered, the person was helped to write it, and it was given to court.
The view parses the form, calls casework.support.statements.save_statement, flashes, redirects."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.auth.session import request_origin
from app.cases.routes import case_or_404, render_case_page, staff
from app.extensions import db
from app.forms import REFUSED, add_missing_errors, call_service
from app.support import bp
from app.support.routes import section
from app.support.statement_forms import StatementForm
from casework.db import utcnow
from casework.support.models import VPS_OFFER_ANSWERS
from casework.support.statements import (
    StatementDetails,
    check_statement,
    save_statement,
    stage_of,
    statement_of,
    statement_refusal,
)


@section("support/_statement.html")
def _statement_section(case) -> dict:
    statement = statement_of(db.session, case.id)
    return {
        "statement": statement,
        "stage": stage_of(statement),
        "answers": VPS_OFFER_ANSWERS,
        "may_record": statement_refusal(current_user, case) is None,
    }


@bp.route("/cases/<int:case_id>/support/statement", methods=["GET", "POST"])
@staff
def statement(case_id: int):
    """Record Victim Personal Statement support: offered, helped to write, given to court."""
    case = case_or_404(case_id, "support")
    refusal = statement_refusal(current_user, case)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("support.overview", case_id=case.id))
    saved = statement_of(db.session, case.id)
    form = StatementForm()
    if request.method == "GET":
        if saved is not None:
            form.offered_on.data, form.answer.data = saved.offered_on, saved.answer
            form.helped_on.data, form.given_on.data = saved.helped_on, saved.given_to_court_on
            form.court.data, form.note.data = saved.court, saved.note
            form.version.data = str(saved.version)
        return render_case_page("support/statement.html", case, form=form, saved=saved)
    details = StatementDetails(
        offered_on=form.offered_on.data,
        answer=form.answer.data,
        helped_on=form.helped_on.data,
        given_on=form.given_on.data,
        court=form.court.data,
        note=form.note.data,
    )
    if form.validate_on_submit():
        done = call_service(
            form,
            lambda: save_statement(
                db.session,
                case.id,
                details,
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if done is not REFUSED:
            flash("Victim Personal Statement support saved.", "success")
            return redirect(url_for("support.overview", case_id=case.id))
    if form.errors:
        add_missing_errors(form, lambda: check_statement(details, case, utcnow()))
    return render_case_page("support/statement.html", case, form=form, saved=saved), 400
