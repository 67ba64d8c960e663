"""A case's needs assessments (to be built: issue 13 parts 1-3)."""

from app.assessments import bp
from app.cases.routes import case_or_404, render_case_page, staff


@bp.route("/cases/<int:case_id>/assessment")
@staff
def assessments(case_id: int):
    """The case's needs assessments and distance travelled."""
    return render_case_page("assessments/list.html", case_or_404(case_id, "assessment"))
