from datetime import timedelta

import sqlalchemy as sa
from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.contact import bp
from app.contact.forms import (
    CallForm,
    ConversationForm,
    KeyDateForm,
    TemplateForm,
    VisitForm,
    moment,
)
from app.extensions import db
from app.forms import apply_errors, button_action
from casework.access import can_view_referral, visible_referrals_clause
from casework.audit import record_event
from casework.contact import LetterTemplate, OutboundMessage
from casework.contact_services import (
    record_appointment_held,
    record_attempt,
    record_conversation,
    record_key_date,
)
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.referral import OBLIGATION_LABELS, Obligation, Referral
from casework.staff.models import Staff
from scheduling.calendars import victim_calendar
from scheduling.jobs import mark_posted
from scheduling.messaging.content import DEFAULT_LETTERS
from scheduling.messaging.letters import letter_pdf

workers = role_required("caseworker", "team_leader", "admin")
leaders = role_required("team_leader", "admin")


def _rerender(referral_id: int, **forms):
    from app.triage.routes import render_referral

    return render_referral(referral_id, status=400, **forms)


def _submit(referral_id: int, form, form_name: str, save, done: str):
    """The shape every contact form shares: check the form, call the service, then either
    show what is wrong on the referral page (nothing stored) or confirm and go back to it."""
    if form.validate_on_submit():
        try:
            problem = save()
        except NotFound:
            abort(404)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            if problem is None:
                flash(done, "success")
                return redirect(url_for("triage.referral", referral_id=referral_id))
    return _rerender(referral_id, **{form_name: form})


def _attempt(referral_id: int, channel: str, form, form_name: str, done: str):
    calendar = victim_calendar(current_app.config)

    def save():
        record_attempt(
            db.session,
            referral_id,
            channel=channel,
            outcome=form.outcome.data,
            at=moment(form.day.data, form.at.data, calendar.tz),
            notes=form.notes.data,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
            calendar=calendar,
        )

    return _submit(referral_id, form, form_name, save, done)


@bp.route("/referrals/<int:referral_id>/calls", methods=["POST"])
@workers
def call(referral_id: int):
    """Record a telephone call; D1 and D1b follow automatically."""
    return _attempt(referral_id, "telephone", CallForm(), "call_form", "Call recorded.")


@bp.route("/referrals/<int:referral_id>/visits", methods=["POST"])
@workers
def visit(referral_id: int):
    """Record a home visit; D3 and D3b follow automatically."""
    return _attempt(referral_id, "home_visit", VisitForm(), "visit_form", "Home visit recorded.")


@bp.route("/referrals/<int:referral_id>/conversation", methods=["POST"])
@workers
def conversation(referral_id: int):
    """Record the first conversation; further support books the needs assessment (D4)."""
    form = ConversationForm()
    calendar = victim_calendar(current_app.config)

    def save():
        now = utcnow()
        record_conversation(
            db.session,
            referral_id,
            outcome=form.outcome.data,
            key_risks=form.key_risks.data,
            held_at=now,
            booked_at=moment(form.booked_day.data, form.booked_at.data, calendar.tz),
            passed_to=form.passed_to.data,
            actor=current_user,
            origin=request_origin(),
            now=now,
            calendar=calendar,
        )

    return _submit(referral_id, form, "conversation_form", save, "Conversation recorded.")


@bp.route("/referrals/<int:referral_id>/key-dates", methods=["POST"])
@workers
def key_date(referral_id: int):
    """A court date, sentencing or offender release: re-engage the working day before (D9)."""
    form = KeyDateForm()

    def save():
        record_key_date(
            db.session,
            referral_id,
            kind=form.kind.data,
            event_on=form.event_on.data,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
            calendar=victim_calendar(current_app.config),
        )

    return _submit(
        referral_id,
        form,
        "key_date_form",
        save,
        "Key date added; a re-engagement prompt falls due the working day before.",
    )


@bp.route("/obligations/<int:obligation_id>/held", methods=["POST"])
@workers
def held(obligation_id: int):
    """A booked needs assessment or web chat took place."""
    obligation = db.session.get(Obligation, obligation_id)
    if obligation is None:
        abort(404)

    def act():
        record_appointment_held(
            db.session,
            obligation_id,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
            calendar=victim_calendar(current_app.config),
        )
        return "Recorded as held."

    button_action(act)
    return redirect(url_for("triage.referral", referral_id=obligation.referral_id))


def _message_or_404(message_id: int) -> OutboundMessage:
    message = db.session.get(OutboundMessage, message_id)
    if (
        message is None
        or message.referral is None
        or not can_view_referral(current_user, message.referral)
    ):
        abort(404)
    return message


@bp.route("/letters")
@workers
def letters():
    """The print queue: letters waiting to be printed and posted."""
    waiting = db.session.scalars(
        sa.select(OutboundMessage)
        .join(Referral, OutboundMessage.referral_id == Referral.id)
        .where(
            OutboundMessage.channel == "letter",
            OutboundMessage.status == "queued",
            visible_referrals_clause(current_user),
        )
        .order_by(OutboundMessage.created_at)
    ).all()
    return render_template("contact/letters.html", letters=waiting, labels=OBLIGATION_LABELS)


