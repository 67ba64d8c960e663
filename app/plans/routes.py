"""A case's support plan: the tab, making the plan from the assessment, adding and changing
actions and goals, reviews, and the plan for reducing support. Each view parses its form, calls
one casework.plans service, flashes and redirects."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.session import request_origin
from app.cases.routes import case_or_404, render_case_page, staff
from app.extensions import db
from app.forms import REFUSED, apply_errors, call_service, flash_made, posted_int
from app.plans import bp
from app.plans.forms import (
    ActionForm,
    GoalsForm,
    NewActionForm,
    ResilienceForm,
    creation_form,
    loaded_version,
    review_form,
)
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.plans.access import local_day, plan_of
from casework.plans.actions import (
    ActionConflict,
    ActionDetails,
    action_for_editing,
    add_action,
    colleagues,
    edit_action,
    partner_agencies,
)
from casework.plans.models import ACTION_OWNERS, ACTION_STATUSES, OPEN_ACTION_STATUSES
from casework.plans.overview import plan_page, plan_summary
from casework.plans.plan import case_for_form, create_plan, edit_goals, for_creating
from casework.plans.resilience import record_resilience_plan
from casework.plans.reviews import ReviewDetails, record_review
from casework.support.volunteers import current_volunteers
from scheduling.service_calendars import victim_calendar
from triage.needs import AREAS


def _context() -> dict:
    return {"origin": request_origin(), "now": utcnow()}


def _calendar():
    return victim_calendar(current_app.config)


def _today():
    return local_day(utcnow())


def _to_plan(case_id: int, message: str | None = None, category: str = "info"):
    if message:
        flash(message, category)
    return redirect(url_for("plans.plan", case_id=case_id))


@bp.app_template_global()
def support_plan_summary(case):
    """The case summary's support plan panel: overdue actions, next review, resilience."""
    return plan_summary(db.session, case, today=_today())


def _words():
    return {"action_owners": ACTION_OWNERS, "action_statuses": ACTION_STATUSES, "areas": AREAS}


@bp.route("/cases/<int:case_id>/plan")
@staff
def plan(case_id: int):
    """The case's support plan, its reviews and its plan for reducing support."""
    case = case_or_404(case_id, "plan")
    page = plan_page(db.session, case, current_user, today=_today())
    return render_case_page("plans/plan.html", case, page=page, today=_today(), **_words())


def _refused_before_form(case_id: int, load):
    """Run ``load`` (a service that checks the form may be opened): a 404, or back to the plan
    with the refusal, or None to go on."""
    try:
        return None, load()
    except NotFound:
        abort(404)
    except ValidationError as exc:
        db.session.rollback()
        return _to_plan(case_id, next(iter(exc.errors.values())), "error"), None


@bp.route("/cases/<int:case_id>/plan/new", methods=["GET", "POST"])
@staff
def create(case_id: int):
    """Make the plan from the latest complete assessment (a CreatePlanForm): the goals, and each
    priority area's proposed action kept as it is, edited or dropped."""
    back, start = _refused_before_form(
        case_id,
        lambda: for_creating(
            db.session,
            case_id,
            current_user,
            audit_view=request.method == "GET",
            **_context(),
        ),
    )
    if back:
        return back
    form = creation_form(start.proposals)
    valid = form.validate_on_submit()
    if valid and form.assessment.data != str(start.assessment.id):
        form.form_errors.append(
            "A newer needs assessment was completed after you opened this page, so the "
            "proposed actions have changed. Check them, then create the plan again."
        )
        valid = False
    if valid:
        actions = []
        for n, proposal in enumerate(start.proposals):
            if not form[f"a{n}_keep"].data:
                actions.append((proposal.area, None))
                continue
            details = ActionDetails(
                description=form[f"a{n}_description"].data,
                due_on=form[f"a{n}_due_on"].data,
            )
            actions.append((proposal.area, details))
        outcome = call_service(
            form,
            lambda: create_plan(
                db.session,
                case_id,
                goals=form.goals.data,
                actions=actions,
                actor=current_user,
                calendar=_calendar(),
                **_context(),
            ),
        )
        if outcome is not REFUSED:
            return _to_plan(case_id, "Support plan created.", "success")
    elif not form.is_submitted():
        for n, proposal in enumerate(start.proposals):
            form[f"a{n}_keep"].data = True
            form[f"a{n}_description"].data = proposal.description
    form.assessment.data = str(start.assessment.id)
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "plans/create.html",
        case=start.case,
        form=form,
        proposals=list(enumerate(start.proposals)),
        assessment=start.assessment,
    ), status


