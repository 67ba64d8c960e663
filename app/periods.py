"""A report or list asked for a quarter (or year) that is not one, or a return for one still to
come: the page says so in words with the periods to choose from, never a silent fallback to
another period (a commissioner's figures for the wrong period)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Flask, Response, render_template, request, url_for


class BadPeriod(Exception):
    """The period asked for cannot be shown; ``problem`` says why in words. ``choices`` have a
    ``code`` and a ``label``; ``field`` and ``label`` name the query parameter asked again."""

    def __init__(
        self,
        problem: str,
        *,
        title: str,
        choices: Sequence,
        field: str = "quarter",
        label: str = "Quarter",
    ):
        super().__init__(problem)
        self.problem, self.title, self.choices = problem, title, choices
        self.field, self.label = field, label


@dataclass(frozen=True)
class PeriodChoice:
    """One period a BadPeriod page offers: its query value and its words."""

    code: str
    label: str


def quarter_asked(
    parse: Callable, choose: Callable, *, title: str, today, optional=False, begun=False
):
    """The quarter in the query string, read by ``parse(text, today)``: the current quarter
    when none is given (None for an ``optional`` filter), or BadPeriod in its words with the
    quarters ``choose(today)`` offers. A report (``begun``) is only for a quarter that has
    begun by ``today``; a list may look ahead."""
    text = request.args.get("quarter")
    if optional and not text:
        return None
    try:
        quarter = parse(text, today)
    except ValueError as exc:
        raise BadPeriod(str(exc), title=title, choices=choose(today)) from None
    if begun and quarter.start > today:
        problem = f"{quarter.label} has not begun: choose this quarter or an earlier one"
        raise BadPeriod(problem, title=title, choices=choose(today))
    return quarter


def register(app: Flask) -> None:
    """The page for BadPeriod: the problem and the periods to choose (plain text for a CSV)."""

    @app.errorhandler(BadPeriod)
    def bad_period(exc: BadPeriod):
        if request.path.endswith(".csv"):
            return Response(exc.problem + "\n", status=400, mimetype="text/plain")
        return render_template(
            "period_problem.html",
            problem=exc.problem,
            title=exc.title,
            choices=exc.choices,
            field=exc.field,
            label=exc.label,
            action=url_for(request.endpoint, **(request.view_args or {})),
        ), 400
