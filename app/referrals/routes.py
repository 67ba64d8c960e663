from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import (
    REFUSED,
    ActionForm,
    button_action,
    call_service,
    page_number,
    posted_id,
)
from app.referrals import bp
from app.referrals.forms import RaisePriorityForm
from casework.access import can_manage_referral, can_work_referral
from casework.cases.records import flagged_domestic_abuse, people_flagged_domestic_abuse
from casework.cases.timeline import referral_access_log, referral_timeline
from casework.contact.recording import (
    contact_history,
    conversation_recorded,
    recordable_channels,
    texts_opted_out,
)
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.messages.held_letters import held_on_referrals
from casework.obligations.models import OBLIGATION_LABELS
from casework.referrals.decisions import (
    allocate,
    allocation_panel,
    decide_match,
    get_referral,
    not_allocatable,
    pending_matches,
    raise_priority,
)
from casework.referrals.models import CONTACT_METHOD_LABELS, SOURCES
from triage.contact import (
    CONVERSATION_OUTCOMES,
    PHONE_OUTCOMES,
    VISIT_OUTCOMES,
)

leaders = role_required("team_leader", "admin")
staff = role_required("caseworker", "team_leader", "admin")
OUTCOME_WORDS = {**PHONE_OUTCOMES, **VISIT_OUTCOMES, **CONVERSATION_OUTCOMES}


def referral_or_404(referral_id: int, *, audit_view: bool = True):
    """The referral, if the signed-in person may see it (the view audited); else 404."""
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


def referral_tabs(referral) -> list[dict]:
    """The referral's sub-navigation: Summary, Contact, Timeline and, for the team leaders and
    admins who may manage it, Access. Each is its own page."""
    items = [
        ("referrals.referral", "Summary"),
        ("referrals.contact", "Contact"),
        ("referrals.timeline", "Timeline"),
    ]
    if can_manage_referral(current_user, referral):
        items.append(("referrals.access", "Access"))
    return tab_links(items, referral_id=referral.id)


def tab_links(items: list[tuple[str, str]], **values) -> list[dict]:
    """A record's sub-navigation from (endpoint, text) pairs: each link's address, its words,
    and whether it is the page being shown."""
    return [
        {
            "href": url_for(endpoint, **values),
            "text": text,
            "active": request.endpoint == endpoint,
        }
        for endpoint, text in items
    ]


def record_actions(referral, *, work: bool, conversation_held: bool) -> list[dict]:
    """Links to the short pages that record contact on this referral: only those that apply
    (a call or home visit where the contact method or an obligation asks for one, or, once
    closed into a case, where one is still owed; the first conversation until it is recorded;
    a key date whenever the referral may be worked)."""
    if not work:
        return []
    actions = []
    offered = recordable_channels(referral)
    if "telephone" in offered:
        actions.append(("contact.record_call", "Record a call"))
    if "home_visit" in offered:
        actions.append(("contact.record_visit", "Record a home visit"))
    if referral.status == "open" and not conversation_held:
        actions.append(("contact.record_conversation", "Record the first conversation"))
    actions.append(("contact.record_key_date", "Add a key date"))
    return [
        {"href": url_for(endpoint, referral_id=referral.id), "text": text}
        for endpoint, text in actions
    ]


def header_of(referral) -> dict:
    """What the top of every page of a referral shows: its tabs, safe contact and tags."""
    return {
        "referral": referral,
        "tabs": referral_tabs(referral),
        "sources": SOURCES,
        "methods": CONTACT_METHOD_LABELS,
        "outcome_words": OUTCOME_WORDS,
        "opted_out": texts_opted_out(db.session, referral),
        # This referral, or any other of the person's: the warning is about the person.
        "domestic_abuse": flagged_domestic_abuse(referral)
        or referral.person_id in people_flagged_domestic_abuse(db.session, [referral.person_id]),
        "held_letter": held_on_referrals(db.session, [referral.id]).get(referral.id),
    }


def render_referral(referral_id: int, *, status: int = 200, **forms):
    """One referral's summary page, the team leader's decisions at the top; a decision that
    comes back with errors is passed back in to show them."""
    referral = referral_or_404(referral_id, audit_view=status == 200)
    manage = can_manage_referral(current_user, referral)
    work = can_work_referral(current_user, referral)
    closed_to_allocation = not_allocatable(referral, current_user)
    panel = (
        allocation_panel(db.session, referral, current_user)
        if manage and not closed_to_allocation
        else None
    )
    return render_template(
        "referrals/referral.html",
        **header_of(referral),
        now=utcnow(),
        labels=OBLIGATION_LABELS,
        manage=manage,
        work=work,
        actions=record_actions(
            referral,
            work=work,
            conversation_held=conversation_recorded(db.session, referral),
        ),
        closed_to_allocation=closed_to_allocation,
        suggestions=panel.suggestions if panel else [],
        allocation=panel,
        matches=pending_matches(db.session, referral, current_user) if manage else None,
        raise_form=forms.get("raise_form") or RaisePriorityForm(),
        allocate_error=forms.get("allocate_error"),
        action_form=ActionForm(),
    ), status


@bp.route("/referrals/<int:referral_id>")
@staff
def referral(referral_id: int):
    """One referral: who, why this priority, what is due when, and the team leader's actions."""
    return render_referral(referral_id)


@bp.route("/referrals/<int:referral_id>/contact")
@staff
def contact(referral_id: int):
    """The referral's contact: calls, visits, the first conversation, messages and letters,
    the person's contact details, and links to record more."""
    referral = referral_or_404(referral_id)
    history = contact_history(db.session, referral)
    work = can_work_referral(current_user, referral)
    return render_template(
        "referrals/contact.html",
        **header_of(referral),
        now=utcnow(),
        labels=OBLIGATION_LABELS,
        history=history,
        actions=record_actions(
            referral, work=work, conversation_held=history.conversation is not None
        ),
        attempt_words={"telephone": PHONE_OUTCOMES, "home_visit": VISIT_OUTCOMES},
    )


@bp.route("/referrals/<int:referral_id>/timeline")
@staff
def timeline(referral_id: int):
    """Every event of the referral, newest first, 50 a page."""
    referral = referral_or_404(referral_id)
    events = referral_timeline(db.session, referral, page=page_number())
    return render_template("referrals/timeline.html", **header_of(referral), events=events)


@bp.route("/referrals/<int:referral_id>/access")
@leaders
def access(referral_id: int):
    """Who viewed and who changed the referral, newest first (team leaders and admins)."""
    referral = referral_or_404(referral_id)
    try:
        events = referral_access_log(db.session, referral, current_user, page=page_number())
    except NotFound:
        abort(404)
    return render_template("referrals/access.html", **header_of(referral), events=events)


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
        outcome = call_service(
            form,
            lambda: raise_priority(
                db.session,
                referral_id,
                form.reason.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
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
        if not confirm:
            return "Match rejected."
        return "Match confirmed: one person, marked as a repeat victim."

    button_action(act)
    return redirect(url_for("referrals.referral", referral_id=referral_id))
