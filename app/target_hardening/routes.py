"""Recording the contractor's visit, its outcome and the 12-month follow-up on a case's
target-hardening referral, and the target-hardening report. Each view parses its form, calls one
casework.onward.target_hardening service, flashes and redirects."""

import csv
import io
from datetime import datetime

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.cases.routes import case_or_404, render_case_page, staff
from app.extensions import db
from app.forms import REFUSED, call_service
from app.periods import quarter_asked
from app.plans.forms import loaded_version
from app.target_hardening import bp
from app.target_hardening.forms import (
    HardeningCompletionForm,
    HardeningFollowUpForm,
    HardeningNeedForm,
    HardeningOutcomeForm,
    HardeningRefusalForm,
    HardeningVisitForm,
)
from casework.csv_cells import safe_cell
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.onward.hardening_report import (
    ANNUAL_FUNDING_PENCE,
    hardening_report,
    parse_quarter,
    recent_quarters,
    report_rows,
)
from casework.onward.models import SERVICE_LEVELS, URGENCIES, YES_NO_UNKNOWN
from casework.onward.target_hardening import (
    SATISFACTION,
    hardening_view,
    record_additional_need,
    record_completion,
    record_follow_up,
    record_outcome,
    record_refusal,
    record_visit,
)
from casework.staff.vetting import local_today
from scheduling.service_calendars import victim_calendar
from triage.onward import pence_to_pounds
from triage.safe_answers import parse_time

FORMS = {
    "visit_form": HardeningVisitForm,
    "refusal_form": HardeningRefusalForm,
    "outcome_form": HardeningOutcomeForm,
    "completion_form": HardeningCompletionForm,
    "follow_up_form": HardeningFollowUpForm,
    "need_form": HardeningNeedForm,
}


def _calendar():
    return victim_calendar(current_app.config)


def _page(case_id: int, onward_id: int, status: int = 200, **forms):
    case = case_or_404(case_id, "target hardening")
    try:
        view = hardening_view(
            db.session,
            case,
            onward_id,
            current_user,
            origin=request_origin(),
            now=utcnow(),
            calendar=_calendar(),
        )
    except NotFound:
        abort(404)
    details = view.details
    built = {name: forms.get(name) or cls(formdata=None) for name, cls in FORMS.items()}
    for name, form in built.items():
        if name not in forms:
            _fill(name, form, details, _calendar().tz)
        form.version.data = str(details.version)
    page = render_case_page(
        "target_hardening/visit.html",
        case,
        view=view,
        urgencies=URGENCIES,
        levels=SERVICE_LEVELS,
        answers=YES_NO_UNKNOWN,
        satisfaction=SATISFACTION,
        pounds=pence_to_pounds,
        **built,
    )
    return page, status


def _fill(name: str, form, details, tz) -> None:
    """A form shown afresh carries what is recorded already."""
    if name == "visit_form":
        for prefix, moment in (
            ("visit_agreed_for", details.visit_agreed_for),
            ("attended", details.attended_at),
        ):
            if moment is not None:
                local = moment.astimezone(tz)
                form[f"{prefix}_day"].data = local.date()
                form[f"{prefix}_time"].data = local.strftime("%H:%M")
    elif name == "outcome_form":
        form.service_level.data = str(details.service_level or "") or None
        form.items.data = details.items
        form.cost.data = pence_to_pounds(details.cost_pence).lstrip("£")
        form.fitted_on.data = details.fitted_on
        form.satisfaction.data = str(details.satisfaction or "") or None
    elif name == "completion_form":
        form.completed_on.data = details.completed_on
    elif name == "follow_up_form":
        form.feels_safer.data = details.follow_up_feels_safer
        form.is_safer.data = details.follow_up_is_safer
    elif name == "need_form":
        form.additional_need.data = details.additional_need


@bp.route("/cases/<int:case_id>/onward/<int:onward_id>/target-hardening")
@staff
def visit(case_id: int, onward_id: int):
    """A target-hardening referral: what was sent, its D7 visit, and what the contractor
    reported back, with the forms to record more."""
    return _page(case_id, onward_id)


def _post(case_id: int, onward_id: int, name: str, form, save, done: str):
    """Validate ``form``, call ``save`` (the service, given the form); back to the page with
    ``done`` flashed, or the page again with the problems."""
    if form.validate_on_submit():
        outcome = call_service(form, lambda: save(form))
        if outcome is not REFUSED:
            flash(done, "success")
            return redirect(url_for("target_hardening.visit", case_id=case_id, onward_id=onward_id))
    return _page(case_id, onward_id, 400, **{name: form})


def _common(case_id, onward_id, form) -> dict:
    return {
        "case_id": case_id,
        "referral_id": onward_id,
        "expected_version": loaded_version(form.version),
        "actor": current_user,
        "origin": request_origin(),
        "now": utcnow(),
        "calendar": _calendar(),
    }


def _moment(form, prefix: str) -> datetime | None:
    """The date and time typed under ``prefix`` as a UK moment; None when both are blank; a
    ValidationError on the time field when the time is missing or not a time."""
    day, typed = form[f"{prefix}_day"].data, (form[f"{prefix}_time"].data or "").strip()
    if day is None and not typed:
        return None
    at = parse_time(typed)
    if day is None:
        raise ValidationError({f"{prefix}_day": "Enter the date as well as the time"})
    if at is None:
        raise ValidationError({f"{prefix}_time": "Enter a time like 14:30"})
    return datetime.combine(day, at, tzinfo=_calendar().tz)


