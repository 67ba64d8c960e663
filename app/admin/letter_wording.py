"""Administrators edit the wording of each letter."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.admin import bp
from app.admin.forms import LetterWordingForm
from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import REFUSED, call_service
from casework.db import utcnow
from casework.errors import NotFound
from casework.messages.letter_wording import letter_wording, letter_wordings, save_letter_wording
from casework.obligations.models import OBLIGATION_LABELS
from scheduling.messaging.content import DEFAULT_LETTERS


@bp.route("/letters")
@role_required("admin")
def letter_templates():
    """Every kind of letter, and whether its wording has been changed."""
    rows = letter_wordings(db.session, DEFAULT_LETTERS)
    return render_template("admin/letter_templates.html", rows=rows, labels=OBLIGATION_LABELS)


@bp.route("/letters/<kind>", methods=["GET", "POST"])
@role_required("admin")
def letter_template(kind: str):
    """Edit one letter's wording; new letters use it from then on."""
    try:
        title, body = letter_wording(db.session, kind, DEFAULT_LETTERS)
    except NotFound:
        abort(404)
    form = LetterWordingForm(data={"title": title, "body": body})
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: save_letter_wording(
                db.session,
                kind,
                form.title.data,
                form.body.data,
                defaults=DEFAULT_LETTERS,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash("Letter saved. New letters use this wording.", "success")
            return redirect(url_for("admin.letter_templates"))
    return render_template(
        "admin/letter_template.html", form=form, kind=kind, labels=OBLIGATION_LABELS
    ), (400 if form.errors else 200)
