"""The Support tab of a case: one section per kind of support, each filled by its feature's
loader (registered with :func:`section`), in the order of ORDER (the order of a case's life:
restorative justice and the statement about the crime, money, groups, then volunteers)."""

from __future__ import annotations

from collections.abc import Callable

from app.cases.routes import case_or_404, render_case_page, staff
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


def section(template: str):
    """Register a loader for a section of the Support tab, shown with ``template``."""

    def register(loader: Callable) -> Callable:
        SECTIONS.append((template, loader))
        SECTIONS.sort(key=lambda entry: _place(entry[0]))
        return loader

    return register


@bp.route("/cases/<int:case_id>/support")
@staff
def overview(case_id: int):
    """Every kind of support around the case, each with what has been done and what can be."""
    case = case_or_404(case_id, "support")
    sections = [(template, loader(case)) for template, loader in SECTIONS]
    return render_case_page("support/overview.html", case, sections=sections)
