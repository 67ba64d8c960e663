from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.contact.forms import ConversationForm, KeyDateForm, attempt_forms
from app.extensions import db
from app.forms import ActionForm, apply_errors, button_action, posted_id
from app.referrals import bp
from app.referrals.forms import RaisePriorityForm
from casework.access import can_manage_referral, can_work_referral
from casework.contact.recording import contact_history
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.obligations.models import OBLIGATION_LABELS
from casework.referrals.decisions import (
    allocate,
    allocation_suggestions,
    decide_match,
    get_referral,
    pending_matches,
    raise_priority,
)
from casework.referrals.models import CONTACT_METHOD_LABELS, SOURCES
from scheduling.service_calendars import victim_calendar
from triage.contact import CONVERSATION_OUTCOMES, PHONE_OUTCOMES, VISIT_OUTCOMES

leaders = role_required("team_leader", "admin")


def _referral_or_404(referral_id: int, *, audit_view: bool = True):
    try:
        return get_referral(
            db.session,
            referral_id,
            current_user,
            origin=request_origin(),
            now=utcnow(),
            audit_view=audit_view,
        )
    except NotFound:
        abort(404)


def render_referral(referral_id: int, *, status: int = 200, **forms):
    """One referral's page; forms carrying errors are passed back in to show them."""
    referral = _referral_or_404(referral_id, audit_view=status == 200)
    manage = can_manage_referral(current_user, referral)
    now = utcnow()
    local_now = now.astimezone(victim_calendar(current_app.config).tz)
    history = contact_history(db.session, referral)
    return render_template(
        "referrals/referral.html",
        referral=referral,
        now=now,
        labels=OBLIGATION_LABELS,
        methods=CONTACT_METHOD_LABELS,
        sources=SOURCES,
        manage=manage,
        work=can_work_referral(current_user, referral),
        suggestions=allocation_suggestions(db.session, referral, current_user) if manage else [],
        matches=pending_matches(db.session, referral, current_user) if manage else None,
        raise_form=forms.get("raise_form") or RaisePriorityForm(),
        allocate_error=forms.get("allocate_error"),
        action_form=ActionForm(),
        **attempt_forms(referral, forms, local_now),
        conversation_form=forms.get("conversation_form") or ConversationForm(),
        key_date_form=forms.get("key_date_form") or KeyDateForm(),
        attempts=history.attempts,
        conversation=history.conversation,
        messages=history.messages,
        opted_out=history.opted_out,
        outcome_words={**PHONE_OUTCOMES, **VISIT_OUTCOMES, **CONVERSATION_OUTCOMES},
        attempt_words={"telephone": PHONE_OUTCOMES, "home_visit": VISIT_OUTCOMES},
    ), status


@bp.route("/referrals/<int:referral_id>")
@role_required("caseworker", "team_leader", "admin")
def referral(referral_id: int):
    """One referral: who, why this priority, what is due when, and the team leader's actions."""
    return render_referral(referral_id)


@bp.route("/referrals/<int:referral_id>/allocate", methods=["POST"])
@leaders
def allocate_referral(referral_id: int):
    """Allocate to one of the suggested caseworkers; a refusal is shown on the form itself."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("referrals.referral", referral_id=referral_id))
    try:
        referral = allocate(
            db.session,
            referral_id,
            posted_id("caseworker"),
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )
    except NotFound:
        abort(404)
    except ValidationError as exc:
        db.session.rollback()
        return render_referral(
            referral_id, status=400, allocate_error=next(iter(exc.errors.values()))
        )
    flash(f"Allocated to {referral.allocated_to.name}.", "success")
    return redirect(url_for("referrals.referral", referral_id=referral_id))


@bp.route("/referrals/<int:referral_id>/raise-priority", methods=["POST"])
@leaders
def raise_referral_priority(referral_id: int):
    """Raise a referral to enhanced with the team leader's reason."""
    form = RaisePriorityForm()
    if form.validate_on_submit():
        try:
            raise_priority(
                db.session,
                referral_id,
                form.reason.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            )
        except NotFound:
            abort(404)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash("Priority raised to enhanced; deadlines updated.", "success")
            return redirect(url_for("referrals.referral", referral_id=referral_id))
    return render_referral(referral_id, status=400, raise_form=form)


@bp.route("/referrals/<int:referral_id>/matches/<int:match_id>", methods=["POST"])
@leaders
def decide(referral_id: int, match_id: int):
    """Decide a possible repeat-victim match: the same person, or not."""
    decision = request.form.get("decision")

    def act():
        if decision not in ("confirm", "reject"):
            raise ValidationError({"decision": "Choose Same person or Not the same"})
        confirm = decision == "confirm"
        decide_match(
            db.session,
            referral_id,
            match_id,
            confirm,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )
        return "Match confirmed: marked as a repeat victim." if confirm else "Match rejected."

    button_action(act)
    return redirect(url_for("referrals.referral", referral_id=referral_id))
