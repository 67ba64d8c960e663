"""Professionals' feedback: the contact page's feedback section (ask for it, see the
answers), the public one-time form at /professionals/feedback/<token>, and the team leaders'
list of negative feedback waiting for its D12 follow-up."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from app.advice_line import bp
from app.advice_line.access import advice_line_required, lead_required
from app.advice_line.contact_page import section
from app.advice_line.feedback_forms import FeedbackForm, FollowUpForm, RequestFeedbackForm
from app.auth.session import request_origin
from app.extensions import db, limiter, public_form_limit
from app.forms import REFUSED, call_service, page_number
from casework.db import utcnow
from casework.errors import NotFound
from casework.hsb import models as words
from casework.hsb.feedback import (
    PER_PAGE,
    FeedbackAnswers,
    answer_feedback,
    feedback_to_follow_up,
    follow_up_obligation,
    open_feedback,
    record_follow_up,
    request_feedback,
    waiting_follow_ups,
)
from scheduling.service_calendars import hsb_calendar


@section("advice_line/_feedback.html")
def feedback_section(contact) -> dict:
    """Whether feedback was asked for and answered, the answers, and the button to ask."""
    return {
        "feedback": contact.feedback,
        "follow_up": follow_up_obligation(contact),
        "request_form": RequestFeedbackForm(formdata=None),
        "can_request": contact.feedback is None
        and contact.advised_at is not None
        and bool(contact.email)
        and contact.anonymised_at is None,
        "now": utcnow(),
    }


@bp.route("/advice-line/contacts/<int:contact_id>/feedback", methods=["POST"])
@advice_line_required
def ask_for_feedback(contact_id: int):
    """Email the professional the one-time feedback link."""
    form = RequestFeedbackForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: request_feedback(
                db.session,
                contact_id,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                base_url=current_app.config["PUBLIC_BASE_URL"],
            ),
        )
        if outcome is REFUSED:
            flash(" ".join(form.form_errors) or "The feedback link was not sent", "error")
        else:
            flash("Feedback link emailed to the professional.", "success")
    else:
        flash("Your form has expired. Reload the page and try again.", "error")
    return redirect(url_for("advice_line.contact", contact_id=contact_id) + "#feedback")


# --- the public form --------------------------------------------------------------------------


def _gone():
    """The same page for a used, expired or unknown link: it tells nothing more."""
    return render_template("advice_line/feedback_gone.html"), 404


@bp.route("/professionals/feedback/<token>", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def public_feedback(token: str):
    """A professional's feedback on the advice, through the link emailed to them (no sign-in);
    it works once."""
    now = utcnow()
    try:
        open_feedback(db.session, token, now)
    except NotFound:
        return _gone()
    form = FeedbackForm()
    if form.validate_on_submit():
        answers = FeedbackAnswers(
            identify=_number(form.confidence_identify.data),
            respond=_number(form.confidence_respond.data),
            satisfaction=_number(form.satisfaction.data),
            comments=form.comments.data,
        )
        try:
            outcome = call_service(
                form,
                lambda: answer_feedback(
                    db.session,
                    token,
                    answers,
                    calendar=hsb_calendar(current_app.config),
                    origin=request_origin(),
                    now=now,
                ),
            )
        except NotFound:
            return _gone()
        if outcome is not REFUSED:
            return render_template("advice_line/feedback_thanks.html")
    return render_template("advice_line/feedback_form.html", form=form, token=token), (
        400 if form.errors else 200
    )


def _number(value) -> int | None:
    text = (value or "").strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


# --- the team leaders' follow-up --------------------------------------------------------------


class _Page(Pagination):
    """A page of rows the service already fetched, with the total it counted."""

    def _query_items(self) -> list:
        return self._query_args["rows"]

    def _query_count(self) -> int:
        return self._query_args["total"]


@bp.route("/advice-line/feedback")
@lead_required
def feedback_list():
    """Negative feedback waiting for its D12 follow-up, soonest due first."""
    now = utcnow()
    page = page_number()
    try:
        waiting, total = waiting_follow_ups(
            db.session, actor=current_user, origin=request_origin(), now=now, page=page
        )
    except NotFound:
        abort(404)
    return render_template(
        "advice_line/feedback_list.html",
        page=_Page(page=page, per_page=PER_PAGE, rows=waiting, total=total, error_out=False),
        now=now,
        words=words,
    )


def _follow_up_page(feedback_id: int, form, status: int = 200):
    now = utcnow()
    try:
        feedback = feedback_to_follow_up(
            db.session, feedback_id, actor=current_user, origin=request_origin(), now=now
        )
    except NotFound:
        abort(404)
    return render_template(
        "advice_line/feedback_follow_up.html",
        feedback=feedback,
        contact=feedback.contact,
        obligation=follow_up_obligation(feedback.contact),
        form=form,
        now=now,
        words=words,
    ), status


@bp.route("/advice-line/feedback/<int:feedback_id>", methods=["GET", "POST"])
@lead_required
def feedback_follow_up(feedback_id: int):
    """One piece of negative feedback, and the form to record its follow-up (meets D12)."""
    form = FollowUpForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: record_follow_up(
                db.session,
                feedback_id,
                notes=form.notes.data,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash("Follow-up recorded.", "success")
            return redirect(url_for("advice_line.feedback_list"))
        return _follow_up_page(feedback_id, form, 400)
    return _follow_up_page(feedback_id, form, 400 if form.errors else 200)
