"""Sending a text or email from a case: pick a template, see it with the person's details
filled in and when it will go, then send it through the outbox."""

import uuid

from flask import current_app, flash, redirect, url_for
from flask_login import current_user

from app.auth.session import request_origin
from app.cases import bp
from app.cases.forms import CaseMessageForm, SendCaseMessageForm
from app.cases.routes import case_or_404, render_case_page, staff
from app.extensions import db
from app.forms import REFUSED, call_service, posted_int
from casework.db import utcnow
from casework.messages.case_messages import preview_case_message, refusal, send_case_message
from casework.messages.message_templates import list_templates, sms_length
from casework.messages.models import MESSAGE_CHANNELS
from scheduling.service_calendars import victim_calendar

CHANNEL_WORDS = {"sms": "text message", "email": "email"}


def _page(found, form, *, preview=None, send_form=None, problem=None, status=200):
    templates = list_templates(db.session)
    form.template_id.choices = [("", "Select a message")] + [
        (str(t.id), f"{t.name} ({CHANNEL_WORDS.get(t.channel, t.channel)})") for t in templates
    ]
    return render_case_page(
        "cases/message.html",
        found,
        form=form,
        templates=templates,
        preview=preview,
        send_form=send_form,
        problem=problem,
        length=sms_length(preview.body) if preview and preview.template.channel == "sms" else None,
        channels=MESSAGE_CHANNELS,
    ), status


@bp.route("/cases/<int:case_id>/message", methods=["GET", "POST"])
@staff
def message(case_id: int):
    """Choose a message and preview it: who it goes to, on which channel, and when."""
    form = CaseMessageForm()
    found = case_or_404(case_id, "contact")
    if not form.validate_on_submit():
        return _page(found, form, status=400 if form.is_submitted() else 200)
    preview = call_service(
        form,
        lambda: preview_case_message(
            db.session,
            case_id,
            posted_int(form.template_id.data),
            actor=current_user,
            calendar=victim_calendar(current_app.config),
            origin=request_origin(),
            now=utcnow(),
        ),
    )
    if preview is REFUSED:
        return _page(found, form, status=400)
    problem = refusal(preview)
    send_form = None
    if problem is None:
        send_form = SendCaseMessageForm(
            formdata=None, template_id=str(preview.template.id), send_token=uuid.uuid4().hex
        )
    return _page(found, form, preview=preview, send_form=send_form, problem=problem)


@bp.route("/cases/<int:case_id>/message/send", methods=["POST"])
@staff
def send_message(case_id: int):
    """Send the previewed message: queued at the person's next safe moment, or refused with
    the reason; logged on the case's Contact tab."""
    send_form = SendCaseMessageForm()
    found = case_or_404(case_id, "contact")
    form = CaseMessageForm(formdata=None, template_id=send_form.template_id.data)
    if not send_form.validate_on_submit():
        form.form_errors.append("Your form has expired. Preview the message again.")
        return _page(found, form, status=400)
    queued = call_service(
        form,
        lambda: send_case_message(
            db.session,
            case_id,
            posted_int(send_form.template_id.data),
            send_form.send_token.data,
            actor=current_user,
            calendar=victim_calendar(current_app.config),
            origin=request_origin(),
            now=utcnow(),
        ),
    )
    if queued is REFUSED:
        return _page(found, form, status=400)
    tz = victim_calendar(current_app.config).tz
    what = MESSAGE_CHANNELS.get(queued.channel, queued.channel)
    if queued.send_after > utcnow():
        when = queued.send_after.astimezone(tz)
        flash(
            f"{what} queued. It is held until {when:%H:%M on %A %-d %B}, "
            "the next time that is safe for them and inside service hours.",
            "success",
        )
    else:
        flash(f"{what} queued to send now.", "success")
    return redirect(url_for("cases.contact", case_id=case_id))