def _owner_choices(form: ActionForm, case) -> None:
    form.colleague.choices = [("", "Select a colleague")] + [
        (str(s.id), s.name) for s in colleagues(db.session, case)
    ]
    form.partner.choices = [("", "Select a partner agency")] + [
        (str(p.id), p.name) for p in partner_agencies(db.session)
    ]


def _action_details(form: ActionForm) -> ActionDetails:
    return ActionDetails(
        description=form.description.data,
        owner_kind=form.owner_kind.data,
        colleague_id=posted_int(form.colleague.data),
        partner_id=posted_int(form.partner.data),
        due_on=form.due_on.data,
        status=form.status.data,
        status_reason=form.status_reason.data,
    )


@bp.route("/cases/<int:case_id>/plan/actions/new", methods=["GET", "POST"])
@staff
def new_action(case_id: int):
    """Add an action to the plan (an ActionForm)."""
    form = NewActionForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: add_action(
                db.session,
                case_id,
                _action_details(form),
                actor=current_user,
                submission_token=form.submission_token.data,
                **_context(),
            ),
        )
        if outcome is not REFUSED:
            flash_made(outcome, "Action added.")
            return _to_plan(case_id)
    elif not form.is_submitted():
        back, _ = _refused_before_form(case_id, lambda: _form_case(case_id, "action"))
        if back:
            return back
        form.owner_kind.data, form.status.data = "caseworker", "to_do"
    case = case_or_404(case_id, "plan")
    _owner_choices(form, case)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("plans/action.html", case=case, form=form, action=None), status


def _form_case(case_id: int, form: str, needs_plan: bool = True):
    return case_for_form(
        db.session, case_id, current_user, form=form, needs_plan=needs_plan, **_context()
    )


@bp.route("/cases/<int:case_id>/plan/actions/<int:action_id>/edit", methods=["GET", "POST"])
@staff
def edit(case_id: int, action_id: int):
    """Change an action (an ActionForm): a save over a change made since the page was opened is
    refused, with the action as it now is."""
    form = ActionForm()
    conflict = None
    if form.validate_on_submit():
        try:
            changed = edit_action(
                db.session,
                case_id,
                action_id,
                _action_details(form),
                expected_version=loaded_version(form.version),
                actor=current_user,
                **_context(),
            )
        except NotFound:
            abort(404)
        except ActionConflict as exc:
            db.session.rollback()
            conflict = exc.action
            apply_errors(form, exc)
            form.version.data = str(exc.action.version)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            return _to_plan(
                case_id, "Action updated." if changed else "Nothing was changed.", "success"
            )
    back, action = _refused_before_form(
        case_id,
        lambda: action_for_editing(db.session, case_id, action_id, current_user, **_context()),
    )
    if back:
        return back
    if not form.is_submitted():
        form = ActionForm(
            data={
                "description": action.description,
                "owner_kind": action.owner_kind,
                "colleague": str(action.owner_staff_id or ""),
                "partner": str(action.owner_partner_id or ""),
                "due_on": action.due_on,
                "status": action.status,
                "status_reason": action.status_reason,
                "version": str(action.version),
            }
        )
    _owner_choices(form, action.plan.case)
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "plans/action.html",
        case=action.plan.case,
        form=form,
        action=action,
        conflict=conflict,
        **_words(),
    ), status


