"""Closing and reopening a case (to be built: issue 13 part 6)."""

from app.cases.routes import case_or_404, render_case_page, staff
from app.closure import bp


@bp.route("/cases/<int:case_id>/closure")
@staff
def closure(case_id: int):
    """What closing the case needs, and its closures so far."""
    return render_case_page("closure/closure.html", case_or_404(case_id, "closure"))
