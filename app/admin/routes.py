import json
from dataclasses import asdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import (
    ActiveForm,
    AuditSearchForm,
    NewStaffForm,
    PasswordForm,
    ProfessionalAccessForm,
    StaffForm,
    SubjectAccessForm,
    TeamForm,
)
from app.admin.vetting import vetting_context
from app.auth.session import request_origin, role_required
from app.extensions import db
from app.filters import phone as phone_words
from app.forms import REFUSED, apply_errors, button_action, call_service, page_number
from casework.audit import RECORD_TYPES, AuditSearch, search_events
from casework.cases.timeline import describe
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.heartbeat.sweeps import scheduler_status
from casework.hsb.calls import set_staff_phone
from casework.hsb.retention import professional_contacts, professional_export
from casework.people.records import MERGES_PER_PAGE, merges_page, undo_merge
from casework.people.subject_access import subject_access_export
from casework.staff.accounts import (
    StaffDetails,
    create_staff,
    create_team,
    set_password,
    set_staff_active,
    update_staff,
)
from casework.staff.directory import (
    StaffFilters,
    active_members_per_team,
    get_staff,
    staff_page,
    teams_by_name,
)
from casework.staff.models import ROLES, Staff
from casework.staff.two_step import reset_two_step

admin_only = role_required("admin")


def _team_choices():
    return [("", "No team")] + [(str(t.id), t.name) for t in teams_by_name(db.session)]


def _details(form: StaffForm) -> StaffDetails:
    return StaffDetails(
        email=form.email.data,
        name=form.name.data,
        role=form.role.data,
        team_id=int(form.team_id.data) if form.team_id.data else None,
        specialisms=tuple(form.specialisms.data or ()),
        npa=form.npa.data,
        gender=form.gender.data,
        languages=tuple((form.languages.data or "").split(",")),
    )


def _with_phone(staff: Staff, form: StaffForm) -> Staff:
    """The phone number the advice line rings for them, set after their other details."""
    return set_staff_phone(
        db.session,
        staff.id,
        form.phone.data,
        actor=current_user,
        origin=request_origin(),
        now=utcnow(),
    )


def _get_staff_or_404(staff_id: int) -> Staff:
    staff = get_staff(db.session, staff_id)
    if staff is None:
        abort(404)
    return staff


