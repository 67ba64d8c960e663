"""Administrators word the texts and emails staff send from a case."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import MessageTemplateForm
from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import REFUSED, call_service, sent_version
from casework.db import MAX_ID, utcnow
from casework.errors import NotFound
from casework.messages.message_templates import (
    PLACEHOLDERS,
    get_template,
    list_templates,
    save_template,
    sms_length,
)
from casework.messages.models import MESSAGE_CHANNELS


@bp.route("/message-templates")
@role_required("admin")
def message_templates():
    """Every text and email template, with each text's length."""
    rows = [
        (t, sms_length(t.body) if t.channel == "sms" else None) for t in list_templates(db.session)
    ]
    return render_template("admin/message_templates.html", rows=rows, channels=MESSAGE_CHANNELS)


@bp.route("/message-templates/new", methods=["GET", "POST"])
@bp.route("/message-templates/<int:template_id>", methods=["GET", "POST"])
@role_required("admin")
def message_template(template_id: int | None = None):
    """Add or edit one template; an unknown {placeholder} is shown against its field."""
    template = None
    if template_id is not None:
        if template_id > MAX_ID:
            abort(404)
        try:
            template = get_template(db.session, template_id)
        except NotFound:
            abort(404)
    form = MessageTemplateForm(obj=template)
    if template is not None and not form.is_submitted():
        form.version.data = template.version
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: save_template(
                db.session,
                template_id,
                name=form.name.data,
                channel=form.channel.data,
                subject=form.subject.data,
                body=form.body.data,
                version=sent_version(form.version),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash("Message template saved.", "success")
            return redirect(url_for("admin.message_templates"))
    length = sms_length(form.body.data or "") if (form.channel.data == "sms") else None
    return render_template(
        "admin/message_template.html",
        form=form,
        template=template,
        placeholders=PLACEHOLDERS,
        length=length,
    ), (400 if form.errors or form.form_errors else 200)
