from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import page_number
from app.search import bp
from casework.db import utcnow
from casework.errors import NotFound
from casework.people.search import COUNT_CAP, PER_PAGE, open_from_search, search_people
from casework.people.search_terms import KINDS, MAX_QUERY_LENGTH, QueryProblem, parse_query

SEARCH_ROLES = ("caseworker", "team_leader", "admin")


class ResultsPage(Pagination):
    """A page of search results, already found by the service, for the pagination component."""

    def _query_items(self):
        return list(self._query_args["results"].people)

    def _query_count(self) -> int:
        return self._query_args["results"].total


@bp.route("/search")
@role_required(*SEARCH_ROLES)
def search():
    """Staff search (DESIGN.md Stable interfaces): people the signed-in person may open, by the
    start of each word of a name or by a whole reference, phone, email, postcode or birth date.
    The text typed is never stored or logged (see app.logs)."""
    raw = request.args.get("q")
    form = {"q": raw or "", "max_length": MAX_QUERY_LENGTH}
    if raw is None:
        return render_template("search/results.html", form=form, page=None, problem=None)
    query = parse_query(raw)
    if isinstance(query, QueryProblem):
        form["q"] = "" if len(raw) > MAX_QUERY_LENGTH else raw
        return render_template(
            "search/results.html", form=form, page=None, problem=query.message
        ), 400
    results = search_people(
        db.session,
        current_user,
        query,
        page=page_number(),
        origin=request_origin(),
        now=utcnow(),
    )
    page = ResultsPage(
        page=results.page,
        per_page=PER_PAGE,
        max_per_page=None,
        error_out=False,
        results=results,
    )
    return render_template(
        "search/results.html",
        form=form,
        page=page,
        results=results,
        kind=KINDS[results.kind],
        count_cap=COUNT_CAP,
        problem=None,
        # Built once, not for each link on the page.
        referral_url=url_for("search.open_referral", referral_id=0).removesuffix("0"),
        case_url=url_for("search.open_case", case_id=0).removesuffix("0"),
    )


def _opened(record_type: str, record_id: int) -> None:
    try:
        open_from_search(
            db.session,
            current_user,
            record_type,
            record_id,
            origin=request_origin(),
            now=utcnow(),
        )
    except NotFound:
        abort(404)


@bp.route("/search/open/referral/<int:referral_id>")
@role_required(*SEARCH_ROLES)
def open_referral(referral_id: int):
    """A referral opened from the search results: audited as such, then shown."""
    _opened("referral", referral_id)
    return redirect(url_for("referrals.referral", referral_id=referral_id))


@bp.route("/search/open/case/<int:case_id>")
@role_required(*SEARCH_ROLES)
def open_case(case_id: int):
    """A case opened from the search results: audited as such, then shown at ``/cases/<id>``
    (DESIGN.md Stable interfaces)."""
    _opened("case", case_id)
    return redirect(f"{request.script_root}/cases/{case_id}")
