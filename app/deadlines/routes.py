from flask import current_app, render_template
from flask_login import current_user

from app.auth.session import role_required
from app.deadlines import bp
from app.extensions import db
from casework.db import utcnow
from casework.obligations.models import OBLIGATION_LABELS
from casework.obligations.overview import deadline_overview
from scheduling.service_calendars import victim_calendar


@bp.route("/deadlines")
@role_required("team_leader", "admin")
def deadlines():
    """Due in the next hours, overdue, per caseworker, and breaches this quarter."""
    now = utcnow()
    overview = deadline_overview(
        db.session, current_user, now=now, tz=victim_calendar(current_app.config).tz
    )
    return render_template(
        "deadlines/deadlines.html",
        upcoming=overview.upcoming,
        overdue=overview.overdue,
        per_worker=overview.per_worker,
        breaches=overview.breaches,
        hours=overview.hours,
        now=now,
        labels=OBLIGATION_LABELS,
        quarter_start=overview.quarter_start,
        waiting=overview.waiting,
    )
