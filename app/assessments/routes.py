"""A case's needs assessments: the Assessment tab (the list, the next reassessment, distance
travelled), one assessment, and the form that starts, saves and completes one. Each view parses
its form, calls one casework.assessments service, flashes and redirects."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.assessments import bp
from app.assessments.chart import bar_chart
from app.assessments.forms import AssessmentForm
from app.auth.session import request_origin
from app.cases.routes import render_case_page, staff
from app.extensions import db
from app.forms import REFUSED, apply_errors, call_service
from casework.access import can_work_case
from casework.assessments.details import (
    ASSESSMENT_MODES,
    area_labels,
    offered_young_person,
    team_workers,
)
from casework.assessments.pages import (
    assessment_panel,
    case_assessments,
    draft_for_editing,
    view_assessment,
)
from casework.assessments.queries import latest_complete
from casework.assessments.recording import (
    EditConflict,
    case_for_new_assessment,
    save_assessment,
    start_assessment,
)
from casework.cases.loading import viewable_case
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from scheduling.service_calendars import victim_calendar
from triage.needs import AREAS, PRESENT, SCALE, SCALE_SHORT


def _calendar():
    return victim_calendar(current_app.config)


def _context() -> dict:
    return {"origin": request_origin(), "now": utcnow()}


def _to_list(case_id: int, message: str | None = None, category: str = "info"):
    if message:
        flash(message, category)
    return redirect(url_for("assessments.assessments", case_id=case_id))


@bp.app_template_global()
def assessment_summary(case):
    """The case summary's Assessment panel: latest assessment and next reassessment due."""
    return assessment_panel(db.session, case.id)


def _words(assessment) -> dict:
    return {
        "area_words": area_labels(assessment.young_person),
        "scale": SCALE,
        "scale_short": SCALE_SHORT,
        "modes": ASSESSMENT_MODES,
        "present_words": PRESENT,
    }


@bp.route("/cases/<int:case_id>/assessment")
@staff
def assessments(case_id: int):
    """The case's needs assessments, when the next reassessment is due, and distance
    travelled from the first to the latest."""
    try:
        found = case_assessments(db.session, case_id, current_user, **_context())
    except NotFound:
        abort(404)
    charts = None
    if found.distance:
        charts = {
            "areas": bar_chart(found.distance.areas),
            "domains": bar_chart(found.distance.domains),
        }
    return render_case_page(
        "assessments/list.html",
        found.case,
        found=found,
        charts=charts,
        modes=ASSESSMENT_MODES,
        scale_short=SCALE_SHORT,
    )


@bp.route("/cases/<int:case_id>/assessment/<int:assessment_id>")
@staff
def assessment(case_id: int, assessment_id: int):
    """One assessment: every area's score with its words, own words, notes and priority."""
    try:
        found = view_assessment(db.session, case_id, assessment_id, current_user, **_context())
    except NotFound:
        abort(404)
    return render_case_page(
        "assessments/view.html",
        found.case,
        assessment=found,
        may_work=can_work_case(current_user, found.case),
        **_words(found),
    )


def _form_page(form, case, *, young_person: bool, assessment=None, conflict=None, status=200):
    form.worker.choices = [("", "Choose who held it")] + [
        (str(w.id), w.name) for w in team_workers(db.session, case)
    ]
    return render_template(
        "assessments/form.html",
        form=form,
        case=case,
        assessment=assessment,
        young_person=young_person,
        labels=area_labels(young_person),
        areas=list(AREAS),
        conflict=conflict,
        scale=SCALE,
        modes=ASSESSMENT_MODES,
        present_words=PRESENT,
        reassessment=latest_complete(db.session, case.id) is not None,
    ), status


def _chosen_version(case) -> bool:
    """The version asked for (``?version=adult`` or ``young_person``, or the form's hidden
    field), else the one offered by age."""
    asked = request.form.get("young_person") or request.args.get("version")
    if asked in ("young_person", "adult"):
        return asked == "young_person"
    return offered_young_person(case, _calendar().local_date(utcnow()))


def _saved(case_id: int, assessment, completing: bool):
    if completing:
        flash("Needs assessment completed.", "success")
        return redirect(
            url_for("assessments.assessment", case_id=case_id, assessment_id=assessment.id)
        )
    return _to_list(case_id, "Draft saved.", "success")


@bp.route("/cases/<int:case_id>/assessment/new", methods=["GET", "POST"])
@staff
def new(case_id: int):
    """Start a needs assessment: the children and young people's version for someone under 18
    on the day (the worker may switch version before saving)."""
    form = AssessmentForm()
    try:
        case = viewable_case(db.session, case_id, current_user, **_context())
    except NotFound:
        abort(404)
    young_person = _chosen_version(case)
    if form.validate_on_submit():
        saved = call_service(
            form,
            lambda: start_assessment(
                db.session,
                case_id,
                form.details(),
                young_person=young_person,
                complete=form.completing(),
                actor=current_user,
                calendar=_calendar(),
                **_context(),
            ),
        )
        if saved is not REFUSED:
            return _saved(case_id, saved, form.completing())
        case = viewable_case(db.session, case_id, current_user, **_context())
    elif not form.is_submitted():
        try:
            case_for_new_assessment(db.session, case_id, current_user, **_context())
        except NotFound:
            abort(404)
        except ValidationError as exc:
            return _to_list(case_id, next(iter(exc.errors.values())))
        if any(w.id == current_user.id for w in team_workers(db.session, case)):
            form.worker.data = str(current_user.id)
    status = 400 if form.errors or form.form_errors else 200
    return _form_page(form, case, young_person=young_person, status=status)


@bp.route("/cases/<int:case_id>/assessment/<int:assessment_id>/edit", methods=["GET", "POST"])
@staff
def edit(case_id: int, assessment_id: int):
    """Continue a draft: save it again or complete it. A save over a change made since the
    page was opened is refused, with the assessment as it now is."""
    form = AssessmentForm()
    conflict = None
    if form.validate_on_submit():
        try:
            saved = save_assessment(
                db.session,
                case_id,
                assessment_id,
                form.details(),
                complete=form.completing(),
                expected_version=form.loaded_version(),
                actor=current_user,
                calendar=_calendar(),
                **_context(),
            )
        except NotFound:
            abort(404)
        except EditConflict as exc:
            db.session.rollback()
            conflict = exc
            apply_errors(form, exc)
            form.version.data = str(exc.assessment.version)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            return _saved(case_id, saved, form.completing())
    elif not form.is_submitted():
        try:
            draft = draft_for_editing(
                db.session, case_id, assessment_id, current_user, **_context()
            )
        except NotFound:
            abort(404)
        except ValidationError as exc:
            return _to_list(case_id, next(iter(exc.errors.values())))
        form.fill(draft)
        return _form_page(form, draft.case, young_person=draft.young_person, assessment=draft)
    try:
        found = view_assessment(db.session, case_id, assessment_id, current_user, **_context())
    except NotFound:
        abort(404)
    return _form_page(
        form,
        found.case,
        young_person=found.young_person,
        assessment=found,
        conflict=conflict,
        status=409 if conflict else 400,
    )
