from flask import abort, current_app, make_response, redirect, render_template, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import button_action
from app.letters import bp
from casework.db import utcnow
from casework.errors import NotFound
from casework.messages.print_queue import letters_to_post, mark_posted, open_letter
from casework.obligations.models import OBLIGATION_LABELS
from scheduling.messaging.letters import letter_pdf

workers = role_required("caseworker", "team_leader", "admin")


@bp.route("/letters")
@workers
def letters():
    """The print queue: letters waiting to be printed and posted."""
    waiting = letters_to_post(db.session, current_user)
    return render_template("letters/letters.html", letters=waiting, labels=OBLIGATION_LABELS)


@bp.route("/messages/<int:message_id>/letter.pdf")
@workers
def letter(message_id: int):
    """One letter as a PDF to print (audited)."""
    try:
        message = open_letter(
            db.session, message_id, viewer=current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
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
    """A printed letter has been posted: it counts as sent and meets its deadline."""

    def act():
        mark_posted(
            db.session, message_id, actor=current_user, origin=request_origin(), now=utcnow()
        )
        return "Letter marked as posted."

    button_action(act)
    return redirect(url_for("letters.letters"))
