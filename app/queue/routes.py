from flask import current_app, render_template, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from app.auth.session import role_required
from app.extensions import db
from app.forms import page_number
from app.queue import bp
from casework.db import utcnow
from casework.messages.held_letters import held_messages, held_on_referrals
from casework.obligations.models import OBLIGATION_LABELS
from casework.referrals.models import CONTACT_METHOD_LABELS, SOURCES
from casework.referrals.queue import (
    QueueFilters,
    QueueRow,
    count_capped,
    npas,
    queue_query,
    queue_rows,
)
from scheduling.service_calendars import victim_calendar


class QueuePage(Pagination):
    """A page of the triage queue. Counts at most CAP referrals: past a thousand open referrals
    the exact number helps nobody work the queue (the filters do), and counting them all would
    cost more than the rest of the page."""

    CAP = 1_000

    def _query_items(self) -> list[QueueRow]:
        return queue_rows(
            db.session,
            self._query_args["query"],
            offset=(self.page - 1) * self.per_page,
            limit=self.per_page,
        )

    def _query_count(self) -> int:
        return count_capped(db.session, self._query_args["query"], self.CAP)


@bp.route("/queue")
@role_required("caseworker", "team_leader", "admin")
def queue():
    """Open referrals in queue order: breached first, then enhanced, then earliest due."""
    now = utcnow()
    filters = QueueFilters.from_args(request.args)
    query = queue_query(
        current_user, filters, now=now, calendar=victim_calendar(current_app.config)
    )
    page = QueuePage(
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        max_per_page=None,
        error_out=False,
        query=query,
    )
    held = held_messages(db.session, current_user)
    return render_template(
        "queue/queue.html",
        page=page,
        held=held,
        held_here=held_on_referrals(db.session, [r.id for r in page.items]),
        count_cap=QueuePage.CAP,
        filters=filters,
        now=now,
        sources=SOURCES,
        methods=CONTACT_METHOD_LABELS,
        npas=[(n, n) for n in npas(db.session)],
        labels=OBLIGATION_LABELS,
        referral_url=url_for("referrals.referral", referral_id=0).removesuffix("0"),
    )
