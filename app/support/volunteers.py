"""Volunteers on a case (spec 3.12 and 10): the Support tab's Volunteers section, assigning a
volunteer, stepping one down, and a volunteer's own home page, "My cases"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.cases.routes import case_or_404, render_case_page
from app.extensions import db
from app.forms import REFUSED, call_service
from app.support import bp
from app.support.routes import section
from app.support.volunteer_forms import AssignVolunteerForm, StepDownForm
from casework.db import utcnow
from casework.errors import NotFound
from casework.support.volunteers import (
    assign_volunteer,
    get_assignment,
    my_cases,
    step_down_volunteer,
    volunteers_of,
)

assigners = role_required("caseworker", "team_leader", "admin")
with_volunteers = role_required("caseworker", "team_leader", "admin", "volunteer")


@section("support/_volunteers.html", volunteers=True)
def volunteers_section(case) -> dict:
    """Who volunteers on the case now and before, and whether the viewer may assign one."""
    return volunteers_of(db.session, case, current_user)


@bp.route("/my-cases", endpoint="my_cases")
@role_required("volunteer")
def my_cases_page():
    """A volunteer's home: the cases they are assigned to now, and nothing else."""
    return render_template("support/my_cases.html", cases=my_cases(db.session, current_user))


def _to_support(case_id: int):
    return redirect(url_for("support.overview", case_id=case_id) + "#volunteers")


@bp.route(
    "/cases/<int:case_id>/support/volunteers/new",
    methods=["GET", "POST"],
    endpoint="assign_volunteer",
)
@assigners
def assign_volunteer_page(case_id: int):
    """Assign one of the team's volunteers to the case; refusals (vetting for a child or a
    vulnerable adult, someone already on it) are shown on the form and nothing changes."""
    form = AssignVolunteerForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: assign_volunteer(
                db.session,
                case_id,
                form.chosen(),
                form.role_note.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash(f"{outcome.volunteer.name} is now a volunteer on this case.", "success")
            return _to_support(case_id)
    case = case_or_404(case_id, "support")
    data = volunteers_of(db.session, case, current_user)
    if not data["may_assign"]:
        flash("This case's volunteers cannot be changed by you now.", "info")
        return _to_support(case_id)
    form.volunteer.choices = [(str(v.id), v.name) for v in data["assignable"]]
    status = 400 if form.errors or form.form_errors else 200
    return render_case_page(
        "support/assign_volunteer.html", case, form=form, assignable=data["assignable"]
    ), status


@bp.route(
    "/cases/<int:case_id>/support/volunteers/<int:case_volunteer_id>/step-down",
    methods=["GET", "POST"],
    endpoint="step_down_volunteer",
)
@with_volunteers
def step_down_volunteer_page(case_id: int, case_volunteer_id: int):
    """Step a volunteer down from the case, with the reason: they no longer see it at once. A
    volunteer may step themselves down."""
    form = StepDownForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: step_down_volunteer(
                db.session,
                case_id,
                case_volunteer_id,
                form.reason.data,
                version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash(f"{outcome.volunteer.name} has stepped down from this case.", "success")
            if current_user.role == "volunteer":
                return redirect(url_for("support.my_cases"))
            return _to_support(case_id)
    case = case_or_404(case_id, "support")
    try:
        link = get_assignment(db.session, case, case_volunteer_id, current_user)
    except NotFound:
        abort(404)
    if not form.is_submitted():
        form.version.data = str(link.version)
    status = 400 if form.errors or form.form_errors else 200
    return render_case_page("support/step_down_volunteer.html", case, form=form, link=link), status
