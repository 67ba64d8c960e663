"""One case's pages, each its own URL under a shared summary and sub-navigation, and a team
leader opening a case from a referral."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.cases import bp
from app.cases.forms import OpenCaseForm
from app.extensions import db
from app.forms import REFUSED, button_action, call_service, page_number, posted_id
from app.referrals.routes import referral_or_404, tab_links
from casework.access import can_manage_case, can_manage_referral, can_work_case
from casework.cases.models import CASE_STATUSES, OPENED_BY
from casework.cases.opening import open_by_team_leader
from casework.cases.records import case_contact, case_summary, get_case
from casework.cases.timeline import case_access_log, case_timeline
from casework.contact.recording import record_case_appointment_held
from casework.db import utcnow
from casework.errors import NotFound
from casework.obligations.models import OBLIGATION_LABELS
from casework.referrals.decisions import allocation_panel
from casework.referrals.models import CONTACT_METHOD_LABELS
from casework.support.volunteers import volunteer_role_on
from scheduling.service_calendars import victim_calendar
from triage.contact import (
    CONVERSATION_OUTCOMES,
    KEY_DATES,
    PHONE_OUTCOMES,
    VISIT_OUTCOMES,
)

staff = role_required("caseworker", "team_leader", "admin")
# The few case pages a volunteer assigned to the case may see (casework.access.can_view_case).
with_volunteers = role_required("caseworker", "team_leader", "admin", "volunteer")
leaders = role_required("team_leader", "admin")


def case_or_404(case_id: int, page: str):
    """The case, if the signed-in person may see it, its view audited with the page seen; a
    missing case and another team's are the same 404."""
    try:
        return get_case(
            db.session, case_id, current_user, origin=request_origin(), now=utcnow(), page=page
        )
    except NotFound:
        abort(404)


def case_tabs(case) -> list[dict]:
    """The case's sub-navigation: Summary, Contact, Assessment, Support plan, Onward referrals,
    Support, Notes, Timeline, Closure and,
    for the team leaders and admins who manage it, Access. A volunteer has Summary, Support
    and Notes only."""
    items = [
        ("cases.case", "Summary"),
        ("cases.contact", "Contact"),
        ("assessments.assessments", "Assessment"),
        ("plans.plan", "Support plan"),
        ("onward.referrals", "Onward referrals"),
        ("support.overview", "Support"),
        ("notes.case_notes", "Notes"),
        ("cases.timeline", "Timeline"),
        ("closure.closure", "Closure"),
    ]
    if can_manage_case(current_user, case):
        items.append(("cases.access", "Access"))
    if current_user.role == "volunteer":
        open_to_volunteers = {"cases.case", "support.overview", "notes.case_notes"}
        items = [item for item in items if item[0] in open_to_volunteers]
    links = tab_links(items, case_id=case.id)
    # A feature's own pages (an assessment, a plan action, a note) keep its tab current.
    section_of = {"target_hardening": "onward"}
    here = section_of.get(request.blueprint, request.blueprint)
    for link, (endpoint, _text) in zip(links, items, strict=True):
        section = endpoint.split(".")[0]
        if not link["active"] and section != "cases" and here == section:
            link["active"], link["current"] = True, "true"
    return links


def summary_of(case):
    """What the top of every page of the case shows (see casework.cases.records)."""
    today = utcnow().astimezone(victim_calendar(current_app.config).tz).date()
    return case_summary(db.session, case, today=today)


def render_case_page(template: str, case, *, summary=None, **context):
    """A page of the case: the summary at the top, the sub-navigation, then ``template``'s
    own content. Other features' case pages (notes) render through this too."""
    return render_template(
        template,
        case=case,
        summary=summary or summary_of(case),
        tabs=case_tabs(case),
        statuses=CASE_STATUSES,
        opened_by=OPENED_BY,
        methods=CONTACT_METHOD_LABELS,
        labels=OBLIGATION_LABELS,
        now=utcnow(),
        **context,
    )


