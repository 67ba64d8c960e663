"""Group sessions for young people: the team's sessions (newest first, by quarter), recording
and editing one, its page where attendance is recorded, cancelling one that did not take
place, and the quarterly return as CSV. Each
view parses its form, calls one casework.support.groups service, flashes and redirects."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import REFUSED, call_service, flash_made, page_number
from app.groups import bp
from app.groups.forms import ATTENDED, AttendanceForm, CancelForm, NewSessionForm, SessionForm
from app.periods import quarter_asked
from casework.csv_cells import safe_cell
from casework.db import utcnow
from casework.errors import NotFound
from casework.staff.vetting import local_today
from casework.support.groups import (
    attendance_rows,
    cancel_session,
    create_session,
    edit_session,
    facilitator_choices,
    get_session,
    group_return,
    list_sessions,
    record_attendance,
    young_people,
)
from casework.support.monitoring_quarter import parse_quarter, recent_quarters

groups_staff = role_required("caseworker", "team_leader", "admin")


def _quarter_asked():
    """The quarter in the query string, or None for every quarter."""
    return quarter_asked(
        parse_quarter,
        recent_quarters,
        title="Group support sessions",
        today=local_today(utcnow()),
        optional=True,
    )


@bp.route("/groups")
@groups_staff
def sessions():
    """The team's group sessions, newest first; ``quarter`` shows one quarter's."""
    quarter = _quarter_asked()
    found = list_sessions(
        db.session,
        current_user,
        quarter=quarter,
        page=page_number(),
        origin=request_origin(),
        now=utcnow(),
    )
    today = local_today(utcnow())
    return render_template(
        "groups/list.html",
        found=found,
        quarter=quarter,
        quarters=recent_quarters(today, quarter),
        current=parse_quarter(None, today),
    )


def _facilitators(form) -> None:
    people = facilitator_choices(db.session, current_user)
    form.facilitator_id.choices = [("", "Choose the facilitator")] + [
        (str(s.id), f"{s.name}{f' ({s.team.name})' if current_user.role == 'admin' else ''}")
        for s in people
    ]


def _details(form) -> dict:
    return {
        "held_on": form.held_on.data,
        "place": form.place.data,
        "facilitator_id": form.chosen_facilitator(),
        "topic": form.topic.data,
        "note": form.note.data,
    }


@bp.route("/groups/new", methods=["GET", "POST"])
@groups_staff
def new_session():
    """Record a group session."""
    form = NewSessionForm()
    if request.method == "GET":
        form.facilitator_id.data = str(current_user.id)
    if form.validate_on_submit():
        made = call_service(
            form,
            lambda: create_session(
                db.session,
                **_details(form),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                submission_token=form.submission_token.data,
            ),
        )
        if made is not REFUSED:
            flash_made(made, "Group session recorded.")
            return redirect(url_for("groups.session_page", group_id=made.id))
    _facilitators(form)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("groups/form.html", form=form, group=None), status


def _load(group_id: int):
    try:
        return get_session(
            db.session, group_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@groups_staff
def edit(group_id: int):
    """Change a session's details."""
    form = SessionForm()
    if form.validate_on_submit():
        saved = call_service(
            form,
            lambda: edit_session(
                db.session,
                group_id,
                **_details(form),
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash("Group session saved.", "success")
            return redirect(url_for("groups.session_page", group_id=group_id))
    group = _load(group_id)
    if request.method == "GET" or form.form_errors:
        # Opened, or refused as stale: the form shows the session as it is now.
        errors, form = form.form_errors, SessionForm(formdata=None, obj=group)
        form.form_errors = list(errors)
        form.facilitator_id.data = str(group.facilitator_id)
        form.version.data = str(group.version)
    _facilitators(form)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("groups/form.html", form=form, group=group), status


def _session_page(
    group_id: int, form: AttendanceForm, status: int = 200, cancel_error: str | None = None
):
    group = _load(group_id)
    # The cancel button carries the session's version as it is now.
    cancel_form = CancelForm(formdata=None)
    cancel_form.version.data = str(group.version)
    choices = young_people(db.session, group, current_user)
    form.case_id.choices = [("", "Choose a young person")] + [
        (str(c.id), f"{c.person.name} ({c.reference})") for c in choices
    ]
    return render_template(
        "groups/session.html",
        group=group,
        form=form,
        rows=attendance_rows(db.session, group, current_user),
        offered=choices,
        held=group.held_on <= local_today(utcnow()),
        attended_words=ATTENDED,
        cancel_form=cancel_form,
        cancel_error=cancel_error,
    ), status


@bp.route("/groups/<int:group_id>")
@groups_staff
def session_page(group_id: int):
    """A session: its details, who attended, and recording a young person's attendance."""
    return _session_page(group_id, AttendanceForm(formdata=None))


@bp.route("/groups/<int:group_id>/attendance", methods=["POST"])
@groups_staff
def attendance(group_id: int):
    """Record whether a young person attended."""
    form = AttendanceForm()
    if form.validate_on_submit():
        saved = call_service(
            form,
            lambda: record_attendance(
                db.session,
                group_id,
                case_id=form.chosen_case(),
                attended=form.was_there(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash("Attendance recorded.", "success")
            return redirect(url_for("groups.session_page", group_id=group_id))
    return _session_page(group_id, form, 400)


@bp.route("/groups/<int:group_id>/cancel", methods=["POST"])
@groups_staff
def cancel(group_id: int):
    """Cancel a session that did not take place, while no attendance is recorded."""
    form = CancelForm()
    if form.validate_on_submit():
        was = call_service(
            form,
            lambda: cancel_session(
                db.session,
                group_id,
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if was is not REFUSED:
            day = date.fromisoformat(was["held_on"])
            flash(f"Group session cancelled: {was['topic']}, {day:%-d %B %Y}.", "success")
            return redirect(url_for("groups.sessions"))
    refused = " ".join(form.form_errors) or "Your form has expired. Reload the page and try again."
    return _session_page(group_id, AttendanceForm(formdata=None), 400, cancel_error=refused)


@bp.route("/groups/return.csv")
@groups_staff
def return_csv():
    """The quarter's sessions and attendance counts for the quarterly return: dates, topics,
    counts and case references; no names."""
    quarter = quarter_asked(
        parse_quarter, recent_quarters, title="Group support sessions", today=local_today(utcnow())
    )
    found = group_return(db.session, current_user, quarter, origin=request_origin(), now=utcnow())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Quarter", quarter.label])
    writer.writerow(["Group support sessions held", found.sessions_held])
    writer.writerow(["Group support sessions planned, not yet held", found.planned])
    writer.writerow(["Young people attending", found.young_people])
    writer.writerow(["Attendances", found.attendances])
    writer.writerow([])
    writer.writerow(
        ["Session", "Date", "Team", "Topic", "Attended", "Did not attend", "Case references"]
    )
    for line in found.lines:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    line.session_id,
                    line.held_on.isoformat(),
                    line.team,
                    line.topic,
                    line.attended,
                    line.did_not_attend,
                    " ".join(line.references),
                )
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="group-sessions-{quarter.code}.csv"'
        },
    )
