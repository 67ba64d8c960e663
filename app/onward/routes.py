"""The Onward referrals tab of a case: its referrals and the consent to share in force, making a
referral, recording or withdrawing consent, and a referral's page with what was shared, its
email's delivery and the outcome. Each view parses its form, calls one casework.onward service,
flashes and redirects."""

from __future__ import annotations

from datetime import datetime, time

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from app.auth.session import request_origin
from app.cases.routes import case_or_404, render_case_page, staff
from app.contact.forms import moment
from app.extensions import db
from app.forms import REFUSED, call_service, flash_made
from app.onward import bp
from app.onward.forms import (
    ConsentForm,
    OnwardReferralForm,
    OutcomeForm,
    WithdrawConsentForm,
    posted_int,
)
from casework.access import can_work_case
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.onward.consent import (
    consent_in_force,
    consent_refusal,
    consents_by_agency,
    record_consent,
    withdrawable_agency,
)
from casework.onward.models import (
    CONSENT_HOW,
    ONWARD_STATUSES,
    SEND_METHODS,
    SHAREABLE_FIELDS,
    TARGET_HARDENING_FIELDS,
    URGENCIES,
)
from casework.onward.referring import (
    ReferralDetails,
    case_referrals,
    follow_up_due_at,
    make_referral,
    message_of,
    outcome_refusal,
    record_outcome,
    referral_of_case,
    sent_at,
    view_referral,
    what_was_shared,
    work_refusal,
)
from casework.partners.models import ONWARD_SERVICES, PartnerAgency
from casework.partners.registry import registry_agencies
from scheduling.service_calendars import victim_calendar


def _calendar():
    return victim_calendar(current_app.config)


def _agency_label(agency: PartnerAgency) -> str:
    provides = f" – {ONWARD_SERVICES[agency.provides]}" if agency.provides else ""
    isa = "" if agency.isa_in_place else " (no information-sharing agreement)"
    return f"{agency.name}{provides}{isa}"


def _agency_choices(agencies) -> list[tuple[str, str]]:
    return [("", "Choose an agency")] + [(str(a.id), _agency_label(a)) for a in agencies]


def _renamed(call, names: dict[str, str]):
    """Call ``call``; a refusal's field names are those of the form (``names``)."""
    try:
        return call()
    except ValidationError as exc:
        raise ValidationError({names.get(k, k): v for k, v in exc.errors.items()}) from None


@bp.route("/cases/<int:case_id>/onward")
@staff
def referrals(case_id: int):
    """The case's onward referrals and consent to share."""
    case = case_or_404(case_id, "onward referrals")
    calendar = _calendar()
    found = case_referrals(db.session, case.id)
    rows = [
        {
            "referral": r,
            "due": follow_up_due_at(db.session, r, calendar),
            "message": message_of(db.session, r),
        }
        for r in found
    ]
    return render_case_page(
        "onward/referrals.html",
        case,
        rows=rows,
        consents=consents_by_agency(db.session, case.id),
        services=ONWARD_SERVICES,
        onward_statuses=ONWARD_STATUSES,
        methods_sent=SEND_METHODS,
        consent_how=CONSENT_HOW,
        may_make=work_refusal(current_user, case) is None,
        may_consent=consent_refusal(current_user, case, given=True) is None,
        may_withdraw=consent_refusal(current_user, case, given=False) is None,
    )


def _form_page(case, form, *, status=200):
    agencies = registry_agencies(db.session)
    form.agency_id.choices = _agency_choices(agencies)
    chosen = next((a for a in agencies if str(a.id) == (form.agency_id.data or "")), None)
    consent = consent_in_force(db.session, case.id, chosen.id) if chosen else None
    return render_case_page(
        "onward/new.html",
        case,
        form=form,
        agencies=agencies,
        chosen=chosen,
        consent=consent,
        no_isa=[a for a in agencies if not a.isa_in_place],
        th_fields=[SHAREABLE_FIELDS[f] for f in TARGET_HARDENING_FIELDS],
        services=ONWARD_SERVICES,
    ), status


