"""One caseworker's caseload for their team leader, the team's caseload settings, picking up a
referral, and reassigning a case. Routes are thin: each calls one casework service."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.caseloads import bp
from app.caseloads.forms import ReassignForm, TeamSettingsForm
from app.caseloads.views import render_caseload
from app.extensions import db
from app.forms import REFUSED, ActionForm, apply_errors, call_service, posted_id
from casework.caseloads.pick_up import pick_up_allowed, pick_up_referral
from casework.caseloads.reassign import (
    audit_case_view,
    managed_case,
    reassign_case,
    reassignment_choices,
)
from casework.caseloads.settings import (
    can_manage_team_settings,
    set_pick_up,
    settings_team,
    team_settings,
)
from casework.caseloads.team import caseworker_for_viewer
from casework.db import utcnow
from casework.errors import NotFound, ValidationError

leaders = role_required("team_leader", "admin")


@bp.app_template_global()
def pick_up_offered(referral=None) -> bool:
    """Whether the signed-in caseworker sees "Pick up" (for ``referral``, when given: only an
    unallocated open one). Read once per request."""
    if "pick_up_allowed" not in g:
        g.pick_up_allowed = current_user.is_authenticated and pick_up_allowed(
            db.session, current_user
        )
    if not g.pick_up_allowed:
        return False
    return referral is None or (
        referral.allocated_to_id is None and getattr(referral, "status", "open") == "open"
    )


@bp.app_template_global()
def may_reassign(case) -> bool:
    """Whether the signed-in person may reassign this case (its team's leader, or an admin)."""
    from casework.access import can_manage_case

    return case.status == "open" and can_manage_case(current_user, case)


@bp.app_template_global()
def may_edit_team_settings(team) -> bool:
    """Whether the signed-in person may change this team's caseload settings."""
    return can_manage_team_settings(current_user, team)


@bp.route("/team/caseworkers/<int:staff_id>")
@leaders
def member_caseload(staff_id: int):
    """One caseworker's caseload, for their team leader (another team's caseworker: 404)."""
    try:
        worker = caseworker_for_viewer(
            db.session, staff_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    return render_caseload(
        worker, own=False, endpoint="caseloads.member_caseload", staff_id=staff_id
    )


@bp.route("/teams/<int:team_id>/caseload-settings", methods=["GET", "POST"])
@leaders
def team_caseload_settings(team_id: int):
    """The team's caseload settings, for its team leader or an admin."""
    try:
        team = settings_team(
            db.session, team_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    current = team_settings(db.session, team.id)
    form = TeamSettingsForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: set_pick_up(
                db.session,
                team.id,
                caseworkers_pick_up=form.caseworkers_pick_up.data == "yes",
                plan_review_days=form.plan_review_days.data,
                closure_needs_approval=form.closure_needs_approval.data == "yes",
                version=_int(form.version.data),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash("Caseload settings saved.", "success")
            return redirect(url_for("main.team", team=team.id))
    elif not form.is_submitted():
        form.caseworkers_pick_up.data = "yes" if current.caseworkers_pick_up else "no"
        form.plan_review_days.data = str(current.plan_review_days or 28)
        form.closure_needs_approval.data = "yes" if current.closure_needs_approval else "no"
        form.version.data = str(current.version)
    return render_template("caseloads/settings.html", team=team, form=form), (
        400 if form.errors else 200
    )


@bp.route("/referrals/<int:referral_id>/pick-up", methods=["POST"])
@role_required("caseworker")
def pick_up(referral_id: int):
    """A caseworker takes an unallocated referral, when their team allows it."""
    back = request.form.get("back")
    if not ActionForm().validate_on_submit():
        flash("Your form has expired. Reload the page and try again.", "error")
        return redirect(url_for("queue.queue"))
    try:
        referral = pick_up_referral(
            db.session, referral_id, actor=current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    except ValidationError as exc:
        db.session.rollback()
        flash(next(iter(exc.errors.values())), "error")
        if back == "referral":
            return redirect(url_for("referrals.referral", referral_id=referral_id))
        return redirect(url_for("queue.queue"))
    flash(f"Referral {referral.reference} is now yours: it is on your caseload.", "success")
    return redirect(url_for("referrals.referral", referral_id=referral.id))


@bp.route("/cases/<int:case_id>/reassign", methods=["GET", "POST"])
@leaders
def reassign(case_id: int):
    """A team leader reassigns a case to another caseworker of its team, with the reason."""
    try:
        case = managed_case(
            db.session, case_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    form = ReassignForm()
    if form.validate_on_submit():
        try:
            reassign_case(
                db.session,
                case_id,
                caseworker_id=posted_id("caseworker"),
                reason=form.reason.data,
                version=_int(form.version.data),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            )
        except NotFound:
            abort(404)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            case = managed_case(
                db.session, case_id, current_user, origin=request_origin(), now=utcnow()
            )
            # The refusal shows who holds the case now; a second try is against that.
            form.version.data = str(case.version)
        else:
            flash("Case reassigned. The new caseworker has been told.", "success")
            return redirect(url_for("cases.case", case_id=case_id))
    elif not form.is_submitted():
        form.version.data = str(case.version)
        audit_case_view(db.session, case, current_user, origin=request_origin(), now=utcnow())
    choices = reassignment_choices(db.session, case)
    form.caseworker.choices = [("", "Select a caseworker")] + [(str(s.id), s.name) for s in choices]
    return render_template("caseloads/reassign.html", case=case, form=form, choices=choices), (
        400 if form.is_submitted() else 200
    )


def _int(value) -> int | None:
    """A whole number from a hidden field, or None when it is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**31 else None
