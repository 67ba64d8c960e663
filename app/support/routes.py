"""The Support tab of a case: one section per kind of support, each filled by its feature's
loader (registered with :func:`section`), in the order of ORDER (the order of a case's life:
restorative justice and the statement about the crime, money, groups, then volunteers)."""

from __future__ import annotations

from collections.abc import Callable

from flask_login import current_user

from app.auth.session import role_required
from app.cases.routes import case_or_404, render_case_page
from app.support import bp

# (template, loader): loader(case) -> the template's context, as a dict.
SECTIONS: list[tuple[str, Callable]] = []
ORDER = (
    "support/_restorative.html",
    "support/_statement.html",
    "support/_hardship.html",
    "support/_groups.html",
    "support/_volunteers.html",
    "support/_complaints.html",
)


def _place(template: str) -> int:
    return ORDER.index(template) if template in ORDER else len(ORDER)


# The sections a volunteer assigned to the case sees (spec 3.12); the others are staff's.
FOR_VOLUNTEERS: set[str] = set()


def section(template: str, *, volunteers: bool = False):
    """Register a loader for a section of the Support tab, shown with ``template``; shown to a
    volunteer on the case too only when ``volunteers``."""

    def register(loader: Callable) -> Callable:
        SECTIONS.append((template, loader))
        SECTIONS.sort(key=lambda entry: _place(entry[0]))
        if volunteers:
            FOR_VOLUNTEERS.add(template)
        return loader

    return register


@bp.route("/cases/<int:case_id>/support")
@role_required("caseworker", "team_leader", "admin", "volunteer")
def overview(case_id: int):
    """Every kind of support around the case, each with what has been done and what can be;
    a volunteer sees only the sections meant for them."""
    case = case_or_404(case_id, "support")
    volunteer = current_user.role == "volunteer"
    sections = [
        (template, loader(case))
        for template, loader in SECTIONS
        if not volunteer or template in FOR_VOLUNTEERS
    ]
    return render_case_page("support/overview.html", case, sections=sections)
