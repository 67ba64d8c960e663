"""Rendering a caseload page, shared by a caseworker's own (main.caseload) and a team leader's
view of one caseworker's (caseloads.member_caseload)."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_sqlalchemy.pagination import Pagination

from app.extensions import db
from app.forms import page_number
from casework.caseloads.listing import CaseloadFilters, caseload_lines, rows_for
from casework.db import utcnow
from casework.obligations.models import OBLIGATION_LABELS
from casework.plans.overview import overdue_actions_of_worker
from scheduling.service_calendars import victim_calendar


class CaseloadPage(Pagination):
    """One page of a caseload, read by casework.caseloads.listing."""

    def _lines(self) -> list[tuple[str, int]]:
        a = self._query_args
        if "lines" not in a:  # read once for both the page and the count
            a["lines"] = caseload_lines(db.session, a["worker_id"], a["filters"], now=a["now"])
        return a["lines"]

    def _query_items(self):
        a = self._query_args
        start = (self.page - 1) * self.per_page
        return rows_for(
            db.session,
            a["worker_id"],
            self._lines()[start : start + self.per_page],
            now=a["now"],
            today=a["today"],
            calendar=a["calendar"],
        )

    def _query_count(self) -> int:
        return len(self._lines())


def render_caseload(worker, *, own: bool, endpoint: str, **url_values):
    """The caseload page of ``worker``: theirs (``own``) or as their team leader sees it."""
    now = utcnow()
    calendar = victim_calendar(current_app.config)
    filters = CaseloadFilters.from_args(request.args)
    today = calendar.local_date(now)
    page = CaseloadPage(
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        max_per_page=None,
        error_out=False,
        worker_id=worker.id,
        filters=filters,
        now=now,
        today=today,
        calendar=calendar,
    )
    return render_template(
        "caseloads/caseload.html",
        worker=worker,
        own=own,
        page=page,
        filters=filters,
        now=now,
        labels=OBLIGATION_LABELS,
        tz=calendar.tz,
        filter_url=url_for(endpoint, **url_values),
        overdue_actions=overdue_actions_of_worker(db.session, worker.id, today),
    )