@bp.route("/cases/<int:case_id>")
@with_volunteers
def case(case_id: int):
    """One case: who, why this priority, safe contact, what is due next, who holds it. A
    volunteer sees who it is about, how to contact them safely and their own part in it."""
    found = case_or_404(case_id, "summary")
    if current_user.role == "volunteer":
        return render_case_page(
            "cases/case_volunteer.html",
            found,
            mine=volunteer_role_on(db.session, found, current_user),
        )
    return render_case_page("cases/case.html", found)


@bp.route("/cases/<int:case_id>/contact")
@staff
def contact(case_id: int):
    """The calls, visits, conversations, texts, emails and letters of the case's referrals,
    and the case's obligations and key dates."""
    found = case_or_404(case_id, "contact")
    return render_case_page(
        "cases/contact.html",
        found,
        contact=case_contact(db.session, found),
        work=can_work_case(current_user, found),
        attempt_words={"telephone": PHONE_OUTCOMES, "home_visit": VISIT_OUTCOMES},
        outcome_words=CONVERSATION_OUTCOMES,
        key_dates=KEY_DATES,
    )


@bp.route("/cases/<int:case_id>/obligations/<int:obligation_id>/held", methods=["POST"])
@staff
def held(case_id: int, obligation_id: int):
    """A booked appointment of the case took place (a re-engagement contact; the needs
    assessment is met by completing it on the Assessment tab)."""

    def act():
        record_case_appointment_held(
            db.session,
            case_id,
            obligation_id,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
            calendar=victim_calendar(current_app.config),
        )
        return "Marked as held."

    button_action(act)
    return redirect(url_for("cases.contact", case_id=case_id))


@bp.route("/cases/<int:case_id>/timeline")
@staff
def timeline(case_id: int):
    """Every event of the case and its referrals, newest first, 50 a page."""
    found = case_or_404(case_id, "timeline")
    summary = summary_of(found)
    events = case_timeline(
        db.session, found, page=page_number(), referral_ids=[r.id for r in summary.referrals]
    )
    return render_case_page("cases/timeline.html", found, summary=summary, events=events)


@bp.route("/cases/<int:case_id>/access")
@leaders
def access(case_id: int):
    """Who viewed and who changed the case, and who was refused (team leaders and admins)."""
    found = case_or_404(case_id, "access")
    summary = summary_of(found)
    try:
        events = case_access_log(
            db.session,
            found,
            current_user,
            page=page_number(),
            referral_ids=[r.id for r in summary.referrals],
        )
    except NotFound:
        abort(404)
    return render_case_page("cases/access.html", found, summary=summary, events=events)


def _render_open_case(referral, form, *, status: int = 200):
    allocation = allocation_panel(db.session, referral, current_user)
    form.caseworker.choices = [("", "Select a caseworker")] + [
        (str(s.caseworker_id), s.name) for s in allocation.suggestions
    ]
    if form.caseworker.data is None and referral.allocated_to_id:
        form.caseworker.data = str(referral.allocated_to_id)
    return render_template(
        "cases/open_case.html", referral=referral, form=form, allocation=allocation
    ), status


@bp.route("/referrals/<int:referral_id>/open-case", methods=["GET", "POST"])
@leaders
def open_case(referral_id: int):
    """A team leader opens a case for the person of a referral, with a caseworker from their
    team and the reason; a refusal is shown with the error summary and nothing changes."""
    form = OpenCaseForm()
    referral = referral_or_404(referral_id, audit_view=not form.is_submitted())
    if not can_manage_referral(current_user, referral):
        abort(404)
    if form.validate_on_submit():
        opened = call_service(
            form,
            lambda: open_by_team_leader(
                db.session,
                referral_id,
                caseworker_id=posted_id("caseworker"),
                reason=form.reason.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if opened is not REFUSED:
            flash(f"Case {opened.reference} opened.", "success")
            return redirect(url_for("cases.case", case_id=opened.id))
    return _render_open_case(referral, form, status=400 if form.is_submitted() else 200)
