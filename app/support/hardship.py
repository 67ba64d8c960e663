"""The hardship fund's pages: a case's payments (its Support-tab section, the payment form and
withdrawing a waiting payment), the fund's page for team leaders, admins and analysts (the year's
budget, what is committed and left, its payments), and an admin's settings (each year's budget,
the approval threshold). Each view parses its form, calls one casework.support.hardship service,
flashes and redirects."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.cases.routes import case_or_404, render_case_page, staff
from app.extensions import db
from app.forms import (
    REFUSED,
    add_missing_errors,
    button_action,
    call_service,
    flash_made,
    page_number,
)
from app.periods import BadPeriod, PeriodChoice
from app.support import bp
from app.support.hardship_forms import (
    HardshipBudgetForm,
    HardshipPaymentForm,
    HardshipThresholdForm,
)
from app.support.routes import section
from casework.access import is_admin
from casework.db import utcnow
from casework.errors import NotFound
from casework.support.hardship import (
    case_payments,
    check_payment,
    current_year,
    fund_payments,
    fund_year,
    fund_years,
    payment_refusal,
    payment_status,
    request_payment,
    set_budget,
    set_threshold,
    setting_row,
    status_words,
    valid_year,
    withdraw_payment,
)
from casework.support.models import HARDSHIP_PURPOSES
from triage.hardship import year_words
from triage.onward import pence_to_pounds

fund_roles = role_required("team_leader", "admin", "analyst")
admins = role_required("admin")


@section("support/_hardship.html")
def _hardship_section(case) -> dict:
    return {
        "payments": case_payments(db.session, case.id),
        "fund": fund_year(db.session, current_year(utcnow())),
        "may_request": payment_refusal(current_user, case) is None,
        "purposes": HARDSHIP_PURPOSES,
        "status_of": payment_status,
        "status_words": status_words,
        "pounds": pence_to_pounds,
    }


def _payment_page(case, form, *, status=200):
    return render_case_page(
        "support/hardship_payment.html",
        case,
        form=form,
        fund=fund_year(db.session, current_year(utcnow())),
        pounds=pence_to_pounds,
        admin=is_admin(current_user),
    ), status


@bp.route("/cases/<int:case_id>/support/hardship/new", methods=["GET", "POST"])
@staff
def hardship_payment(case_id: int):
    """Ask for a payment from the hardship fund for the person of the case."""
    case = case_or_404(case_id, "support")
    refusal = payment_refusal(current_user, case)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("support.overview", case_id=case.id))
    form = HardshipPaymentForm()
    if request.method == "GET":
        return _payment_page(case, form)
    if form.validate_on_submit():
        made = call_service(
            form,
            lambda: request_payment(
                db.session,
                case.id,
                amount=form.amount.data,
                purpose=form.purpose.data,
                detail=form.detail.data,
                override_reason=form.override_reason.data if is_admin(current_user) else None,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                submission_token=form.submission_token.data,
            ),
        )
        if made is not REFUSED:
            amount = pence_to_pounds(made.amount_pence)
            flash_made(
                made,
                f"Payment of {amount} waiting for a team leader's approval."
                if made.status == "awaiting_approval"
                else f"Payment of {amount} approved.",
            )
            return redirect(url_for("support.overview", case_id=case.id) + "#hardship")
    if form.errors:
        add_missing_errors(
            form,
            lambda: check_payment(
                form.amount.data, form.purpose.data, form.detail.data, form.override_reason.data
            ),
        )
    return _payment_page(case, form, status=400)


@bp.route("/cases/<int:case_id>/support/hardship/<int:payment_id>/withdraw", methods=["POST"])
@staff
def withdraw_hardship_payment(case_id: int, payment_id: int):
    """The person who asked takes back a payment waiting for approval."""

    def act():
        withdrawn = withdraw_payment(
            db.session,
            case_id,
            payment_id,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )
        return f"Payment of {pence_to_pounds(withdrawn.amount_pence)} withdrawn."

    button_action(act)
    return redirect(url_for("support.overview", case_id=case_id) + "#hardship")


def _chosen_year() -> int:
    """The financial year asked for (``?year=2026`` for April 2026 to March 2027), this one
    when none is; one that is not a year the fund can show is a 400 offering the years, never
    a silent fallback to this year's figures."""
    now = utcnow()
    text = (request.args.get("year") or "").strip()
    if not text or request.method != "GET":
        # A settings form sent back with its own problems keeps to this year rather than
        # answering a bad address with a page whose form cannot be sent.
        return current_year(now)
    year = int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None
    if not valid_year(year):
        raise BadPeriod(
            "Choose a financial year from the list, like April 2026 to March 2027",
            title="Hardship fund",
            choices=[PeriodChoice(str(y), year_words(y)) for y in fund_years(db.session, now)],
            field="year",
            label="Financial year",
        )
    return year