def _number(value) -> int | None:
    text = (value or "").strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


@bp.route("/cases/<int:case_id>/onward/<int:onward_id>/target-hardening/visit", methods=["POST"])
@staff
def record_the_visit(case_id: int, onward_id: int):
    """The visit agreed and when the contractor attended."""

    def save(form):
        return record_visit(
            db.session,
            visit_agreed_for=_moment(form, "visit_agreed_for"),
            attended_at=_moment(form, "attended"),
            **_common(case_id, onward_id, form),
        )

    return _post(case_id, onward_id, "visit_form", HardeningVisitForm(), save, "Visit saved.")


@bp.route("/cases/<int:case_id>/onward/<int:onward_id>/target-hardening/refused", methods=["POST"])
@staff
def record_the_refusal(case_id: int, onward_id: int):
    """The person refused the service."""

    def save(form):
        return record_refusal(
            db.session, reason=form.refused_reason.data, **_common(case_id, onward_id, form)
        )

    return _post(
        case_id, onward_id, "refusal_form", HardeningRefusalForm(), save, "Refusal recorded."
    )


@bp.route("/cases/<int:case_id>/onward/<int:onward_id>/target-hardening/outcome", methods=["POST"])
@staff
def record_the_outcome(case_id: int, onward_id: int):
    """The service level, items, cost, date fitted and satisfaction."""

    def save(form):
        return record_outcome(
            db.session,
            service_level=_number(form.service_level.data),
            items=form.items.data,
            cost=form.cost.data,
            fitted_on=form.fitted_on.data,
            satisfaction=_number(form.satisfaction.data),
            **_common(case_id, onward_id, form),
        )

    return _post(case_id, onward_id, "outcome_form", HardeningOutcomeForm(), save, "Outcome saved.")


@bp.route(
    "/cases/<int:case_id>/onward/<int:onward_id>/target-hardening/completed", methods=["POST"]
)
@staff
def record_the_completion(case_id: int, onward_id: int):
    """The day the works were completed."""

    def save(form):
        return record_completion(
            db.session, completed_on=form.completed_on.data, **_common(case_id, onward_id, form)
        )

    return _post(
        case_id,
        onward_id,
        "completion_form",
        HardeningCompletionForm(),
        save,
        "Completion recorded. The 12-month follow-up is now due.",
    )


@bp.route(
    "/cases/<int:case_id>/onward/<int:onward_id>/target-hardening/follow-up", methods=["POST"]
)
@staff
def record_the_follow_up(case_id: int, onward_id: int):
    """The 12-month answers."""

    def save(form):
        return record_follow_up(
            db.session,
            feels_safer=form.feels_safer.data,
            is_safer=form.is_safer.data,
            **_common(case_id, onward_id, form),
        )

    return _post(
        case_id,
        onward_id,
        "follow_up_form",
        HardeningFollowUpForm(),
        save,
        "12-month follow-up recorded.",
    )


@bp.route(
    "/cases/<int:case_id>/onward/<int:onward_id>/target-hardening/additional-need",
    methods=["POST"],
)
@staff
def record_the_need(case_id: int, onward_id: int):
    """An additional need fed back with the person's consent."""

    def save(form):
        return record_additional_need(
            db.session,
            need=form.additional_need.data,
            consent=form.additional_need_consent.data is True,
            **_common(case_id, onward_id, form),
        )

    return _post(
        case_id, onward_id, "need_form", HardeningNeedForm(), save, "Additional need recorded."
    )


# --- the report ------------------------------------------------------------------------------

reporting = role_required("analyst", "team_leader", "admin")


def _report():
    today = local_today(utcnow())
    quarter = quarter_asked(
        parse_quarter, recent_quarters, title="Target hardening report", today=today, begun=True
    )
    return hardening_report(db.session, quarter, _calendar()), today


@bp.route("/reports/target-hardening")
@reporting
def report():
    """The target-hardening report for a quarter (Lot 2 section 4), across every team."""
    found, today = _report()
    return render_template(
        "target_hardening/report.html",
        report=found,
        quarters=_chooser(found.quarter, today),
        levels=SERVICE_LEVELS,
        pounds=pence_to_pounds,
        funding=ANNUAL_FUNDING_PENCE,
        charts=_charts(found),
    )


def _chooser(shown, today) -> list:
    """The quarters offered: the last eight, and the one shown when it is older."""
    quarters = recent_quarters(today)
    return quarters if shown in quarters else [*quarters, shown]


def _charts(found) -> list[dict]:
    """Bars drawn on the server (the page runs no script): each chart's title, and each bar's
    label, value and width out of 100."""

    def bars(pairs):
        top = max((v for _, v in pairs), default=0)
        return [
            {"label": label, "value": value, "width": round(100 * value / top) if top else 0}
            for label, value in pairs
        ]

    return [
        {"id": "by-team", "title": "Referrals by team", "bars": bars(found.by_team)},
        {
            "id": "by-level",
            "title": "Completed at each service level",
            "bars": bars([(f"Level {k}", v) for k, v in found.completed_by_level.items()]),
        },
    ]


@bp.route("/reports/target-hardening.csv")
@reporting
def report_csv():
    """The same figures as a CSV file."""
    found, _ = _report()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Section", "Measure", "Value"])
    for row in report_rows(found):
        writer.writerow([safe_cell(cell) for cell in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; "
            f'filename="target-hardening-{found.quarter.code}.csv"'
        },
    )
