"""Administrators record staff vetting and training, and see vetting due to expire
(spec 12 and 15)."""

from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.vetting_forms import DbsCheckForm, InductionForm, PoliceVettingForm, TrainingForm
from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import REFUSED, ActionForm, button_action, call_service, flash_made, page_number
from casework.db import utcnow
from casework.staff.directory import get_staff
from casework.staff.models import Staff
from casework.staff.vetting import get_vetting, local_today, vetting_overview
from casework.staff.vetting_expiry import expiring_vetting_page, staff_without_vetting
from casework.staff.vetting_records import (
    add_training,
    record_dbs_check,
    record_induction,
    record_police_vetting,
    remove_training,
)
from triage.vetting import DBS_LEVELS, EXPIRY_WARNING_DAYS

admin_only = role_required("admin")


def vetting_context(staff: Staff) -> dict:
    """What the staff page's "Vetting and training" section needs."""
    return {
        "vetting": vetting_overview(db.session, staff, local_today(utcnow())),
        "training_remove_form": ActionForm(),
        "dbs_levels": DBS_LEVELS,
    }


def _staff_or_404(staff_id: int) -> Staff:
    staff = get_staff(db.session, staff_id)
    if staff is None:
        abort(404)
    return staff


def _back(staff: Staff):
    return redirect(url_for("admin.staff_detail", staff_id=staff.id) + "#vetting")


def _form_page(form, staff: Staff, title: str, save):
    """Show a vetting form, or save it through ``save`` and go back to the staff page."""
    if form.validate_on_submit():
        outcome = call_service(form, save)
        if outcome is not REFUSED:
            flash_made(outcome, f"{title} saved for {staff.name}.")
            return _back(staff)
    return render_template("admin/vetting_form.html", form=form, staff=staff, title=title), (
        400 if form.errors or form.form_errors else 200
    )


def _prefill(staff: Staff, fields: dict) -> dict:
    """The form's starting values: what is recorded, and the record's version."""
    vetting = get_vetting(db.session, staff.id)
    data = {"version": str(vetting.version if vetting else 0)}
    if vetting is not None:
        data.update({name: getattr(vetting, attribute) for name, attribute in fields.items()})
    return data


@bp.route("/staff/<int:staff_id>/vetting/police", methods=["GET", "POST"])
@admin_only
def vetting_police(staff_id: int):
    """Record or change a staff member's police vetting (NPPV level and dates)."""
    staff = _staff_or_404(staff_id)
    form = PoliceVettingForm(
        data=_prefill(
            staff,
            {
                "level": "nppv_level",
                "granted_on": "nppv_granted_on",
                "expires_on": "nppv_expires_on",
            },
        )
    )

    def save():
        record_police_vetting(
            db.session,
            staff.id,
            level=form.level.data,
            granted_on=form.granted_on.data,
            expires_on=form.expires_on.data,
            version=form.version_number(),
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )

    return _form_page(form, staff, "Police vetting", save)


@bp.route("/staff/<int:staff_id>/vetting/dbs", methods=["GET", "POST"])
@admin_only
def vetting_dbs(staff_id: int):
    """Record or change a staff member's DBS check."""
    staff = _staff_or_404(staff_id)
    form = DbsCheckForm(
        data=_prefill(
            staff,
            {
                "level": "dbs_level",
                "issued_on": "dbs_issued_on",
                "certificate_last4": "dbs_certificate_last4",
                "recheck_on": "dbs_recheck_on",
            },
        )
    )

    def save():
        record_dbs_check(
            db.session,
            staff.id,
            level=form.level.data,
            issued_on=form.issued_on.data,
            certificate_last4=form.certificate_last4.data,
            recheck_on=form.recheck_on.data,
            version=form.version_number(),
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )

    return _form_page(form, staff, "DBS check", save)


@bp.route("/staff/<int:staff_id>/vetting/induction", methods=["GET", "POST"])
@admin_only
def vetting_induction(staff_id: int):
    """Record the day a staff member attended the Force induction."""
    staff = _staff_or_404(staff_id)
    form = InductionForm(data=_prefill(staff, {"completed_on": "induction_on"}))

    def save():
        record_induction(
            db.session,
            staff.id,
            completed_on=form.completed_on.data,
            version=form.version_number(),
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )

    return _form_page(form, staff, "Force induction", save)


@bp.route("/staff/<int:staff_id>/training/new", methods=["GET", "POST"])
@admin_only
def training_new(staff_id: int):
    """Add a completed course to a staff member's training record."""
    staff = _staff_or_404(staff_id)
    form = TrainingForm()

    def save():
        return add_training(
            db.session,
            staff.id,
            course=form.course.data,
            completed_on=form.completed_on.data,
            expires_on=form.expires_on.data,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
            submission_token=form.submission_token.data,
        )

    return _form_page(form, staff, "Training record", save)


@bp.route("/staff/<int:staff_id>/training/<int:training_id>/remove", methods=["POST"])
@admin_only
def training_remove(staff_id: int, training_id: int):
    """Remove a training record entered in error."""
    staff = _staff_or_404(staff_id)

    def act():
        record = remove_training(
            db.session,
            staff.id,
            training_id,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )
        return f"Training record removed: {record.course}."

    button_action(act)
    return _back(staff)


@bp.route("/vetting/expiring")
@admin_only
def vetting_expiring():
    """Staff whose police vetting or DBS check expires in the next 60 days, or has expired,
    soonest first."""
    today = local_today(utcnow())
    page, rows = expiring_vetting_page(
        db.session, today, page=page_number(), per_page=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "admin/vetting_expiring.html",
        page=page,
        rows=rows,
        today=today,
        days=EXPIRY_WARNING_DAYS,
        unrecorded=staff_without_vetting(db.session),
    )