@bp.route("/messages/<int:message_id>/letter.pdf")
@workers
def letter(message_id: int):
    message = _message_or_404(message_id)
    if message.channel != "letter":
        abort(404)
    record_event(
        db.session,
        action="letter.print",
        actor=current_user,
        origin=request_origin(),
        record_type="referral",
        record_id=message.referral_id,
        person_id=message.referral.person_id or message.referral_id,
        at=utcnow(),
        detail={"message_id": message.id},
    )
    db.session.commit()
    pdf = letter_pdf(
        service=current_app.config["VICTIM_SERVICE_NAME"],
        recipient=message.recipient,
        title=message.subject or "",
        body=message.body,
        dated=message.created_at.date(),
    )
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="letter-{message.referral.reference}-{message.id}.pdf"'
    )
    return response


@bp.route("/messages/<int:message_id>/posted", methods=["POST"])
@workers
def posted(message_id: int):
    message = _message_or_404(message_id)

    def act():
        mark_posted(
            db.session, message.id, actor=current_user, origin=request_origin(), now=utcnow()
        )
        return "Letter marked as posted."

    button_action(act)
    return redirect(url_for("contact.letters"))


@bp.route("/deadlines")
@leaders
def deadlines():
    """Due in the next hours, overdue, per caseworker, and breaches this quarter."""
    now = utcnow()
    hours = 8
    visible = visible_referrals_clause(current_user)
    base = (
        sa.select(Obligation)
        .join(Referral, Obligation.referral_id == Referral.id)
        .where(visible, Referral.status == "open")
    )
    unmet = sa.or_(
        Obligation.status == "due",
        sa.and_(Obligation.status == "breached", Obligation.met_at.is_(None)),
    )
    upcoming = db.session.scalars(
        base.where(
            Obligation.status == "due",
            Obligation.due_at >= now,
            Obligation.due_at < now + timedelta(hours=hours),
        )
        .order_by(Obligation.due_at)
        .limit(200)
    ).all()
    overdue = db.session.scalars(
        base.where(unmet, Obligation.due_at < now).order_by(Obligation.due_at).limit(200)
    ).all()
    local = now.astimezone(victim_calendar(current_app.config).tz)
    quarter_start = local.replace(
        month=3 * ((local.month - 1) // 3) + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    per_worker = db.session.execute(
        sa.select(
            Staff.name,
            sa.func.count(Obligation.id),
            sa.func.sum(sa.case((Obligation.due_at < now, 1), else_=0)),
        )
        .select_from(Obligation)
        .join(Referral, Obligation.referral_id == Referral.id)
        .join(Staff, Referral.allocated_to_id == Staff.id)
        .where(visible, unmet, Referral.status == "open")
        .group_by(Staff.name)
        .order_by(Staff.name)
    ).all()
    breaches = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Obligation)
            .join(Referral, Obligation.referral_id == Referral.id)
            .where(
                visible, Obligation.status == "breached", Obligation.breached_at >= quarter_start
            )
        )
        or 0
    )
    return render_template(
        "contact/deadlines.html",
        upcoming=upcoming,
        overdue=overdue,
        per_worker=per_worker,
        breaches=breaches,
        hours=hours,
        now=now,
        labels=OBLIGATION_LABELS,
        quarter_start=quarter_start,
    )


@bp.route("/admin/letters")
@role_required("admin")
def letter_templates():
    saved = {t.kind: t for t in db.session.scalars(sa.select(LetterTemplate))}
    rows = [
        (kind, saved[kind].title if kind in saved else title, kind in saved)
        for kind, (title, _body) in DEFAULT_LETTERS.items()
    ]
    return render_template("contact/letter_templates.html", rows=rows, labels=OBLIGATION_LABELS)


@bp.route("/admin/letters/<kind>", methods=["GET", "POST"])
@role_required("admin")
def letter_template(kind: str):
    if kind not in DEFAULT_LETTERS:
        abort(404)
    template = db.session.get(LetterTemplate, kind)
    title, body = (template.title, template.body) if template else DEFAULT_LETTERS[kind]
    form = TemplateForm(data={"title": title, "body": body})
    if form.validate_on_submit():
        now = utcnow()
        if template is None:
            template = LetterTemplate(kind=kind)
            db.session.add(template)
        template.title, template.body = form.title.data, form.body.data
        template.updated_at, template.updated_by_id = now, current_user.id
        record_event(
            db.session,
            action="letter_template.update",
            actor=current_user,
            origin=request_origin(),
            record_type="letter_template",
            record_id=kind,
            at=now,
        )
        db.session.commit()
        flash("Letter saved. New letters use this wording.", "success")
        return redirect(url_for("contact.letter_templates"))
    return render_template(
        "contact/letter_template.html", form=form, kind=kind, labels=OBLIGATION_LABELS
    ), (400 if form.errors else 200)