@bp.route("/cases/<int:case_id>/onward/new", methods=["GET", "POST"])
@staff
def new(case_id: int):
    """Make an onward referral: the form, and posted, the referral made."""
    case = case_or_404(case_id, "onward referrals")
    refusal = work_refusal(current_user, case)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("onward.referrals", case_id=case.id))
    form = OnwardReferralForm()
    if request.method == "GET":
        service = request.args.get("service")
        if service in ONWARD_SERVICES:
            form.service.data = service
        agency = posted_int(request.args.get("agency"))
        if agency:
            form.agency_id.data = str(agency)
        return _form_page(case, form)
    if form.validate_on_submit():
        calendar = _calendar()
        spoke_at = (
            moment(form.spoke_on.data, form.spoke_time.data, calendar.tz)
            if form.spoke_on.data and form.spoke_time.data
            else None
        )
        details = ReferralDetails(
            agency_id=posted_int(form.agency_id.data),
            service=form.service.data,
            method=form.method.data,
            shared_fields=tuple(form.shared_fields.data or ()),
            reason=form.reason.data,
            consent_now=bool(form.consent_now.data),
            consent_how=form.consent_how.data or None,
            consent_note=form.consent_note.data,
            no_isa_reason=form.no_isa_reason.data,
            spoke_to=form.spoke_to.data,
            spoke_at=spoke_at,
            urgency=form.urgency.data or None,
            vulnerability_factors=form.vulnerability_factors.data,
            other_agencies=form.other_agencies.data,
        )
        made = call_service(
            form,
            lambda: _renamed(
                lambda: make_referral(
                    db.session,
                    case_id,
                    details,
                    actor=current_user,
                    origin=request_origin(),
                    now=utcnow(),
                    calendar=calendar,
                    service_name=current_app.config["VICTIM_SERVICE_NAME"],
                    submission_token=form.submission_token.data,
                ),
                {"spoke_at": "spoke_time"},
            ),
        )
        if made is not REFUSED:
            flash_made(
                made,
                "Referral made by phone."
                if made.method == "phone"
                else "Referral queued: it will be emailed to the agency's secure address "
                "over an encrypted connection.",
            )
            return redirect(url_for("onward.referral", case_id=case_id, onward_id=made.id))
    return _form_page(case, form, status=400)


def _consent_page(case, form, *, agency=None, status=200):
    agencies = registry_agencies(db.session)
    if isinstance(form, ConsentForm):
        form.agency_id.choices = _agency_choices(agencies)
    return render_case_page(
        "onward/consent.html", case, form=form, agency=agency, withdraw=agency is not None
    ), status