@bp.route("/hardship")
@fund_roles
def fund():
    """The hardship fund for a financial year: budget, committed and left, and its payments
    (a team leader's team's only; totals across the service)."""
    year = _chosen_year()
    now = utcnow()
    try:
        found = fund_payments(
            db.session, current_user, year, page=page_number(), origin=request_origin(), now=now
        )
    except NotFound:
        abort(404)
    return render_template(
        "support/hardship_fund.html",
        fund=fund_year(db.session, year),
        found=found,
        years=fund_years(db.session, now),
        year=year,
        purposes=HARDSHIP_PURPOSES,
        status_of=payment_status,
        status_words=status_words,
        pounds=pence_to_pounds,
        with_references=current_user.role != "analyst",
        admin=is_admin(current_user),
    )


def _settings_page(budget_form=None, threshold_form=None, *, year=None, status=200):
    now = utcnow()
    year = year if valid_year(year) else _chosen_year()
    fund = fund_year(db.session, year)
    if budget_form is None:
        budget_form = HardshipBudgetForm(formdata=None)
        budget_form.budget.data = pence_to_pounds(fund.budget).lstrip("£")
    budget_form.year.data, budget_form.seen.data = str(year), str(fund.budget)
    if threshold_form is None:
        threshold_form = HardshipThresholdForm(formdata=None)
        threshold_form.threshold.data = pence_to_pounds(fund.threshold).lstrip("£")
    row = setting_row(db.session)
    threshold_form.version.data = str(row.version if row is not None else 0)
    return render_template(
        "support/hardship_settings.html",
        fund=fund,
        year=year,
        years=fund_years(db.session, now),
        budget_form=budget_form,
        threshold_form=threshold_form,
        pounds=pence_to_pounds,
    ), status


@bp.route("/hardship/settings")
@admins
def hardship_settings():
    """An admin's settings of the fund: a year's budget and the approval threshold."""
    return _settings_page()


@bp.route("/hardship/settings/budget", methods=["POST"])
@admins
def hardship_budget():
    """An admin sets a financial year's budget."""
    form = HardshipBudgetForm()
    year = form.chosen_year()
    if form.validate_on_submit():
        done = call_service(
            form,
            lambda: set_budget(
                db.session,
                year if year is not None else 0,
                form.budget.data,
                seen_pence=form.seen_pence(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if done is not REFUSED:
            flash(f"Budget saved: {pence_to_pounds(done.amount_pence)}.", "success")
            return redirect(url_for("support.hardship_settings", year=done.year_starting))
    return _settings_page(budget_form=form, year=year, status=400)


@bp.route("/hardship/settings/threshold", methods=["POST"])
@admins
def hardship_threshold():
    """An admin sets above what amount a payment needs a team leader's approval."""
    form = HardshipThresholdForm()
    if form.validate_on_submit():
        done = call_service(
            form,
            lambda: set_threshold(
                db.session,
                form.threshold.data,
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if done is not REFUSED:
            flash(
                f"Payments above {pence_to_pounds(done.approval_threshold_pence)} now need a "
                "team leader's approval.",
                "success",
            )
            return redirect(url_for("support.hardship_settings"))
    return _settings_page(threshold_form=form, status=400)
