"""The HSB line's monthly monitoring for the funder: the page with its charts, the CSV, and
the anonymised export; and the line's settings (the charge per contact those figures use, and
how long a professional's details are kept)."""

from __future__ import annotations

import csv
import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.advice_line import bp
from app.advice_line.access import lead_required, report_required
from app.advice_line.reports_forms import LineSettingsForm
from app.auth.session import request_origin
from app.extensions import db
from app.forms import REFUSED, call_service
from casework import access
from casework.csv_cells import safe_cell
from casework.db import utcnow
from casework.hsb.models import CHANNELS
from casework.hsb.monthly import (
    LONDON,
    WEEKDAYS,
    Month,
    anonymised_export,
    csv_rows,
    last_full_month,
    monthly_report,
    parse_month,
    recent_months,
)
from casework.hsb.retention import current_settings, update_line_settings
from triage.onward import pence_to_pounds

# The line's hours, shown in the heatmap whatever the data (08:00-20:00, Monday to Friday).
LINE_HOURS = range(8, 20)
LINE_DAYS = range(5)


@bp.app_context_processor
def hsb_report_link():
    """Whether the signed-in person may see the monthly monitoring (the Reports page's link)."""
    return {"may_view_hsb_report": lambda: access.can_view_hsb_report(current_user)}


def _month():
    """The month asked for (default: the last full month) and the problem with it, if any."""
    text = request.args.get("month")
    if not text:
        return last_full_month(utcnow()), None
    try:
        month = parse_month(text[:20])
    except ValueError as exc:
        return None, str(exc)
    local = utcnow().astimezone(LONDON)
    if month > Month(local.year, local.month):
        return None, f"{month.label} has not begun: choose this month or an earlier one"
    return month, None


def _bars(pairs, top=None):
    most = top if top is not None else max((v for _, v in pairs), default=0)
    return [
        {"label": label, "value": value, "width": round(100 * value / most) if most else 0}
        for label, value in pairs
    ]


def _heatmap(cells: list[list[int]]) -> dict:
    """The unanswered calls' grid: the line's days and hours, and any others with calls."""
    counts = {(day, hour): n for day, hour, n in cells}
    days = sorted(set(LINE_DAYS) | {d for d, _ in counts})
    hours = sorted(set(LINE_HOURS) | {h for _, h in counts})
    most = max(counts.values(), default=0)
    rows = []
    for day in days:
        row = []
        for hour in hours:
            n = counts.get((day, hour), 0)
            row.append({"n": n, "shade": round(n / most, 2) if most else 0})
        rows.append({"label": WEEKDAYS[day], "cells": row})
    return {"hours": hours, "rows": rows, "most": most, "cells": cells}


def _charts(report) -> dict:
    figures = report.figures
    confidence = figures["confidence"]
    return {
        "channels": _bars([(label, figures["contacts"][key]) for key, label in CHANNELS.items()]),
        "heatmap": _heatmap(figures["calls"]["not_answered_by_weekday_hour"]),
        "confidence": _bars(
            [
                ("Before the advice", confidence["before_mean"] or 0),
                ("After the advice", confidence["after_mean"] or 0),
            ],
            top=5,
        ),
        "themes": [
            {
                "id": theme.key,
                "title": theme.title,
                "rows": theme.rows,
                "most": max((max(a, b) for _, a, b in theme.rows), default=0),
            }
            for theme in report.themes
        ],
    }


@bp.route("/reports/hsb-monthly")
@report_required
def monthly():
    """The month's monitoring figures with charts and tables (anonymised)."""
    now = utcnow()
    month, problem = _month()
    months = recent_months(now)
    if problem:
        return render_template(
            "advice_line/monthly.html", report=None, problem=problem, months=months
        ), 400
    report = monthly_report(db.session, month, actor=current_user, origin=request_origin(), now=now)
    return render_template(
        "advice_line/monthly.html",
        report=report,
        problem=None,
        months=months if month in months else [*months, month],
        charts=_charts(report),
        figures=report.figures,
        pounds=pence_to_pounds,
        weekdays=WEEKDAYS,
    )


def _bad_month(problem: str) -> Response:
    return Response(problem + "\n", status=400, mimetype="text/plain")


@bp.route("/reports/hsb-monthly.csv")
@report_required
def monthly_csv():
    """The month's figures, heatmap, themes and resources as a CSV file."""
    month, problem = _month()
    if problem:
        return _bad_month(problem)
    report = monthly_report(
        db.session, month, actor=current_user, origin=request_origin(), now=utcnow(), what="csv"
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Section", "Measure", "Value"])
    for row in csv_rows(report):
        writer.writerow([safe_cell(cell) for cell in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="hsb-monthly-{month.code}.csv"'},
    )


@bp.route("/reports/hsb-monthly/export.db")
@report_required
def monthly_export():
    """The month's contacts without anyone's details, as an SQLite file (audited)."""
    month, problem = _month()
    if problem:
        return _bad_month(problem)
    data = anonymised_export(
        db.session, month, actor=current_user, origin=request_origin(), now=utcnow()
    )
    return Response(
        data,
        mimetype="application/vnd.sqlite3",
        headers={"Content-Disposition": f'attachment; filename="hsb-monthly-{month.code}.db"'},
    )


# --- the line's settings ----------------------------------------------------------------------


@bp.route("/advice-line/settings", methods=["GET", "POST"])
@lead_required
def settings():
    """The charge per contact (the monthly figures' charge) and the retention years."""
    form = LineSettingsForm()
    if form.validate_on_submit():
        years = (form.retention_years.data or "").strip()
        outcome = call_service(
            form,
            lambda: update_line_settings(
                db.session,
                charge=form.charge.data,
                retention_years=int(years) if years.isascii() and years.isdigit() else None,
                expected=form.loaded.data or None,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash("Settings saved.", "success")
            return redirect(url_for("advice_line.settings"))
    found = current_settings(db.session)
    if not form.is_submitted():
        form.charge.data = pence_to_pounds(found.charge_per_contact_pence).lstrip("£")
        form.retention_years.data = str(found.retention_years)
    if not form.errors or form.form_errors or not form.loaded.data:
        form.loaded.data = found.updated_at.isoformat()
    return render_template(
        "advice_line/settings.html", form=form, settings=found, pounds=pence_to_pounds
    ), (400 if form.errors else 200)