@bp.route("/cases/<int:case_id>/onward/consent", methods=["GET", "POST"])
@staff
def consent(case_id: int):
    """Record the person's consent to share with a registry agency."""
    case = case_or_404(case_id, "onward referrals")
    refusal = consent_refusal(current_user, case, given=True)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("onward.referrals", case_id=case.id))
    form = ConsentForm()
    if request.method == "GET":
        agency = posted_int(request.args.get("agency"))
        if agency:
            form.agency_id.data = str(agency)
        return _consent_page(case, form)
    if form.validate_on_submit():
        done = call_service(
            form,
            lambda: record_consent(
                db.session,
                case_id,
                posted_int(form.agency_id.data),
                given=True,
                how=form.how.data,
                note=form.note.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if done is not REFUSED:
            flash(f"Consent to share with {done.consent.agency.name} recorded.", "success")
            return redirect(url_for("onward.referrals", case_id=case_id))
    return _consent_page(case, form, status=400)


@bp.route("/cases/<int:case_id>/onward/consent/<int:agency_id>/withdraw", methods=["GET", "POST"])
@staff
def withdraw(case_id: int, agency_id: int):
    """Record that the person withdrew consent to share with an agency: sharing stops."""
    case = case_or_404(case_id, "onward referrals")
    agency = withdrawable_agency(db.session, case.id, agency_id)
    if agency is None:
        abort(404)
    refusal = consent_refusal(current_user, case, given=False)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("onward.referrals", case_id=case.id))
    form = WithdrawConsentForm()
    if request.method == "POST" and form.validate_on_submit():
        done = call_service(
            form,
            lambda: record_consent(
                db.session,
                case_id,
                agency_id,
                given=False,
                how=form.how.data,
                note=form.note.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if done is not REFUSED:
            words = f"Consent to share with {agency.name} withdrawn: nothing more will be shared."
            if done.stopped:
                count = len(done.stopped)
                words += f" {count} referral{'' if count == 1 else 's'} not yet emailed stopped."
            if done.already_sent:
                words += (
                    f" {agency.name} already has earlier referrals: tell them consent was "
                    "withdrawn."
                )
            flash(words, "success")
            return redirect(url_for("onward.referrals", case_id=case_id))
        return _consent_page(case, form, agency=agency, status=400)
    if request.method == "POST":
        return _consent_page(case, form, agency=agency, status=400)
    return _consent_page(case, form, agency=agency)


def _outcome_moment(day, referral, now, calendar) -> datetime:
    """The outcome's date as a moment: midday that day, but never after now (today) nor before
    the referral was made (its own day)."""
    at = datetime.combine(day, time(12), tzinfo=calendar.tz)
    if day == calendar.local_date(now):
        at = min(at, now)
    if day == calendar.local_date(referral.made_at):
        at = max(at, referral.made_at)
    return at


def _referral_page(case_id: int, onward_id: int, form=None, *, status=200):
    case = case_or_404(case_id, "onward referrals")
    try:
        referral = view_referral(
            db.session, case.id, onward_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    calendar = _calendar()
    if form is None:
        form = OutcomeForm(formdata=None)
        if referral.outcome_at is not None:
            form.outcome.data = referral.status
            form.outcome_on.data = calendar.local_date(referral.outcome_at)
            form.note.data = referral.outcome_note
    form.version.data = str(referral.version)
    return render_case_page(
        "onward/referral.html",
        case,
        referral=referral,
        shared=what_was_shared(case, referral),
        message=message_of(db.session, referral),
        sent=sent_at(db.session, referral),
        due=follow_up_due_at(db.session, referral, calendar),
        form=form,
        services=ONWARD_SERVICES,
        onward_statuses=ONWARD_STATUSES,
        methods_sent=SEND_METHODS,
        consent_how=CONSENT_HOW,
        urgencies=URGENCIES,
        may_record=outcome_refusal(current_user, case) is None
        and referral.status not in ("queued", "stopped")
        and referral.target_hardening is None,
        may_work=can_work_case(current_user, case),
    ), status


@bp.route("/cases/<int:case_id>/onward/<int:onward_id>", methods=["GET", "POST"])
@staff
def referral(case_id: int, onward_id: int):
    """An onward referral: what was shared, its email's delivery, and the outcome form."""
    if request.method == "GET":
        return _referral_page(case_id, onward_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        calendar = _calendar()
        now = utcnow()

        def save():
            found = referral_of_case(
                db.session, case_id, onward_id, current_user, origin=request_origin(), now=now
            )
            return record_outcome(
                db.session,
                case_id,
                onward_id,
                outcome=form.outcome.data,
                outcome_at=_outcome_moment(form.outcome_on.data, found, now, calendar),
                note=form.note.data,
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=now,
                calendar=calendar,
            )

        saved = call_service(form, lambda: _renamed(save, {"outcome_at": "outcome_on"}))
        if saved is not REFUSED:
            flash(f"Outcome saved: {ONWARD_STATUSES[saved.status]}.", "success")
            return redirect(url_for("onward.referral", case_id=case_id, onward_id=onward_id))
    return _referral_page(case_id, onward_id, form, status=400)
