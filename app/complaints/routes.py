"""Complaints: the list (not yet decided first, by quarter and outcome), recording a complaint
received, its page where it is investigated and decided, and the quarterly return (counts for
analysts; every complaint's line and action taken for team leaders and admins) with its CSV.
Each view parses its form, calls one casework.support.complaints service, flashes and
redirects."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.complaints import bp
from app.complaints.forms import ComplaintForm, InvestigationForm
from app.extensions import db
from app.forms import REFUSED, call_service, flash_made, page_number
from app.groups.routes import safe_cell
from app.periods import quarter_asked
from casework.db import utcnow
from casework.errors import NotFound
from casework.staff.vetting import local_today
from casework.support.complaints import (
    OUTCOME_FILTERS,
    can_manage_complaint,
    complaint_return,
    get_complaint,
    investigator_choices,
    list_complaints,
    may_see_return_lines,
    record_complaint,
    update_complaint,
)
from casework.support.models import COMPLAINT_CHANNELS, COMPLAINT_OUTCOMES
from casework.support.monitoring_quarter import parse_quarter, recent_quarters

recorders = role_required("caseworker", "team_leader", "admin")
reporting = role_required("analyst", "team_leader", "admin")


@bp.route("/complaints")
@recorders
def complaints():
    """The complaints the signed-in person may see, not yet decided first, then newest."""
    today = local_today(utcnow())
    quarter = quarter_asked(
        parse_quarter, recent_quarters, title="Complaints", today=today, optional=True
    )
    outcome = request.args.get("outcome")
    outcome = outcome if outcome in OUTCOME_FILTERS else None
    found = list_complaints(
        db.session,
        current_user,
        quarter=quarter,
        outcome=outcome,
        page=page_number(),
        origin=request_origin(),
        now=utcnow(),
    )
    return render_template(
        "complaints/list.html",
        found=found,
        quarter=quarter,
        quarters=recent_quarters(today, quarter),
        outcome=outcome,
        outcome_filters=OUTCOME_FILTERS,
        channels=COMPLAINT_CHANNELS,
        outcomes=COMPLAINT_OUTCOMES,
        may_report=current_user.role in ("team_leader", "admin"),
    )


@bp.route("/complaints/new", methods=["GET", "POST"])
@recorders
def new_complaint():
    """Record a complaint received."""
    form = ComplaintForm()
    if request.method == "GET":
        form.case_reference.data = (request.args.get("case_reference") or "")[:20]
    if form.validate_on_submit():
        made = call_service(
            form,
            lambda: record_complaint(
                db.session,
                received_on=form.received_on.data,
                channel=form.channel.data,
                about=form.about.data,
                case_reference=form.case_reference.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                submission_token=form.submission_token.data,
            ),
        )
        if made is not REFUSED:
            flash_made(made, "Complaint recorded.")
            return redirect(url_for("complaints.complaint", complaint_id=made.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("complaints/new.html", form=form), status


@bp.route("/complaints/<int:complaint_id>", methods=["GET", "POST"])
@recorders
def complaint(complaint_id: int):
    """A complaint: what it is about, and its investigation and outcome; team leaders and
    admins record those."""
    form = InvestigationForm()
    if request.method == "POST" and form.validate_on_submit():
        saved = call_service(
            form,
            lambda: update_complaint(
                db.session,
                complaint_id,
                investigation=form.investigation.data,
                investigated_by_id=form.chosen_investigator(),
                outcome=form.outcome.data or None,
                outcome_on=form.outcome_on.data,
                action_taken=form.action_taken.data,
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash("Complaint saved.", "success")
            return redirect(url_for("complaints.complaint", complaint_id=complaint_id))
    try:
        found = get_complaint(
            db.session, complaint_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    manage = can_manage_complaint(current_user, found)
    if request.method == "GET" or form.form_errors:
        # Opened, or refused as stale: the form shows the complaint as it is now.
        # Only those who manage it get its investigation, even in a form they are not shown.
        errors = form.form_errors
        form = InvestigationForm(formdata=None, obj=found if manage else None)
        form.form_errors = list(errors)
        form.investigated_by_id.data = str(found.investigated_by_id or "")
        form.outcome.data = found.outcome or ""
        form.version.data = str(found.version)
    form.investigated_by_id.choices = [("", "Not chosen yet")] + [
        (str(s.id), s.name) for s in investigator_choices(db.session, found)
    ]
    if found.investigated_by and found.investigated_by_id not in [
        int(v) for v, _ in form.investigated_by_id.choices[1:]
    ]:
        form.investigated_by_id.choices.append(
            (str(found.investigated_by_id), found.investigated_by.name)
        )
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "complaints/complaint.html",
        complaint=found,
        form=form,
        manage=manage,
        channels=COMPLAINT_CHANNELS,
        outcomes=COMPLAINT_OUTCOMES,
    ), status


def _return():
    quarter = quarter_asked(
        parse_quarter,
        recent_quarters,
        title="Complaints return",
        today=local_today(utcnow()),
        begun=True,
    )
    return complaint_return(
        db.session, current_user, quarter, origin=request_origin(), now=utcnow()
    )


@bp.route("/complaints/return")
@reporting
def quarterly_return():
    """The quarter's complaints for the monitoring return: counts by channel and outcome and,
    for team leaders and admins, each complaint's dates, outcome and action taken."""
    found = _return()
    return render_template(
        "complaints/return.html",
        report=found,
        quarters=recent_quarters(local_today(utcnow()), found.quarter),
        channels=COMPLAINT_CHANNELS,
        outcome_filters=OUTCOME_FILTERS,
        outcomes=COMPLAINT_OUTCOMES,
        lines=may_see_return_lines(current_user),
    )


@bp.route("/complaints/return.csv")
@reporting
def return_csv():
    """The same as a CSV file."""
    found = _return()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Quarter", found.quarter.label])
    writer.writerow(["Complaints received", found.total])
    writer.writerow([])
    writer.writerow(["How received", "Complaints"])
    for key, count in found.by_channel.items():
        writer.writerow([COMPLAINT_CHANNELS[key], count])
    writer.writerow([])
    writer.writerow(["Outcome", "Complaints"])
    for key, count in found.by_outcome.items():
        writer.writerow([OUTCOME_FILTERS[key], count])
    if may_see_return_lines(current_user):
        writer.writerow([])
        writer.writerow(
            ["Complaint", "Received", "How received", "Outcome", "Outcome date", "Action taken"]
        )
        for line in found.lines:
            writer.writerow(
                [
                    safe_cell(v)
                    for v in (
                        line.complaint_id,
                        line.received_on.isoformat(),
                        COMPLAINT_CHANNELS.get(line.channel, line.channel),
                        COMPLAINT_OUTCOMES.get(line.outcome, "Not decided yet"),
                        line.outcome_on.isoformat() if line.outcome_on else "",
                        line.action_taken or "",
                    )
                ]
            )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="complaints-{found.quarter.code}.csv"'
        },
    )
