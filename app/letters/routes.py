from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import REFUSED, button_action, call_service
from app.letters import bp
from app.letters.forms import HeldLetterDecisionForm
from casework.db import MAX_ID, utcnow
from casework.errors import NotFound
from casework.messages.held_letters import (
    DECISIONS,
    Decision,
    decide_held_message,
    open_held_message,
)
from casework.messages.print_queue import letters_to_post, mark_posted, open_letter
from casework.obligations.models import OBLIGATION_LABELS
from scheduling.messaging.content import wording_from
from scheduling.messaging.letters import letter_pdf
from scheduling.service_calendars import victim_calendar

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


@bp.route("/messages/<int:message_id>/decision", methods=["GET", "POST"])
@workers
def held_decision(message_id: int):
    """Decide a held letter: post it, send a safe text or email instead, or send nothing."""
    if message_id > MAX_ID:
        abort(404)
    try:
        message = open_held_message(
            db.session, message_id, viewer=current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)
    form = HeldLetterDecisionForm()
    if form.validate_on_submit():
        config = current_app.config
        outcome = call_service(
            form,
            lambda: decide_held_message(
                db.session,
                message_id,
                Decision(form.decision.data, form.channel.data, form.reason.data),
                actor=current_user,
                wording=wording_from(config),
                calendar=victim_calendar(config),
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash(DECIDED[form.decision.data], "success")
            if message.case_id:
                return redirect(url_for("cases.contact", case_id=message.case_id))
            return redirect(url_for("referrals.referral", referral_id=message.referral_id))
    return render_template(
        "letters/held_decision.html",
        message=message,
        form=form,
        labels=OBLIGATION_LABELS,
        decisions=DECISIONS,
    ), (400 if form.errors or form.form_errors else 200)


DECIDED = {
    "post": "Decision recorded: the letter is in the print queue to post.",
    "channel": "Decision recorded: a message is queued on the channel you chose instead.",
    "none": "Decision recorded: nothing will be sent.",
}