@bp.route("/cases/<int:case_id>/plan/goals", methods=["GET", "POST"])
@staff
def goals(case_id: int):
    """Change the person's goals (a GoalsForm); a change since the page opened is refused."""
    form = GoalsForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: edit_goals(
                db.session,
                case_id,
                form.goals.data,
                expected_version=loaded_version(form.version),
                actor=current_user,
                **_context(),
            ),
        )
        if outcome is not REFUSED:
            return _to_plan(
                case_id, "Goals updated." if outcome else "Nothing was changed.", "success"
            )
    back, case = _refused_before_form(case_id, lambda: _form_case(case_id, "goals"))
    if back:
        return back
    found = plan_of(db.session, case.id)
    if not form.is_submitted():
        form.goals.data, form.version.data = found.goals, str(found.version)
    elif form.form_errors:
        form.version.data = str(found.version)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("plans/goals.html", case=case, form=form, plan=found), status


@bp.route("/cases/<int:case_id>/plan/review", methods=["GET", "POST"])
@staff
def review(case_id: int):
    """Record a review of the plan (a ReviewForm with each open action's status and progress)."""
    back, case = _refused_before_form(case_id, lambda: _form_case(case_id, "review"))
    if back:
        return back
    found = plan_of(db.session, case.id)
    open_actions = [a for a in found.actions if a.status in OPEN_ACTION_STATUSES]
    form = review_form(open_actions)
    if form.validate_on_submit():
        details = ReviewDetails(
            held_on=form.held_on.data,
            notes=form.notes.data,
            new_need=form.new_need.data,
            prompts_reassessment={"yes": True, "no": False}.get(form.prompts_reassessment.data),
            progress={
                a.id: (form[f"progress_{a.id}"].data, form[f"status_{a.id}"].data)
                for a in open_actions
            },
        )
        outcome = call_service(
            form,
            lambda: record_review(
                db.session,
                case_id,
                details,
                expected_version=loaded_version(form.version),
                actor=current_user,
                calendar=_calendar(),
                **_context(),
            ),
        )
        if outcome is not REFUSED:
            return _to_plan(case_id, "Review recorded.", "success")
        found = plan_of(db.session, case_id)
        form.version.data = str(found.version) if form.form_errors else form.version.data
    elif not form.is_submitted():
        form.version.data = str(found.version)
        for a in open_actions:
            form[f"status_{a.id}"].data = a.status
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "plans/review.html",
        case=found.case,
        form=form,
        actions=open_actions,
        **_words(),
    ), status


@bp.route("/cases/<int:case_id>/plan/resilience", methods=["GET", "POST"])
@staff
def resilience(case_id: int):
    """Record the plan for reducing support (a ResilienceForm)."""
    form = ResilienceForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: record_resilience_plan(
                db.session,
                case_id,
                plan=form.plan.data,
                volunteer=form.volunteer.data,
                volunteer_id=_chosen_volunteer(form),
                actor=current_user,
                **_context(),
            ),
        )
        if outcome is not REFUSED:
            return _to_plan(case_id, "Plan for reducing support recorded.", "success")
    back, case = _refused_before_form(
        case_id, lambda: _form_case(case_id, "resilience", needs_plan=False)
    )
    if back:
        return back
    form.volunteer_id.choices = [("", "No volunteer")] + [
        (str(link.volunteer_id), link.volunteer.name)
        for link in current_volunteers(db.session, case)
    ]
    status = 400 if form.errors or form.form_errors else 200
    return render_template("plans/resilience.html", case=case, form=form), status


def _chosen_volunteer(form: ResilienceForm) -> int | None:
    """The volunteer the plan names: None for no one; a value that is no id, refused as one
    not on the case (0)."""
    raw = form.volunteer_id.data
    if raw in (None, ""):
        return None
    return posted_int(raw) or 0
