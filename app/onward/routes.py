"""The Onward referrals tab of a case."""

from app.cases.routes import case_or_404, render_case_page, staff
from app.onward import bp


@bp.route("/cases/<int:case_id>/onward")
@staff
def referrals(case_id: int):
    """The case's onward referrals and consent to share."""
    case = case_or_404(case_id, "onward referrals")
    return render_case_page("onward/referrals.html", case)
