"""A case's support plan (to be built: issue 13 parts 4-5)."""

from app.cases.routes import case_or_404, render_case_page, staff
from app.plans import bp


@bp.route("/cases/<int:case_id>/plan")
@staff
def plan(case_id: int):
    """The case's support plan, its reviews and its plan for reducing support."""
    return render_case_page("plans/plan.html", case_or_404(case_id, "plan"))
