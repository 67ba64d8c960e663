"""Who got in touch with the advice line and the advice they were given (issue 16): the public
/professionals form and its confirmation, an advisor logging an email or a chat, the
professional's details, an email's reply, recording the advice (the contact page's advice
section), closing, redacting free text, and the guidance wording beside each choice. Each view
parses its form, calls one casework.hsb service, flashes and redirects."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.advice_line import bp
from app.advice_line.access import advice_line_required
from app.advice_line.contact_forms import (
    NO_CHILD_NAME,
    AdviceForm,
    DetailsForm,
    GuidanceForm,
    LoggedContactForm,
    ProfessionalRequestForm,
    RedactForm,
    ReplyForm,
    moment,
)
from app.advice_line.contact_page import contact_or_404, line_calendar, render_contact_page, section
from app.auth.session import request_origin, role_required
from app.extensions import db, limiter, public_form_limit, public_form_sent
from app.forms import (
    REFUSED,
    ActionForm,
    add_missing_errors,
    call_service,
    flash_made,
    posted_version,
)
from casework.db import utcnow
from casework.errors import NotFound
from casework.hsb import advice as advice_service
from casework.hsb import intake
from casework.hsb.callbacks import called_back_by_email, nobody_to_call
from casework.hsb.models import CONTINUUM, REFER_TO, TRAFFIC_LIGHT
from scheduling.messaging.content import wording_from
from triage.hsb import prompts_referral


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


# --- the public form ------------------------------------------------------------------------


@bp.route("/professionals", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"], deduct_when=public_form_sent)
def professionals():
    """A safeguarding professional asks the HSB line for advice (DESIGN.md Stable
    interfaces). Whoever sends it sees the same confirmation."""
    form = ProfessionalRequestForm()
    if form.validate_on_submit():
        made = call_service(
            form,
            lambda: intake.submit_request(
                db.session,
                answers=form.answers(),
                request_text=form.request_text.data,
                about=form.about.data,
                confidence=form.confidence(),
                calendar=line_calendar(),
                now=utcnow(),
                origin=request_origin(),
            ),
        )
        if made is not REFUSED:
            session["advice_request_sent"] = True
            return redirect(url_for("advice_line.professionals_sent"))
    return render_template(
        "advice_line/professionals.html",
        form=form,
        warning=NO_CHILD_NAME,
        hours=intake.opening_hours_text(line_calendar()),
    ), _status(form)


@bp.route("/professionals/sent")
def professionals_sent():
    """The confirmation, shown once after sending: when the line is open and when a request
    sent outside those hours is called back."""
    if not session.pop("advice_request_sent", False):
        return redirect(url_for("advice_line.professionals"))
    return render_template(
        "advice_line/professionals_sent.html", hours=intake.opening_hours_text(line_calendar())
    )


# --- an advisor logs an email or a chat -----------------------------------------------------


@bp.route("/advice-line/contacts/new", methods=["GET", "POST"])
@advice_line_required
def new_contact():
    """Log an email or a chat from a professional (``?channel=email`` or ``chat``)."""
    channel = request.args.get("channel")
    if channel not in intake.LOGGED_CHANNELS:
        channel = "email"
    form = LoggedContactForm()
    if request.method == "GET":
        local = utcnow().astimezone(line_calendar().tz)
        form.received_day.data, form.received_time.data = local.date(), local.strftime("%H:%M")
    if form.validate_on_submit():
        tz = line_calendar().tz
        day = form.received_day.data
        made = call_service(
            form,
            lambda: intake.log_contact(
                db.session,
                channel=channel,
                received_at=moment(day, form.received_time.data, tz),
                started_at=moment(day, form.started_time.data, tz),
                ended_at=moment(day, form.ended_time.data, tz),
                replied_at=moment(form.replied_day.data, form.replied_time.data, tz),
                answers=form.answers(),
                request_text=form.request_text.data,
                confidence=form.confidence(),
                calendar=line_calendar(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                wording=wording_from(current_app.config),
                submission_token=form.submission_token.data,
            ),
        )
        if made is not REFUSED:
            flash_made(made, f"{'Email' if channel == 'email' else 'Chat'} logged.")
            return redirect(url_for("advice_line.contact", contact_id=made.id))
    if form.is_submitted() and form.errors:
        add_missing_errors(
            form,
            lambda: intake.check_logged_details(
                form.answers(), form.request_text.data, form.confidence()
            ),
        )
    return render_template(
        "advice_line/new_contact.html", form=form, channel=channel, warning=NO_CHILD_NAME
    ), _status(form)


# --- the professional's details and an email's reply ----------------------------------------


@bp.route("/advice-line/contacts/<int:contact_id>/details", methods=["GET", "POST"])
@advice_line_required
def contact_details(contact_id: int):
    """Correct the professional's details and their confidence before the advice."""
    form = DetailsForm()
    if request.method == "POST" and form.validate_on_submit():
        saved = call_service(
            form,
            lambda: intake.update_details(
                db.session,
                contact_id,
                answers=form.answers(),
                confidence=form.confidence(),
                expected_version=posted_version(form.version.data),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash("Details saved.", "success")
            return redirect(url_for("advice_line.contact", contact_id=contact_id))
    found = contact_or_404(contact_id, "details")
    if found.anonymised_at is not None:
        flash("This contact has been anonymised: there are no details to change.", "error")
        return redirect(url_for("advice_line.contact", contact_id=contact_id))
    if request.method == "GET" or form.form_errors:
        errors = form.form_errors
        form = DetailsForm(formdata=None)
        form.form_errors = list(errors)
        for name, attribute in (
            ("name", "professional_name"),
            ("role", "professional_role"),
            ("setting_type", "setting_type"),
            ("organisation", "organisation"),
            ("local_authority", "local_authority"),
            ("region", "region"),
            ("email", "email"),
            ("phone", "phone"),
        ):
            getattr(form, name).data = getattr(found, attribute) or ""
        form.confidence_identify.data = str(found.confidence_identify_before or "")
        form.confidence_respond.data = str(found.confidence_respond_before or "")
        form.version.data = str(found.version)
    return render_contact_page(
        "advice_line/details.html", found, form=form, warning=NO_CHILD_NAME
    ), _status(form)


@bp.route("/advice-line/contacts/<int:contact_id>/reply", methods=["GET", "POST"])
@advice_line_required
def email_replied(contact_id: int):
    """Record when an email contact (or a request with an email address alone) was replied
    to."""
    form = ReplyForm()
    if request.method == "POST" and form.validate_on_submit():
        tz = line_calendar().tz
        saved = call_service(
            form,
            lambda: intake.record_reply(
                db.session,
                contact_id,
                replied_at=moment(form.replied_day.data, form.replied_time.data, tz),
                expected_version=posted_version(form.version.data),
                actor=current_user,
                wording=wording_from(current_app.config),
                tz=tz,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash("Reply recorded.", "success")
            return redirect(url_for("advice_line.contact", contact_id=contact_id))
    found = contact_or_404(contact_id, "reply")
    if not called_back_by_email(found):
        abort(404)
    if request.method == "GET" or form.form_errors:
        errors = form.form_errors
        form = ReplyForm(formdata=None)
        form.form_errors = list(errors)
        local = utcnow().astimezone(line_calendar().tz)
        form.replied_day.data, form.replied_time.data = local.date(), local.strftime("%H:%M")
        form.version.data = str(found.version)
    return render_contact_page("advice_line/reply.html", found, form=form), _status(form)


# --- the advice -----------------------------------------------------------------------------


def _choice_hints(choices: dict, scale: str, guidance: dict[str, str]) -> list[dict]:
    return [{"hint": {"text": guidance[f"{scale}:{key}"]}} for key in choices]


@section("advice_line/_advice.html")
def advice_section(contact) -> dict:
    """The advice recorded on the contact, or the button to record it."""
    return {
        "prompted": prompts_referral(
            contact.traffic_light, contact.continuum, contact.risk_of_significant_harm
        ),
        "refer_to": REFER_TO,
        "nobody_to_call": contact.advised_at is None and nobody_to_call(db.session, contact),
    }


def _fill_advice_form(form: AdviceForm, found) -> None:
    form.kind.data = found.kind or ""
    form.child_age.data = "" if found.child_age is None else str(found.child_age)
    form.incident_setting.data = found.incident_setting or ""
    form.what_happened.data = found.what_happened or ""
    form.traffic_light.data = found.traffic_light or ""
    form.continuum.data = found.continuum or ""
    form.risk_of_significant_harm.data = {True: "yes", False: "no"}.get(
        found.risk_of_significant_harm, ""
    )
    form.meets_threshold.data = found.meets_threshold or ""
    form.concern_tags.data = list(found.concern_tags or [])
    form.ideology.data = found.ideology or ""
    form.influencer.data = found.influencer or ""
    form.refer_to.data = found.refer_to or ""
    form.refer_reason.data = found.refer_reason or ""
    form.policy_topics.data = list(found.policy_topics or [])
    form.advice_given.data = found.advice_given or ""
    form.outcome.data = found.outcome or ""
    form.version.data = str(found.version)


@bp.route("/advice-line/contacts/<int:contact_id>/advice", methods=["GET", "POST"])
@advice_line_required
def record_advice(contact_id: int):
    """Record the advice given on a contact: on a case (statement b) or on policy (a)."""
    form = AdviceForm()
    if request.method == "POST" and form.validate_on_submit():
        answers = advice_service.AdviceAnswers(
            kind=form.kind.data or None,
            child_age=form.age(),
            incident_setting=form.incident_setting.data or None,
            what_happened=form.what_happened.data,
            traffic_light=form.traffic_light.data or None,
            continuum=form.continuum.data or None,
            risk_of_significant_harm=form.risk(),
            meets_threshold=form.meets_threshold.data or None,
            concern_tags=tuple(form.concern_tags.data or ()),
            ideology=form.ideology.data,
            influencer=form.influencer.data,
            refer_to=form.refer_to.data,
            refer_reason=form.refer_reason.data,
            policy_topics=tuple(form.policy_topics.data or ()),
            advice_given=form.advice_given.data,
            outcome=form.outcome.data,
        )
        if (form.child_age.data or "").strip() and answers.child_age is None:
            form.child_age.errors = ["The child's age must be a whole number of years from 0 to 17"]
        else:
            saved = call_service(
                form,
                lambda: advice_service.record_advice(
                    db.session,
                    contact_id,
                    answers=answers,
                    expected_version=posted_version(form.version.data),
                    actor=current_user,
                    origin=request_origin(),
                    now=utcnow(),
                ),
            )
            if saved is not REFUSED:
                flash(
                    "Advice saved. The contact is closed."
                    if saved.status == "closed"
                    else "Advice saved.",
                    "success",
                )
                return redirect(url_for("advice_line.contact", contact_id=contact_id) + "#advice")
    found = contact_or_404(contact_id, "advice")
    if request.method == "GET" or form.form_errors:
        errors = form.form_errors
        form = AdviceForm(formdata=None)
        form.form_errors = list(errors)
        _fill_advice_form(form, found)
    guidance = advice_service.guidance_texts(db.session)
    prompted = prompts_referral(
        form.traffic_light.data,
        form.continuum.data,
        form.risk() if form.risk_of_significant_harm.data else None,
    )
    return render_contact_page(
        "advice_line/advice.html",
        found,
        form=form,
        warning=NO_CHILD_NAME,
        prompted=prompted,
        traffic_hints=_choice_hints(TRAFFIC_LIGHT, "traffic_light", guidance),
        continuum_hints=_choice_hints(CONTINUUM, "continuum", guidance),
        citation=advice_service.CITATION,
    ), _status(form)


@bp.route("/advice-line/contacts/<int:contact_id>/close", methods=["POST"])
@advice_line_required
def close_contact(contact_id: int):
    """Close a contact whose advice is recorded, or that nobody could be called back on."""
    form = ActionForm()
    if form.validate_on_submit():
        saved = call_service(
            form,
            lambda: advice_service.close_contact(
                db.session,
                contact_id,
                expected_version=posted_version(request.form.get("version")),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is REFUSED:
            flash(form.form_errors[0] if form.form_errors else "Not closed.", "error")
        else:
            flash("Contact closed.", "success")
    return redirect(url_for("advice_line.contact", contact_id=contact_id))


# --- redaction ------------------------------------------------------------------------------


@bp.route("/advice-line/contacts/<int:contact_id>/redact", methods=["GET", "POST"])
@advice_line_required
def redact(contact_id: int):
    """Redact free text on a contact (a child's name given by mistake): the page shows each
    text as it is and asks which to redact, and how, before anything changes."""
    form = RedactForm()
    if request.method == "POST" and form.validate_on_submit():
        saved = call_service(
            form,
            lambda: advice_service.redact_text(
                db.session,
                contact_id,
                field_name=form.field_name.data,
                words=form.words.data,
                clear=form.how.data == "clear",
                expected_version=posted_version(form.version.data),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash("Text redacted.", "success")
            return redirect(url_for("advice_line.contact", contact_id=contact_id))
    found = contact_or_404(contact_id, "redact")
    if request.method == "GET" or form.form_errors:
        errors = form.form_errors
        form = RedactForm(formdata=None)
        form.form_errors = list(errors)
        form.how.data = "words"
        form.version.data = str(found.version)
    texts = [
        (name, label, getattr(found, name))
        for name, label in advice_service.REDACTABLE.items()
        if getattr(found, name)
    ]
    form.field_name.choices = [(name, label) for name, label, _ in texts]
    return render_contact_page("advice_line/redact.html", found, form=form, texts=texts), _status(
        form
    )


# --- the guidance wording -------------------------------------------------------------------


@bp.route("/advice-line/guidance")
@advice_line_required
def guidance():
    """The guidance shown beside each traffic-light and continuum choice; admins edit it."""
    rows = advice_service.guidance_rows(
        db.session, current_user, origin=request_origin(), now=utcnow()
    )
    return render_template(
        "advice_line/guidance.html",
        rows=[(row, advice_service.guidance_label(row.key)) for row in rows],
        citation=advice_service.CITATION,
        may_edit=current_user.role == "admin",
    )


@bp.route("/advice-line/guidance/<key>", methods=["GET", "POST"])
@role_required("admin")
def edit_guidance(key: str):
    """An admin edits one choice's guidance (10-600 characters)."""
    form = GuidanceForm()
    if request.method == "POST" and form.validate_on_submit():
        saved = call_service(
            form,
            lambda: advice_service.update_guidance(
                db.session,
                key,
                text=form.text.data,
                expected_version=form.version.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if saved is not REFUSED:
            flash("Guidance saved.", "success")
            return redirect(url_for("advice_line.guidance"))
    try:
        row = advice_service.get_guidance(
            db.session, key, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    if request.method == "GET" or form.form_errors:
        errors = form.form_errors
        form = GuidanceForm(formdata=None)
        form.form_errors = list(errors)
        form.text.data = row.text
        form.version.data = advice_service.guidance_version(row)
    return render_template(
        "advice_line/guidance_edit.html",
        form=form,
        row=row,
        label=advice_service.guidance_label(key),
    ), _status(form)