@bp.route("/staff")
@admin_only
def staff_list():
    """Every staff account, filterable by role, team and status, 25 to a page; above them, when
    the scheduler last swept (a warning when it has not lately)."""
    filters = StaffFilters(
        role=request.args.get("role", ""),
        team=request.args.get("team", ""),
        status=request.args.get("status", "active"),
        q=request.args.get("q", "").strip(),
    )
    page = staff_page(filters, page=page_number(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "admin/staff_list.html",
        page=page,
        roles=ROLES,
        teams=_team_choices()[1:],
        filters=asdict(filters),
        scheduler=scheduler_status(
            db.session,
            now=utcnow(),
            stale_after=timedelta(seconds=current_app.config["READY_SCHEDULER_STALE_SECONDS"]),
        ),
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@admin_only
def staff_new():
    """Add a staff account."""
    form = NewStaffForm()
    form.team_id.choices = _team_choices()
    if form.validate_on_submit():
        staff = call_service(
            form,
            lambda: _with_phone(
                create_staff(
                    db.session,
                    _details(form),
                    password=form.password.data,
                    actor=current_user,
                    origin=request_origin(),
                    now=utcnow(),
                ),
                form,
            ),
        )
        if staff is not REFUSED:
            flash(f"Staff account created for {staff.name}.", "success")
            return redirect(url_for("admin.staff_detail", staff_id=staff.id))
    return render_template("admin/staff_form.html", form=form, title="Add a staff member"), (
        400 if form.errors else 200
    )


@bp.route("/staff/<int:staff_id>")
@admin_only
def staff_detail(staff_id: int):
    """One staff account, with its actions (password, two-step reset, deactivate)."""
    staff = _get_staff_or_404(staff_id)
    return render_template(
        "admin/staff_detail.html",
        staff=staff,
        active_form=ActiveForm(),
        password_form=PasswordForm(),
        **vetting_context(staff),
    )


@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@admin_only
def staff_edit(staff_id: int):
    """Edit a staff account's details."""
    staff = _get_staff_or_404(staff_id)
    form = StaffForm(obj=staff if request.method == "GET" else None)
    form.team_id.choices = _team_choices()
    if request.method == "GET":
        form.team_id.data = str(staff.team_id or "")
        form.languages.data = ", ".join(staff.languages or [])
        form.phone.data = phone_words(staff.phone)
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: _with_phone(
                update_staff(
                    db.session,
                    staff.id,
                    _details(form),
                    actor=current_user,
                    origin=request_origin(),
                    now=utcnow(),
                ),
                form,
            ),
        )
        if outcome is not REFUSED:
            flash("Changes saved.", "success")
            return redirect(url_for("admin.staff_detail", staff_id=staff.id))
    return render_template(
        "admin/staff_form.html", form=form, staff=staff, title=f"Edit {staff.name}"
    ), (400 if form.errors else 200)


@bp.route("/staff/<int:staff_id>/active", methods=["POST"])
@admin_only
def staff_active(staff_id: int):
    """Deactivate or reactivate; deactivation ends every session the person has."""
    staff = _get_staff_or_404(staff_id)
    make_active = request.form.get("active") == "1"

    def act():
        set_staff_active(
            db.session,
            staff.id,
            make_active,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )
        return f"{staff.name} {'reactivated' if make_active else 'deactivated and signed out'}."

    button_action(act)
    return redirect(url_for("admin.staff_detail", staff_id=staff.id))


@bp.route("/staff/<int:staff_id>/two-step", methods=["POST"])
@admin_only
def staff_two_step_reset(staff_id: int):
    """Clear someone's two-step verification when their phone is lost or replaced."""
    staff = _get_staff_or_404(staff_id)

    def act():
        reset_two_step(
            db.session, staff.id, actor=current_user, origin=request_origin(), now=utcnow()
        )
        return (
            f"Two-step verification reset for {staff.name}; their sessions were ended. "
            "They set it up again when they next sign in."
        )

    button_action(act)
    return redirect(url_for("admin.staff_detail", staff_id=staff.id))


@bp.route("/staff/<int:staff_id>/password", methods=["POST"])
@admin_only
def staff_password(staff_id: int):
    """Set a new password; the person is signed out everywhere."""
    staff = _get_staff_or_404(staff_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            set_password(
                db.session,
                staff.id,
                form.password.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            )
        except (ValidationError, NotFound) as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(f"New password set for {staff.name}; their sessions were ended.", "success")
            return redirect(url_for("admin.staff_detail", staff_id=staff.id))
    return render_template(
        "admin/staff_detail.html",
        staff=staff,
        active_form=ActiveForm(),
        password_form=form,
        **vetting_context(staff),
    ), 400


@bp.route("/teams", methods=["GET", "POST"])
@admin_only
def team_list():
    """Teams with their active members, and a form to add one."""
    form = TeamForm()
    if form.validate_on_submit():
        team = call_service(
            form,
            lambda: create_team(
                db.session,
                name=form.name.data,
                service=form.service.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if team is not REFUSED:
            flash(f"Team {team.name} added.", "success")
            return redirect(url_for("admin.team_list"))
    counts = active_members_per_team(db.session)
    teams = teams_by_name(db.session)
    return render_template("admin/teams.html", form=form, teams=teams, counts=counts), (
        400 if form.errors else 200
    )


def _local_midnight_utc(day) -> datetime:
    tz = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(ZoneInfo("UTC"))


@bp.route("/audit")
@admin_only
def audit():
    """Search the audit trail by staff member, person, record and date range (UK dates)."""
    form = AuditSearchForm(request.args)
    page = None
    searched = bool(request.args)
    if searched and form.validate():
        search = AuditSearch(
            staff_email=form.staff.data or None,
            reference=(form.reference.data or "").strip() or None,
            record_type=form.record_type.data or None,
            record_id=form.record_id.data or None,
            since=_local_midnight_utc(form.since.data) if form.since.data else None,
            until=(
                _local_midnight_utc(form.until.data + timedelta(days=1))
                if form.until.data
                else None
            ),
        )
        if search.since and search.until and search.until <= search.since:
            form.until.errors.append("The end date must be on or after the start date")
        else:
            try:
                page = search_events(search, page=page_number(), per_page=50)
            except ValidationError as exc:
                apply_errors(form, exc)
    elif not searched:
        page = search_events(AuditSearch(), page=1, per_page=50)
    args = {k: v for k, v in request.args.items(multi=True) if k != "page"}
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        args=args,
        record_types=RECORD_TYPES,
        describe=describe,
    ), (400 if form.errors else 200)


@bp.route("/partners")
@admin_only
def partner_list():
    """The old address of the partner agencies' list: the registry now (app.partners)."""
    kept = {k: request.args[k][:200] for k in ("show", "q", "page") if k in request.args}
    return redirect(url_for("partners.registry", **kept), 301)


@bp.route("/subject-access", methods=["GET", "POST"])
@admin_only
def subject_access():
    """A person's subject-access request: everything held about them, as a JSON file."""
    form = SubjectAccessForm()
    if form.validate_on_submit():
        try:
            export = subject_access_export(
                db.session,
                form.reference.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            )
        except NotFound:
            form.reference.errors.append("No referral has this reference")
        else:
            reference = form.reference.data.strip().upper()
            response = current_app.response_class(
                json.dumps(export, indent=2, ensure_ascii=False),
                mimetype="application/json",
            )
            response.headers["Content-Disposition"] = (
                f'attachment; filename="subject-access-{reference}.json"'
            )
            return response
    return render_template(
        "admin/subject_access.html", form=form, professional_form=ProfessionalAccessForm()
    ), (400 if form.errors else 200)


@bp.route("/subject-access/professional", methods=["POST"])
@admin_only
def professional_subject_access():
    """A professional's subject-access request on the HSB advice line: their advice contacts,
    found by exact email or phone, listed or downloaded as JSON or CSV (audited)."""
    form = ProfessionalAccessForm()
    found = None
    if form.validate_on_submit():
        common = {"actor": current_user, "origin": request_origin(), "now": utcnow()}
        as_file = "csv" if form.csv.data else "json" if form.json.data else None
        try:
            if as_file is None:
                found = professional_contacts(db.session, form.contact.data, **common)[1]
            else:
                _, export = professional_export(
                    db.session, form.contact.data, form=as_file, **common
                )
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except NotFound:
            form.contact.errors.append("No advice contact is held with this email or number")
        else:
            if as_file is not None:
                body = (
                    json.dumps(export, indent=2, ensure_ascii=False)
                    if as_file == "json"
                    else export
                )
                response = current_app.response_class(
                    body, mimetype="application/json" if as_file == "json" else "text/csv"
                )
                response.headers["Content-Disposition"] = (
                    f'attachment; filename="subject-access-advice-line.{as_file}"'
                )
                return response
    return render_template(
        "admin/subject_access.html",
        form=SubjectAccessForm(formdata=None),
        professional_form=form,
        found=found,
    ), (400 if form.errors else 200)


@bp.route("/merges")
@admin_only
def merges():
    """People merged by confirming a possible match, newest first, each with an undo."""
    page = page_number()
    rows, total = merges_page(db.session, page)
    pages = max(1, -(-total // MERGES_PER_PAGE))
    return render_template("admin/merges.html", rows=rows, total=total, page=page, pages=pages)


@bp.route("/merges/<int:merge_id>/undo", methods=["POST"])
@admin_only
def merge_undo(merge_id: int):
    """Undo a merge: exactly what it moved goes back to the merged person."""

    def act():
        merge = undo_merge(
            db.session, merge_id, actor=current_user, origin=request_origin(), now=utcnow()
        )
        return f"Merge undone: person {merge.merged_person_id} stands alone again."

    button_action(act)
    return redirect(url_for("admin.merges"))
