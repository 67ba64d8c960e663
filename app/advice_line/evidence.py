"""Evidence of local practice (issue 16): recording it from a contact's page or on its own,
the list filtered by kind, theme, region and dates, and the same as a CSV file (no
professional's details, cells a spreadsheet would run as formulas made safe)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.advice_line import bp
from app.advice_line.access import advice_line_required
from app.advice_line.contact_page import contact_or_404, render_contact_page, section
from app.advice_line.evidence_forms import EvidenceForm
from app.auth.session import request_origin
from app.extensions import db
from app.forms import REFUSED, call_service, flash_made, page_number
from casework.csv_cells import safe_cell
from casework.db import utcnow
from casework.errors import ValidationError
from casework.hsb import evidence as practice
from casework.hsb import models as words

DATE_FORMATS = ("%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y")


@section("advice_line/_evidence.html")
def evidence_section(contact) -> dict:
    """Evidence of local practice recorded from this contact."""
    return {"entries": practice.evidence_of(db.session, contact)}


def _record(form, contact_id: int | None):
    return call_service(
        form,
        lambda: practice.record_evidence(
            db.session,
            contact_id=contact_id,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
            submission_token=form.submission_token.data,
            **form.fields_for_service(),
        ),
    )


@bp.route("/advice-line/contacts/<int:contact_id>/evidence/new", methods=["GET", "POST"])
@advice_line_required
def new_contact_evidence(contact_id: int):
    """Record evidence of local practice from this contact; the area and setting start as the
    contact's."""
    form = EvidenceForm()
    if form.validate_on_submit() and (made := _record(form, contact_id)) is not REFUSED:
        flash_made(made, "Evidence of local practice recorded.")
        return redirect(url_for("advice_line.contact", contact_id=contact_id) + "#evidence")
    found = contact_or_404(contact_id, "record evidence")
    if request.method == "GET":
        form.region.data = found.region or ""
        form.local_authority.data = found.local_authority or ""
        form.setting_type.data = found.setting_type or ""
    status = 400 if form.errors or form.form_errors else 200
    return render_contact_page("advice_line/evidence_form.html", found, form=form), status


@bp.route("/advice-line/evidence/new", methods=["GET", "POST"])
@advice_line_required
def new_evidence():
    """Record evidence of local practice on its own (from a meeting, an event, research)."""
    form = EvidenceForm()
    if form.validate_on_submit() and (made := _record(form, None)) is not REFUSED:
        flash_made(made, "Evidence of local practice recorded.")
        return redirect(url_for("advice_line.evidence_list"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("advice_line/evidence_new.html", form=form, words=words), status


def parse_day(text: str | None) -> date | None:
    """A date typed as 1/9/2026, 1 9 2026 or 2026-09-01; ValueError when it is not one."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > 20:
        raise ValueError(text)
    for fmt in DATE_FORMATS:
        try:
            found = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1900 <= found.year <= 2100:
            return found
    raise ValueError(text)


def _filters() -> tuple[practice.EvidenceFilters, dict[str, str]]:
    """The filters asked for, and a message for each date that is not one."""
    errors: dict[str, str] = {}
    asked = {}
    for name, label in (("from", "start"), ("to", "end")):
        try:
            asked[name] = parse_day(request.args.get(name))
        except ValueError:
            asked[name] = None
            errors[name] = f"Enter the {label} date as a real date, like 1/9/2026"

    def choice(name, allowed):
        value = request.args.get(name)
        return value if value in allowed else None

    filters = practice.EvidenceFilters(
        kind=choice("kind", words.EVIDENCE_KINDS),
        theme=choice("theme", words.EVIDENCE_THEMES),
        region=choice("region", words.REGIONS),
        recorded_from=asked["from"],
        recorded_to=asked["to"],
    )
    if not errors:
        try:
            practice.check_dates(filters.recorded_from, filters.recorded_to)
        except ValidationError as exc:
            errors.update(exc.errors)
    return filters, errors


@bp.route("/advice-line/evidence")
@advice_line_required
def evidence_list():
    """The evidence of local practice, newest first, filtered."""
    filters, errors = _filters()
    found = None
    if not errors:
        found = practice.list_evidence(
            db.session,
            current_user,
            filters,
            page=page_number(),
            origin=request_origin(),
            now=utcnow(),
        )
    return render_template(
        "advice_line/evidence_list.html",
        found=found,
        filters=filters,
        errors=errors,
        typed={k: (request.args.get(k) or "")[:20] for k in ("from", "to")},
        words=words,
    ), (400 if errors else 200)


CSV_HEADER = [
    "Recorded on",
    "Kind",
    "Themes",
    "Region",
    "Local authority",
    "Setting",
    "Summary",
    "Advice contact",
]


@bp.route("/advice-line/evidence.csv")
@advice_line_required
def evidence_csv():
    """The filtered list as a CSV file: no professional's name, email or phone."""
    filters, errors = _filters()
    if errors:
        flash(next(iter(errors.values())), "error")
        return redirect(url_for("advice_line.evidence_list"))
    rows = practice.export_evidence(
        db.session, current_user, filters, origin=request_origin(), now=utcnow()
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for entry in rows:
        writer.writerow(
            [
                safe_cell(value)
                for value in (
                    practice.local_date(entry.recorded_at).isoformat(),
                    words.EVIDENCE_KINDS.get(entry.kind, entry.kind),
                    "; ".join(words.EVIDENCE_THEMES.get(t, t) for t in entry.themes or []),
                    words.REGIONS.get(entry.region, "") if entry.region else "",
                    entry.local_authority,
                    words.SETTING_TYPES.get(entry.setting_type, "") if entry.setting_type else "",
                    entry.summary,
                    entry.contact_id,
                )
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=evidence-of-local-practice.csv"},
    )
