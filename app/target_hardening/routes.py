"""Recording the contractor's visit, its outcome and the 12-month follow-up."""

from app.cases.routes import case_or_404, render_case_page, staff
from app.target_hardening import bp


@bp.route("/cases/<int:case_id>/onward/<int:referral_id>/target-hardening")
@staff
def visit(case_id: int, referral_id: int):
    """A target-hardening referral's visit and outcome."""
    case = case_or_404(case_id, "target hardening")
    return render_case_page("target_hardening/visit.html", case, referral_id=referral_id)
