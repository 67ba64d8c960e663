"""Staff record a self-referral taken by phone, email or at a community event (spec 3.6)."""

from datetime import datetime

from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import apply_errors, flash_made
from app.public.routes import show_every_victim_problem, victim_details_from
from app.referrals import bp
from app.referrals.forms import StaffReferralForm
from casework.access import can_view_referral
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.referrals.staff_entered import (
    RECEIVED_WITHIN_DAYS,
    HowReceived,
    record_staff_referral,
)
from casework.referrals.victim_details import PARTNER_METHODS
from scheduling.service_calendars import victim_calendar
from triage.safe_answers import parse_time

entering = role_required("caseworker", "team_leader")


def _received_at(form, tz) -> datetime | None:
    """The date and time typed as received, in UK time; None when either is missing or the
    time is not a time (the form shows why)."""
    at = parse_time(form.received_time.data)
    if form.received_day.data is None or at is None:
        return None
    return datetime.combine(form.received_day.data, at, tzinfo=tz)


@bp.route("/referrals/new", methods=["GET", "POST"])
@entering
def new_referral():
    """Record a self-referral taken by phone, email or at a community event: the same checks,
    triage and deadlines as every other route."""
    now = utcnow()
    calendar = victim_calendar(current_app.config)
    form = StaffReferralForm()
    if not form.is_submitted():
        local = now.astimezone(calendar.tz)
        form.received_day.data, form.received_time.data = local.date(), local.strftime("%H:%M")
    if form.validate_on_submit():
        received = _received_at(form, calendar.tz)
        try:
            if received is None:
                raise ValidationError({"received_time": "Enter a time like 14:30"})
            referral = record_staff_referral(
                db.session,
                victim_details_from(form),
                HowReceived(
                    route=form.route.data,
                    received_at=received,
                    event_name=form.event_name.data or "",
                    event_on=form.event_on.data,
                ),
                submission_token=form.submission_token.data,
                actor=current_user,
                calendar=calendar,
                now=now,
                origin=request_origin(),
            )
        except NotFound:
            abort(404)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            if not can_view_referral(current_user, referral):
                # It joined the person's open case in another team and went to its caseworker:
                # say so here, rather than send the person who entered it to a page not found.
                flash_made(
                    referral,
                    f"Referral {referral.reference} recorded and triaged. This person has an "
                    "open case held by another team, so it has gone to that case's caseworker.",
                )
                return redirect(url_for("referrals.new_referral"))
            flash_made(referral, f"Referral {referral.reference} recorded and triaged.")
            return redirect(url_for("referrals.referral", referral_id=referral.id))
    show_every_victim_problem(form, PARTNER_METHODS, calendar.local_date(now))
    return render_template("referrals/new.html", form=form, within_days=RECEIVED_WITHIN_DAYS), (
        400 if form.errors else 200
    )
